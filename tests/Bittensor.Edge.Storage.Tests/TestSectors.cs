// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Storage.Tests;

/// <summary>Seeded sector data and an independent, naive Merkle reference to check the fast code against.</summary>
internal static class TestSectors
{
    public static byte[] Create(int seed)
    {
        byte[] sector = new byte[StorageConstants.SectorSize];
        new Random(seed).NextBytes(sector);
        return sector;
    }

    /// <summary>storage-proofs.md §1 written as literally as possible: every level as a list of byte arrays.</summary>
    public static List<byte[]>[] ReferenceLevels(byte[] sector)
    {
        List<byte[]>[] levels = new List<byte[]>[StorageConstants.TreeDepth + 1];
        levels[0] = [];
        for (int i = 0; i < StorageConstants.LeavesPerSector; i++)
        {
            levels[0].Add(SHA256.HashData([0x00, .. sector.AsSpan(i * 4096, 4096)]));
        }

        for (int level = 1; level <= StorageConstants.TreeDepth; level++)
        {
            levels[level] = [];
            for (int i = 0; i < levels[level - 1].Count; i += 2)
            {
                levels[level].Add(SHA256.HashData([0x01, .. levels[level - 1][i], .. levels[level - 1][i + 1]]));
            }
        }

        return levels;
    }

    public static Hash256 ReferenceRoot(byte[] sector) => new(ReferenceLevels(sector)[StorageConstants.TreeDepth][0]);

    /// <summary>A proof built from the reference levels: what an honest miner holding <paramref name="sector"/> sends.</summary>
    public static (byte[] Data, byte[] Path) ReferenceProof(byte[] sector, int leaf)
    {
        List<byte[]>[] levels = ReferenceLevels(sector);
        byte[] path = new byte[StorageConstants.PathSize];
        int index = leaf;
        for (int level = 0; level < StorageConstants.TreeDepth; level++)
        {
            levels[level][index ^ 1].CopyTo(path, level * 32);
            index >>= 1;
        }

        return (sector.AsSpan(leaf * 4096, 4096).ToArray(), path);
    }
}
