// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Storage.Merkle;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Bittensor.Edge.Storage.Tests.Merkle;

public sealed class SectorTreeTests
{
    [Fact]
    public void Root_matches_a_literal_reading_of_the_spec()
    {
        byte[] sector = TestSectors.Create(1);
        Assert.Equal(TestSectors.ReferenceRoot(sector), SectorTree.ComputeRoot(sector));
    }

    [Fact]
    public void Root_of_the_zero_sector_is_pinned()
    {
        // Computed once by the naive reference; pins the prefixes and the leaf size against silent changes.
        byte[] zero = new byte[StorageConstants.SectorSize];
        Hash256 root = SectorTree.ComputeRoot(zero);
        Assert.Equal(TestSectors.ReferenceRoot(zero), root);

        byte[] leaf = SHA256.HashData(new byte[4097]);
        byte[] node = leaf;
        for (int level = 0; level < 10; level++)
        {
            node = SHA256.HashData([0x01, .. node, .. node]);
        }

        Assert.Equal(new Hash256(node), root);
    }

    [Fact]
    public void Level4_cache_holds_the_64_nodes_that_cover_16_leaves_each()
    {
        byte[] sector = TestSectors.Create(2);
        byte[] level4 = new byte[StorageConstants.Level4Size];
        Hash256 root = SectorTree.ComputeRoot(sector, level4);

        List<byte[]>[] levels = TestSectors.ReferenceLevels(sector);
        Assert.Equal(64, levels[4].Count);
        for (int i = 0; i < 64; i++)
        {
            Assert.True(levels[4][i].AsSpan().SequenceEqual(level4.AsSpan(i * 32, 32)), $"level-4 node {i}");
        }

        Assert.Equal(root, SectorTree.RootFromLevel4(level4));
    }

    [Fact]
    public void Leaf_and_node_hashes_are_domain_separated()
    {
        // A 64-byte leaf-like input hashed as a node carries 0x01, as a leaf 0x00: a leaf never passes as a node.
        byte[] leaf = new byte[StorageConstants.LeafSize];
        byte[] asLeaf = new byte[32];
        SectorTree.HashLeaf(leaf, asLeaf);
        Assert.Equal(SHA256.HashData([0x00, .. leaf]), asLeaf);

        byte[] left = new byte[32];
        byte[] right = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        byte[] asNode = new byte[32];
        SectorTree.HashNode(left, right, asNode);
        Assert.Equal(SHA256.HashData([0x01, .. left, .. right]), asNode);
        Assert.NotEqual(SHA256.HashData([0x00, .. left, .. right]), asNode);
        Assert.NotEqual(SHA256.HashData([.. left, .. right]), asNode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(StorageConstants.SectorSize - 1)]
    [InlineData(StorageConstants.SectorSize + 1)]
    public void Sector_of_the_wrong_size_is_an_argument_error(int length)
    {
        byte[] data = new byte[length];
        Assert.Throws<ArgumentException>(() => SectorTree.ComputeRoot(data));
    }

    [Property(MaxTest = 20)]
    public Property Changing_any_byte_changes_the_root(PositiveInt offset, byte mask)
    {
        byte[] sector = TestSectors.Create(3);
        Hash256 before = SectorTree.ComputeRoot(sector);
        int at = offset.Get % StorageConstants.SectorSize;
        byte flip = mask == 0 ? (byte)1 : mask;
        sector[at] ^= flip;
        return (SectorTree.ComputeRoot(sector) != before).Label($"byte {at} ^ {flip}");
    }
}
