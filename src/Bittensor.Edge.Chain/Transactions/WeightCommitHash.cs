// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Transactions;

/// <summary>The weight commit of specs/protocol.md §2.5.7.</summary>
public static class WeightCommitHash
{
    /// <summary>
    /// <c>H("bte/commit/v1" ‖ hotkey ‖ u16 netuid ‖ Vec&lt;u16&gt; uids ‖ Vec&lt;u16&gt; values ‖ [32] salt ‖ u64 version_key)</c>,
    /// with <paramref name="values"/> as submitted (before max-upscaling).
    /// </summary>
    public static Hash256 Compute(in PublicKey hotkey, Netuid netuid, ReadOnlySpan<ushort> uids, ReadOnlySpan<ushort> values, in Hash256 salt, ulong versionKey)
    {
        IncrementalBlake2b256 hash = IncrementalBlake2b256.Create();
        Span<byte> scratch = stackalloc byte[8];
        hash.Append(ChainConstants.CommitTag);
        hash.Append(hotkey.Bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(scratch, netuid.Value);
        hash.Append(scratch[..2]);
        AppendVec(ref hash, uids, scratch);
        AppendVec(ref hash, values, scratch);
        hash.Append(salt.Bytes);
        BinaryPrimitives.WriteUInt64LittleEndian(scratch, versionKey);
        hash.Append(scratch);
        return hash.Finish();
    }

    private static void AppendVec(ref IncrementalBlake2b256 hash, ReadOnlySpan<ushort> values, scoped Span<byte> scratch)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(scratch, (uint)values.Length);
        hash.Append(scratch[..4]);
        foreach (ushort value in values)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(scratch, value);
            hash.Append(scratch[..2]);
        }
    }
}
