// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.State;

namespace Bittensor.Edge.Chain.Persistence;

/// <summary>
/// A state store that also keeps the blocks durably. <see cref="Blockchain"/> recognises it: after a block's write set
/// has been applied to the in-memory view (<see cref="IStateStore.Apply"/>) and the block built over the resulting
/// state root, it hands the block and the write set to <see cref="CommitBlock"/>, and only then makes the block visible.
/// </summary>
/// <remarks>
/// <para>
/// On an <see cref="IChainStore"/>, <see cref="IStateStore.Apply"/> changes only the in-memory view; nothing is durable
/// until <see cref="CommitBlock"/> returns. If <see cref="CommitBlock"/> throws, <see cref="Blockchain"/> reverts the
/// in-memory view, so memory and disk agree again.
/// </para>
/// <para>Single writer, like <see cref="IStateStore"/>: the node commits under its chain lock.</para>
/// </remarks>
public interface IChainStore : IStateStore
{
    /// <summary>
    /// Makes <paramref name="receipt"/> and the state changes <paramref name="writeSet"/> (a <see langword="null"/> value
    /// deletes its key) durable in one transaction: after a crash at any moment either both are there or neither is.
    /// </summary>
    void CommitBlock(BlockReceipt receipt, IReadOnlyDictionary<byte[], byte[]?> writeSet);
}
