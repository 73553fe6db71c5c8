// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Node;

/// <summary>Where a submitted transaction stands (<c>author_extrinsicStatus</c>, specs/protocol.md §2.8).</summary>
public enum TransactionState
{
    /// <summary>In the pool, waiting for a block.</summary>
    Pending = 0,

    /// <summary>In a block; its dispatch result is <see cref="TransactionStatus.Error"/>.</summary>
    Included,

    /// <summary>Left the pool without being included (stale nonce, expired, or refused by block assembly).</summary>
    Dropped,
}

/// <summary>The status of one transaction this node has seen.</summary>
/// <param name="State">Pending, included or dropped.</param>
/// <param name="BlockNumber">The including block (when included).</param>
/// <param name="BlockHash">The including block's hash (when included).</param>
/// <param name="Index">The transaction's index in the block (when included).</param>
/// <param name="Error">The dispatch result (when included); <see cref="DispatchError.None"/> means the call succeeded.</param>
public readonly record struct TransactionStatus(TransactionState State, ulong BlockNumber, Hash256 BlockHash, int Index, DispatchError Error)
{
    /// <summary>A transaction waiting in the pool.</summary>
    public static TransactionStatus Pending => default;

    /// <summary>A transaction that left the pool without a block.</summary>
    public static TransactionStatus Dropped => new(TransactionState.Dropped, 0, default, 0, DispatchError.None);

    /// <summary>Included and the call succeeded.</summary>
    public bool IsOk => State == TransactionState.Included && Error == DispatchError.None;
}
