// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Immutable;
using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Blocks;

/// <summary>A block: its header and its transactions in execution order. Immutable and thread-safe.</summary>
/// <param name="Header">The signed header.</param>
/// <param name="Extrinsics">The transactions.</param>
public sealed record Block(BlockHeader Header, ImmutableArray<Extrinsic> Extrinsics)
{
    /// <summary>The block hash.</summary>
    public Hash256 Hash => Header.Hash;

    /// <summary>The Merkle root of the transaction hashes (§2.2).</summary>
    public static Hash256 ComputeExtrinsicsRoot(ReadOnlySpan<Extrinsic> extrinsics)
    {
        Hash256[] leaves = new Hash256[extrinsics.Length];
        for (int i = 0; i < leaves.Length; i++)
        {
            leaves[i] = MerkleTree.HashLeaf(extrinsics[i].Hash.Bytes);
        }

        return MerkleTree.ComputeRoot(leaves);
    }
}

/// <summary>What a block did, for <c>chain_getBlock</c>: per transaction its hash and outcome, and the epochs that ran.</summary>
/// <param name="Block">The block.</param>
/// <param name="Outcomes">One outcome per transaction, in order (all <see cref="TransactionValidity.Valid"/>).</param>
/// <param name="Epochs">The netuids whose epoch ran in the block.</param>
public sealed record BlockReceipt(Block Block, ImmutableArray<ApplyOutcome> Outcomes, ImmutableArray<Netuid> Epochs);
