// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Serialization;

namespace Bittensor.Edge.Chain.Blocks;

/// <summary>
/// A block: its header and its transactions in execution order. Encoded as the 209-byte header followed by
/// <c>Vec&lt;bytes&gt;</c> of the extrinsic encodings (how followers fetch blocks and how a store keeps them).
/// Immutable and thread-safe.
/// </summary>
/// <param name="Header">The signed header.</param>
/// <param name="Extrinsics">The transactions.</param>
public sealed record Block(BlockHeader Header, ImmutableArray<Extrinsic> Extrinsics)
{
    /// <summary>The block hash.</summary>
    public Hash256 Hash => Header.Hash;

    /// <summary>The encoding: header ‖ Vec&lt;bytes&gt; extrinsics.</summary>
    public byte[] Encode()
    {
        using PooledBufferWriter buffer = new(BlockHeader.Size + 4 + (Extrinsics.Length * 200));
        SpanWriter writer = new(buffer);
        writer.WriteFixed(Header.Encode());
        writer.WriteCount(Extrinsics.Length);
        foreach (Extrinsic extrinsic in Extrinsics)
        {
            writer.WriteBytes(extrinsic.Encoded);
        }

        return buffer.ToArray();
    }

    /// <summary>Decodes untrusted bytes within the block limits of §2.2; never throws for bad input.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out Block? block, [NotNullWhen(false)] out string? error)
    {
        block = null;
        if (data.Length < BlockHeader.Size + 4 || data.Length > BlockHeader.Size + 4 + ChainConstants.MaxBlockBytes + (4 * ChainConstants.MaxBlockTransactions))
        {
            error = $"A block of {data.Length} bytes is outside the size limits.";
            return false;
        }

        if (!BlockHeader.TryDecode(data[..BlockHeader.Size], out BlockHeader? header))
        {
            error = "The block header is malformed.";
            return false;
        }

        try
        {
            SpanReader reader = new(data[BlockHeader.Size..]);
            int count = reader.ReadCount(4, ChainConstants.MaxBlockTransactions);
            ImmutableArray<Extrinsic>.Builder extrinsics = ImmutableArray.CreateBuilder<Extrinsic>(count);
            for (int i = 0; i < count; i++)
            {
                if (!Extrinsic.TryDecode(reader.ReadBytes(ChainConstants.MaxExtrinsicBytes), out Extrinsic? extrinsic, out string? inner))
                {
                    error = $"Extrinsic {i}: {inner}";
                    return false;
                }

                extrinsics.Add(extrinsic);
            }

            reader.EnsureEnd();
            block = new Block(header, extrinsics.MoveToImmutable());
            error = null;
            return true;
        }
        catch (EncodingException e)
        {
            error = e.Message;
            return false;
        }
    }

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
