// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.State;

/// <summary>Reads state entries by key (StateKeys.cs).</summary>
public interface IStateReader
{
    /// <summary>The value under <paramref name="key"/>; <see langword="false"/> when absent.</summary>
    bool TryGet(byte[] key, [NotNullWhen(true)] out byte[]? value);
}

/// <summary>
/// The committed chain state as a key → value map: the persistence seam. The in-memory
/// <see cref="MemoryStateStore"/> is the reference; a LiteDB store implements the same contract by writing each
/// <see cref="Apply"/> in one LiteDB transaction and reloading every entry at start-up, so that a restarted node
/// computes exactly the same <see cref="ComputeStateRoot"/>.
/// </summary>
/// <remarks>
/// Single writer: the node applies blocks one at a time. Readers running beside the writer (RPC) must take the
/// node's lock; implementations are not required to be thread-safe. Callers never mutate arrays they pass in or
/// get back.
/// </remarks>
public interface IStateStore : IStateReader
{
    /// <summary>Entries in the store.</summary>
    int Count { get; }

    /// <summary>
    /// Applies a block's write set atomically: a <see langword="null"/> value deletes its key (absent keys are
    /// ignored). Either every change is applied or, if this throws, none is.
    /// </summary>
    void Apply(IEnumerable<KeyValuePair<byte[], byte[]?>> writeSet);

    /// <summary>The Merkle root over every entry sorted by key bytes (specs/protocol.md §2.2).</summary>
    Hash256 ComputeStateRoot();

    /// <summary>Every entry, sorted by key bytes.</summary>
    IEnumerable<KeyValuePair<byte[], byte[]>> EnumerateSorted();
}
