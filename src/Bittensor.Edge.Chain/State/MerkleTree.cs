// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.State;

/// <summary>
/// The chain Merkle tree of specs/protocol.md §1: leaves are <c>H(0x00 ‖ leaf)</c>, nodes <c>H(0x01 ‖ l ‖ r)</c>,
/// an odd last node moves up unchanged, and an empty tree's root is 32 zero bytes.
/// </summary>
public static class MerkleTree
{
    /// <summary><c>H(0x00 ‖ leaf)</c>.</summary>
    public static Hash256 HashLeaf(ReadOnlySpan<byte> leaf)
    {
        IncrementalBlake2b256 hash = IncrementalBlake2b256.Create();
        hash.Append([0x00]);
        hash.Append(leaf);
        return hash.Finish();
    }

    /// <summary>The leaf hash of a state entry: <c>H(0x00 ‖ u32 len ‖ key ‖ u32 len ‖ value)</c> (§2.2).</summary>
    public static Hash256 HashStateEntry(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        IncrementalBlake2b256 hash = IncrementalBlake2b256.Create();
        Span<byte> length = stackalloc byte[4];
        hash.Append([0x00]);
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)key.Length);
        hash.Append(length);
        hash.Append(key);
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)value.Length);
        hash.Append(length);
        hash.Append(value);
        return hash.Finish();
    }

    /// <summary>The root over leaf hashes already in tree order.</summary>
    public static Hash256 ComputeRoot(ReadOnlySpan<Hash256> leafHashes)
    {
        if (leafHashes.IsEmpty)
        {
            return Hash256.Zero;
        }

        Hash256[] level = leafHashes.ToArray();
        int count = level.Length;
        Span<byte> node = stackalloc byte[1 + (2 * Hash256.Size)];
        node[0] = 0x01;
        while (count > 1)
        {
            int next = 0;
            for (int i = 0; i + 1 < count; i += 2)
            {
                level[i].CopyTo(node[1..]);
                level[i + 1].CopyTo(node[(1 + Hash256.Size)..]);
                level[next++] = Blake2b.Hash256(node);
            }

            if ((count & 1) == 1)
            {
                level[next++] = level[count - 1];
            }

            count = next;
        }

        return level[0];
    }
}
