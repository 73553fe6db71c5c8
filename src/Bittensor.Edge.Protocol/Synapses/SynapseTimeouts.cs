// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Protocol.Synapses;

/// <summary>Per-synapse default timeouts (specs/protocol.md §3.7).</summary>
public static class SynapseTimeouts
{
    /// <summary>StoreChunk: 30 s.</summary>
    public static readonly TimeSpan StoreChunk = TimeSpan.FromSeconds(30);

    /// <summary>RetrieveChunk: 20 s.</summary>
    public static readonly TimeSpan RetrieveChunk = TimeSpan.FromSeconds(20);

    /// <summary>StorageChallenge: 6 s (scored against a 2 s soft deadline).</summary>
    public static readonly TimeSpan StorageChallenge = TimeSpan.FromSeconds(6);

    /// <summary>Inference: 12 s unless the model manifest says otherwise.</summary>
    public static readonly TimeSpan Inference = TimeSpan.FromSeconds(12);

    /// <summary>Health: 5 s.</summary>
    public static readonly TimeSpan Health = TimeSpan.FromSeconds(5);

    /// <summary>The default timeout of <paramref name="synapseName"/>; 12 s for a synapse §3.7 does not list.</summary>
    public static TimeSpan For(string synapseName) => synapseName switch
    {
        SynapseNames.StoreChunk => StoreChunk,
        SynapseNames.RetrieveChunk => RetrieveChunk,
        SynapseNames.StorageChallenge => StorageChallenge,
        SynapseNames.Inference => Inference,
        SynapseNames.Health => Health,
        _ => ProtocolConstants.DefaultTimeout,
    };
}
