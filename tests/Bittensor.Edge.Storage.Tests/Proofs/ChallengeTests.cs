// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Storage.Proofs;

namespace Bittensor.Edge.Storage.Tests.Proofs;

public sealed class ChallengeTests
{
    private static readonly Hash256 s_block = new(Enumerable.Repeat((byte)0xB1, 32).ToArray());
    private static readonly Hash256 s_nonce = new(Enumerable.Repeat((byte)0x5E, 32).ToArray());
    private static readonly PublicKey s_minerA = new(Enumerable.Repeat((byte)0xA0, 32).ToArray());
    private static readonly PublicKey s_minerB = new(Enumerable.Repeat((byte)0xB0, 32).ToArray());

    private static Hash256[] Roots(int count) =>
        Enumerable.Range(0, count).Select(i => Sha256.Hash(BitConverter.GetBytes(i))).ToArray();

    [Fact]
    public void Seed_is_sha256_of_the_tag_block_hash_nonce_and_hotkey()
    {
        byte[] expected = SHA256.HashData([.. Encoding.ASCII.GetBytes("bte/challenge/v1"), .. s_block.Bytes, .. s_nonce.Bytes, .. s_minerA.Bytes]);
        Assert.Equal(new Hash256(expected), Challenge.DeriveSeed(s_block, s_nonce, s_minerA));
    }

    [Fact]
    public void Seed_changes_with_the_block_the_nonce_and_the_miner()
    {
        Hash256 seed = Challenge.DeriveSeed(s_block, s_nonce, s_minerA);
        Assert.NotEqual(seed, Challenge.DeriveSeed(Sha256.Hash([1]), s_nonce, s_minerA));
        Assert.NotEqual(seed, Challenge.DeriveSeed(s_block, Sha256.Hash([2]), s_minerA));
        Assert.NotEqual(seed, Challenge.DeriveSeed(s_block, s_nonce, s_minerB));
        Assert.Equal(seed, Challenge.DeriveSeed(s_block, s_nonce, s_minerA));
    }

    [Fact]
    public void First_item_follows_the_formula_of_the_spec()
    {
        Hash256 seed = Challenge.DeriveSeed(s_block, s_nonce, s_minerA);
        Hash256[] roots = Roots(3);
        SectorLeaf[] items = Challenge.DeriveItems(seed, roots, 32);

        // i = 0, j = 0; N = 3072 is not a power of two, and a first draw above ⌊2⁶⁴/N⌋·N has odds ~2⁻⁵², so j = 0 stands.
        byte[] digest = SHA256.HashData([.. seed.Bytes, 0, 0, 0, 0, 0, 0, 0, 0]);
        ulong r = BinaryPrimitives.ReadUInt64LittleEndian(digest);
        ulong g = r % 3072;
        Assert.Equal(new SectorLeaf(roots[g / 1024], (int)(g % 1024)), items[0]);
    }

    [Fact]
    public void Items_are_deterministic_in_range_and_spread_over_every_sector()
    {
        Hash256 seed = Challenge.DeriveSeed(s_block, s_nonce, s_minerA);
        Hash256[] roots = Roots(3);
        SectorLeaf[] items = Challenge.DeriveItems(seed, roots, 64);
        Assert.Equal(items, Challenge.DeriveItems(seed, roots, 64));
        Assert.Equal(64, items.Length);
        Assert.All(items, item => Assert.True(item.IsLeafInRange));
        Assert.Equal(roots.ToHashSet(), items.Select(i => i.Root).ToHashSet());
        Assert.Equal(items.AsSpan(0, 32).ToArray(), Challenge.DeriveItems(seed, roots, 32));
    }

    [Fact]
    public void Different_miners_get_different_items()
    {
        Hash256[] roots = Roots(4);
        SectorLeaf[] a = Challenge.DeriveItems(Challenge.DeriveSeed(s_block, s_nonce, s_minerA), roots, 32);
        SectorLeaf[] b = Challenge.DeriveItems(Challenge.DeriveSeed(s_block, s_nonce, s_minerB), roots, 32);
        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    [InlineData(-1)]
    public void K_outside_1_to_64_is_an_argument_error(int k)
    {
        Hash256 seed = Challenge.DeriveSeed(s_block, s_nonce, s_minerA);
        Assert.Throws<ArgumentOutOfRangeException>(() => Challenge.DeriveItems(seed, Roots(1), k));
    }

    [Fact]
    public void No_sectors_is_an_argument_error()
    {
        Hash256 seed = Challenge.DeriveSeed(s_block, s_nonce, s_minerA);
        Assert.Throws<ArgumentOutOfRangeException>(() => Challenge.DeriveItems(seed, [], 32));
    }

    [Fact]
    public void Sectors_sort_by_stored_block_then_root()
    {
        Hash256[] roots = Roots(3).Order().ToArray();
        (ulong, Hash256)[] sectors = [(7, roots[2]), (5, roots[1]), (7, roots[0]), (5, roots[0])];
        Challenge.SortSectors(sectors);
        Assert.Equal([(5UL, roots[0]), (5UL, roots[1]), (7UL, roots[0]), (7UL, roots[2])], sectors);
    }
}
