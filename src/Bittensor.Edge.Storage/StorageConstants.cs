// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Storage;

/// <summary>Sizes and limits of the storage market (specs/storage-proofs.md §1, §4, §5).</summary>
public static class StorageConstants
{
    /// <summary>Bytes in a sector: 4 194 304 (4 MiB), on the wire and on disk.</summary>
    public const int SectorSize = 4 * 1024 * 1024;

    /// <summary>Bytes in a leaf: 4 096.</summary>
    public const int LeafSize = 4096;

    /// <summary>Leaves in a sector: 1 024.</summary>
    public const int LeavesPerSector = SectorSize / LeafSize;

    /// <summary>Depth of the binary tree over a sector's leaves (log2 of 1 024).</summary>
    public const int TreeDepth = 10;

    /// <summary>Bytes in a tree node or root.</summary>
    public const int NodeSize = 32;

    /// <summary>The tree level whose nodes every stored sector caches (§1, "Level-4 cache").</summary>
    public const int CachedLevel = 4;

    /// <summary>Leaves under one level-4 node: 16, i.e. 64 KiB, the span one prover read covers.</summary>
    public const int LeavesPerGroup = 1 << CachedLevel;

    /// <summary>Bytes under one level-4 node: 65 536.</summary>
    public const int GroupSize = LeavesPerGroup * LeafSize;

    /// <summary>Level-4 nodes per sector: 64.</summary>
    public const int GroupsPerSector = LeavesPerSector / LeavesPerGroup;

    /// <summary>Bytes of a sector's level-4 cache: 64 × 32 = 2 048.</summary>
    public const int Level4Size = GroupsPerSector * NodeSize;

    /// <summary>
    /// Bytes of a sector's upper tree: levels 4 to 10 stored level after level (64 + 32 + 16 + 8 + 4 + 2 + 1 = 127 nodes,
    /// 4 064 bytes); the first 2 048 bytes are the level-4 cache and the last 32 the root.
    /// </summary>
    public const int UpperTreeSize = 127 * NodeSize;

    /// <summary>Bytes in a Merkle path: 10 sibling hashes, level 0 first (320).</summary>
    public const int PathSize = TreeDepth * NodeSize;

    /// <summary>Default leaves per challenge, k.</summary>
    public const int DefaultChallengeItems = 32;

    /// <summary>Most leaves in one challenge (used after a forged proof).</summary>
    public const int MaxChallengeItems = 64;

    /// <summary>Blocks a stored sector lives: 50 400 (7 days at 12 s).</summary>
    public const ulong SectorLifetimeBlocks = 50_400;

    /// <summary>Size of one write while storing a sector (§8 step 2).</summary>
    public const int WriteChunkSize = 1024 * 1024;

    /// <summary>Domain prefix of a leaf hash.</summary>
    public const byte LeafPrefix = 0x00;

    /// <summary>Domain prefix of an inner-node hash.</summary>
    public const byte NodePrefix = 0x01;
}
