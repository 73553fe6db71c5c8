// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Verification;

/// <summary>
/// What the axon's blacklist and queue need to know about a caller, from the cached metagraph (specs/protocol.md §3.3
/// step 3): whether its hotkey is registered on the subnet, whether it holds a validator permit, and its stake.
/// </summary>
/// <remarks>
/// Implementations must be safe to call from many threads at once and must not block on I/O: the axon asks on every
/// request, from headers only. The chain implements it over its cached metagraph; <see cref="MemoryMetagraphView"/>
/// serves tests and <c>bte axon serve</c> until then.
/// </remarks>
public interface IMetagraphView
{
    /// <summary>Looks up a hotkey; <see langword="false"/> when it is not registered on the subnet.</summary>
    bool TryGetNeuron(in PublicKey hotkey, [MaybeNullWhen(false)] out NeuronView neuron);
}

/// <summary>One registered hotkey as the axon sees it.</summary>
/// <param name="ValidatorPermit">Whether the hotkey holds a validator permit.</param>
/// <param name="StakeRao">The hotkey's stake in rao (1 TAO = 10⁹ rao).</param>
public sealed record NeuronView(bool ValidatorPermit, ulong StakeRao);
