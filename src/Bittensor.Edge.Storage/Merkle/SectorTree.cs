// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Storage.Interop;

namespace Bittensor.Edge.Storage.Merkle;

/// <summary>
/// The Merkle commitment of a sector (specs/storage-proofs.md §1–2): SHA-256 with domain prefixes,
/// <c>leaf_hash(i) = SHA-256(0x00 ‖ leaf i)</c>, <c>node(l, r) = SHA-256(0x01 ‖ l ‖ r)</c>, a binary tree of depth 10
/// over 1 024 leaves of 4 KiB, and the 64 level-4 nodes that every stored sector caches.
/// </summary>
/// <remarks>
/// <para>Stateless and thread-safe. Hashing is OpenSSL's SHA-256 (SHA-NI or the ARMv8 SHA2 instructions when the CPU has
/// them): called directly through <see cref="LibCrypto"/> where libcrypto loads, else through
/// <see cref="IncrementalHash"/> (<see cref="HashPath"/> says which); never NSec's SHA-256 for bulk data (§2).</para>
/// <para>There is no padding inside a sector: a sector is always exactly 4 MiB. Padding happens one level up, when an
/// object is cut into sectors (<see cref="Sectors.SectorSplitter"/>): its last sector is zero-filled.</para>
/// <para>Hot paths do not allocate: node inputs and group levels are stack scratch, and each thread reuses one
/// <see cref="IncrementalHash"/> (see <see cref="ThreadHash"/>).</para>
/// </remarks>
public static class SectorTree
{
    private static readonly byte[] s_leafPrefix = [StorageConstants.LeafPrefix];

    [ThreadStatic]
    private static IncrementalHash? s_threadHash;
    private const int NodeInputSize = 1 + (2 * StorageConstants.NodeSize);

    /// <summary>Writes <c>SHA-256(0x00 ‖ leaf)</c> to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="leaf"/> is not 4 096 bytes or <paramref name="destination"/> not 32.</exception>
    public static void HashLeaf(ReadOnlySpan<byte> leaf, Span<byte> destination)
    {
        if (leaf.Length != StorageConstants.LeafSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(leaf), StorageConstants.LeafSize, leaf.Length);
        }

        if (destination.Length != StorageConstants.NodeSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(destination), StorageConstants.NodeSize, destination.Length);
        }

        HashLeafCore(leaf, destination);
    }

    /// <summary>Writes <c>SHA-256(0x01 ‖ left ‖ right)</c> to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">Any argument is not 32 bytes.</exception>
    public static void HashNode(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        if (left.Length != StorageConstants.NodeSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(left), StorageConstants.NodeSize, left.Length);
        }

        if (right.Length != StorageConstants.NodeSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(right), StorageConstants.NodeSize, right.Length);
        }

        if (destination.Length != StorageConstants.NodeSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(destination), StorageConstants.NodeSize, destination.Length);
        }

        HashNodeCore(left, right, destination);
    }

    /// <summary>The root of a 4 MiB sector.</summary>
    /// <exception cref="ArgumentException"><paramref name="sector"/> is not exactly 4 194 304 bytes.</exception>
    public static Hash256 ComputeRoot(ReadOnlySpan<byte> sector)
    {
        Span<byte> level4 = stackalloc byte[StorageConstants.Level4Size];
        return ComputeRoot(sector, level4);
    }

    /// <summary>The root of a 4 MiB sector, also writing its 64 level-4 nodes (2 048 bytes) to <paramref name="level4"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="sector"/> is not 4 194 304 bytes or <paramref name="level4"/> not 2 048.</exception>
    public static Hash256 ComputeRoot(ReadOnlySpan<byte> sector, Span<byte> level4)
    {
        if (sector.Length != StorageConstants.SectorSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(sector), StorageConstants.SectorSize, sector.Length);
        }

        if (level4.Length != StorageConstants.Level4Size)
        {
            ThrowHelper.ThrowArgumentLength(nameof(level4), StorageConstants.Level4Size, level4.Length);
        }

        for (int group = 0; group < StorageConstants.GroupsPerSector; group++)
        {
            HashGroupCore(
                sector.Slice(group * StorageConstants.GroupSize, StorageConstants.GroupSize),
                level4.Slice(group * StorageConstants.NodeSize, StorageConstants.NodeSize),
                default);
        }

        return RootFromLevel4(level4);
    }

    /// <summary>
    /// The root of a 4 MiB sector, also writing levels 4 to 10 of its tree (127 nodes, 4 064 bytes, level 4 first, root
    /// last) to <paramref name="upper"/>: what a <see cref="Sectors.FileSectorStore"/> keeps per sector.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="sector"/> is not 4 194 304 bytes or <paramref name="upper"/> not 4 064.</exception>
    public static Hash256 ComputeUpperTree(ReadOnlySpan<byte> sector, Span<byte> upper)
    {
        if (sector.Length != StorageConstants.SectorSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(sector), StorageConstants.SectorSize, sector.Length);
        }

        if (upper.Length != UpperTreeSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(upper), UpperTreeSize, upper.Length);
        }

        for (int group = 0; group < StorageConstants.GroupsPerSector; group++)
        {
            HashGroupCore(
                sector.Slice(group * StorageConstants.GroupSize, StorageConstants.GroupSize),
                upper.Slice(group * StorageConstants.NodeSize, StorageConstants.NodeSize),
                default);
        }

        BuildUpperTreeCore(upper.Slice(0, StorageConstants.Level4Size), upper);
        return new Hash256(upper.Slice(UpperTreeSize - StorageConstants.NodeSize));
    }

    /// <summary>The root from the 64 level-4 nodes (63 node hashes).</summary>
    /// <exception cref="ArgumentException"><paramref name="level4"/> is not 2 048 bytes.</exception>
    public static Hash256 RootFromLevel4(ReadOnlySpan<byte> level4)
    {
        if (level4.Length != StorageConstants.Level4Size)
        {
            ThrowHelper.ThrowArgumentLength(nameof(level4), StorageConstants.Level4Size, level4.Length);
        }

        Span<byte> upper = stackalloc byte[UpperTreeSize];
        BuildUpperTreeCore(level4, upper);
        return new Hash256(upper.Slice(UpperTreeSize - StorageConstants.NodeSize));
    }

    /// <summary>Bytes of the tree above level 4 (<see cref="StorageConstants.UpperTreeSize"/>).</summary>
    internal const int UpperTreeSize = StorageConstants.UpperTreeSize;

    /// <summary>Levels 4..10 from the level-4 nodes, laid out level after level in <paramref name="upper"/>.</summary>
    internal static void BuildUpperTreeCore(ReadOnlySpan<byte> level4, Span<byte> upper)
    {
        level4.CopyTo(upper); // a no-op when level4 is already upper's first 2 048 bytes

        int readOffset = 0;
        int count = StorageConstants.GroupsPerSector;
        while (count > 1)
        {
            int writeOffset = readOffset + (count * StorageConstants.NodeSize);
            for (int i = 0; i < count / 2; i++)
            {
                int left = readOffset + (2 * i * StorageConstants.NodeSize);
                HashNodeCore(
                    upper.Slice(left, StorageConstants.NodeSize),
                    upper.Slice(left + StorageConstants.NodeSize, StorageConstants.NodeSize),
                    upper.Slice(writeOffset + (i * StorageConstants.NodeSize), StorageConstants.NodeSize));
            }

            readOffset = writeOffset;
            count /= 2;
        }
    }

    /// <summary>Offset in the upper-tree layout of node <paramref name="index"/> at <paramref name="level"/> (4..10).</summary>
    internal static int UpperNodeOffset(int level, int index)
    {
        int offset = 0;
        int count = StorageConstants.GroupsPerSector;
        for (int l = StorageConstants.CachedLevel; l < level; l++)
        {
            offset += count;
            count /= 2;
        }

        return (offset + index) * StorageConstants.NodeSize;
    }

    /// <summary>
    /// Hashes the 16 leaves of one 64 KiB group up to its level-4 node. When <paramref name="lowerPath"/> is not empty
    /// (4 × 32 bytes), also writes the siblings of leaf <paramref name="leafInGroup"/> at levels 0–3.
    /// </summary>
    internal static void HashGroupCore(ReadOnlySpan<byte> group, Span<byte> level4Node, Span<byte> lowerPath, int leafInGroup = 0)
    {
        // Levels 0..4 of one group: 16 + 8 + 4 + 2 + 1 = 31 nodes, under 1 KiB of stack.
        Span<byte> nodes = stackalloc byte[31 * StorageConstants.NodeSize];
        for (int i = 0; i < StorageConstants.LeavesPerGroup; i++)
        {
            HashLeafCore(
                group.Slice(i * StorageConstants.LeafSize, StorageConstants.LeafSize),
                nodes.Slice(i * StorageConstants.NodeSize, StorageConstants.NodeSize));
        }

        int readOffset = 0;
        int count = StorageConstants.LeavesPerGroup;
        int index = leafInGroup;
        int level = 0;
        while (count > 1)
        {
            if (!lowerPath.IsEmpty)
            {
                nodes.Slice(readOffset + ((index ^ 1) * StorageConstants.NodeSize), StorageConstants.NodeSize)
                    .CopyTo(lowerPath.Slice(level * StorageConstants.NodeSize, StorageConstants.NodeSize));
            }

            int writeOffset = readOffset + (count * StorageConstants.NodeSize);
            for (int i = 0; i < count / 2; i++)
            {
                int left = readOffset + (2 * i * StorageConstants.NodeSize);
                HashNodeCore(
                    nodes.Slice(left, StorageConstants.NodeSize),
                    nodes.Slice(left + StorageConstants.NodeSize, StorageConstants.NodeSize),
                    nodes.Slice(writeOffset + (i * StorageConstants.NodeSize), StorageConstants.NodeSize));
            }

            readOffset = writeOffset;
            count /= 2;
            index >>= 1;
            level++;
        }

        nodes.Slice(readOffset, StorageConstants.NodeSize).CopyTo(level4Node);
    }

    /// <summary>
    /// Which SHA-256 call path hashes leaves and nodes in this process: OpenSSL's <c>SHA256_Update</c> called directly
    /// (see <see cref="LibCrypto"/>) or, where that is unavailable, <see cref="IncrementalHash"/>. Both compute the same
    /// bytes; the first skips the EVP layer's per-call cost.
    /// </summary>
    public static string HashPath => LibCrypto.IsAvailable ? $"OpenSSL SHA256_Update ({LibCrypto.Library}, direct)" : "IncrementalHash (System.Security.Cryptography)";

    internal static void HashLeafCore(ReadOnlySpan<byte> leaf, Span<byte> destination)
    {
        if (LibCrypto.IsAvailable)
        {
            LibCrypto.HashPrefixed(StorageConstants.LeafPrefix, leaf, destination);
            return;
        }

        // The prefix and the leaf go in as two appends, so the leaf is never copied.
        IncrementalHash sha = ThreadHash;
        sha.AppendData(s_leafPrefix);
        sha.AppendData(leaf);
        sha.GetHashAndReset(destination);
    }

    internal static void HashNodeCore(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        if (LibCrypto.IsAvailable)
        {
            LibCrypto.HashPair(StorageConstants.NodePrefix, left, right, destination);
            return;
        }

        Span<byte> input = stackalloc byte[NodeInputSize];
        input[0] = StorageConstants.NodePrefix;
        left.CopyTo(input.Slice(1));
        right.CopyTo(input.Slice(1 + StorageConstants.NodeSize));
        IncrementalHash sha = ThreadHash;
        sha.AppendData(input);
        sha.GetHashAndReset(destination);
    }

    /// <summary>
    /// One reusable SHA-256 context per thread. <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> sets up and
    /// frees an OpenSSL 3 context on every call, which costs more than hashing the 65-byte input of a node; a reused
    /// context halves the cost of a node hash (about 1.1 µs to 0.55 µs measured on the 2-core x64 dev box).
    /// </summary>
    private static IncrementalHash ThreadHash => s_threadHash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
}
