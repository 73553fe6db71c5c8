// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Verification;

/// <summary>The outcome of <see cref="Blacklist.Check"/>.</summary>
public enum BlacklistVerdict
{
    /// <summary>The caller may proceed.</summary>
    Allowed,

    /// <summary>The hotkey is not registered (403).</summary>
    Unregistered,

    /// <summary>A data synapse from a hotkey without a validator permit (403).</summary>
    NoValidatorPermit,

    /// <summary>A data synapse from a hotkey whose stake is under the minimum (403).</summary>
    InsufficientStake,
}

/// <summary>
/// The blacklist step (specs/protocol.md §3.3 step 3), from headers only: every caller must be registered, and a data
/// synapse (everything except Health) also needs a validator permit and at least <see cref="MinStakeRao"/>.
/// </summary>
/// <remarks>Thread-safe when its <see cref="IMetagraphView"/> is.</remarks>
public sealed class Blacklist
{
    private readonly IMetagraphView _metagraph;

    /// <summary>A blacklist over <paramref name="metagraph"/>.</summary>
    /// <param name="metagraph">The cached metagraph.</param>
    /// <param name="minStakeRao">Least stake a data-synapse caller needs (setting, default 0).</param>
    public Blacklist(IMetagraphView metagraph, ulong minStakeRao = 0)
    {
        ArgumentNullException.ThrowIfNull(metagraph);
        _metagraph = metagraph;
        MinStakeRao = minStakeRao;
    }

    /// <summary>Least stake, in rao, a data-synapse caller needs.</summary>
    public ulong MinStakeRao { get; }

    /// <summary>Checks <paramref name="hotkey"/> calling <paramref name="synapseName"/>; <paramref name="neuron"/> is its entry when registered.</summary>
    public BlacklistVerdict Check(in PublicKey hotkey, string synapseName, out NeuronView? neuron)
    {
        if (!_metagraph.TryGetNeuron(hotkey, out neuron))
        {
            return BlacklistVerdict.Unregistered;
        }

        if (!Synapses.SynapseNames.IsDataSynapse(synapseName))
        {
            return BlacklistVerdict.Allowed;
        }

        if (!neuron.ValidatorPermit)
        {
            return BlacklistVerdict.NoValidatorPermit;
        }

        return neuron.StakeRao >= MinStakeRao ? BlacklistVerdict.Allowed : BlacklistVerdict.InsufficientStake;
    }
}
