// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Verification;

/// <summary>An <see cref="IMetagraphView"/> held in memory and set by hand: for tests, and for <c>bte axon serve</c> until the chain client serves the metagraph.</summary>
/// <remarks>Thread-safe: lookups and updates may run concurrently; a lookup sees each hotkey's latest complete entry.</remarks>
public sealed class MemoryMetagraphView : IMetagraphView
{
    private readonly ConcurrentDictionary<PublicKey, NeuronView> _neurons = new();

    /// <summary>Number of registered hotkeys.</summary>
    public int Count => _neurons.Count;

    /// <summary>Registers <paramref name="hotkey"/> or replaces its entry.</summary>
    public void Set(in PublicKey hotkey, bool validatorPermit, ulong stakeRao) =>
        _neurons[hotkey] = new NeuronView(validatorPermit, stakeRao);

    /// <summary>Deregisters <paramref name="hotkey"/>; <see langword="false"/> when it was not registered.</summary>
    public bool Remove(in PublicKey hotkey) => _neurons.TryRemove(hotkey, out _);

    /// <inheritdoc/>
    public bool TryGetNeuron(in PublicKey hotkey, [MaybeNullWhen(false)] out NeuronView neuron) =>
        _neurons.TryGetValue(hotkey, out neuron);
}
