// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Core.Crypto;
using FsCheck.Xunit;

namespace Bittensor.Edge.Chain.Tests.State;

public sealed class StateStoreTests
{
    private static Hash256 Node(Hash256 l, Hash256 r) => Blake2b.Hash256([0x01, .. l.Bytes, .. r.Bytes]);

    [Fact]
    public void An_empty_tree_has_a_zero_root()
    {
        Assert.Equal(Hash256.Zero, MerkleTree.ComputeRoot([]));
        Assert.Equal(Hash256.Zero, new MemoryStateStore().ComputeStateRoot());
    }

    [Fact]
    public void Leaves_and_nodes_are_domain_separated_and_an_odd_last_node_moves_up()
    {
        Hash256 a = MerkleTree.HashLeaf("a"u8);
        Hash256 b = MerkleTree.HashLeaf("b"u8);
        Hash256 c = MerkleTree.HashLeaf("c"u8);

        Assert.Equal(Blake2b.Hash256([0x00, .. "a"u8]), a);
        Assert.Equal(a, MerkleTree.ComputeRoot([a]));
        Assert.Equal(Node(a, b), MerkleTree.ComputeRoot([a, b]));
        Assert.Equal(Node(Node(a, b), c), MerkleTree.ComputeRoot([a, b, c]));
    }

    [Fact]
    public void A_state_leaf_is_the_length_prefixed_key_and_value()
    {
        Hash256 leaf = MerkleTree.HashStateEntry([1, 2], [3]);

        Assert.Equal(Blake2b.Hash256([0x00, 2, 0, 0, 0, 1, 2, 1, 0, 0, 0, 3]), leaf);
    }

    [Property(MaxTest = 50)]
    public void The_state_root_depends_on_the_entries_not_on_the_order_they_were_written(byte[][] keys)
    {
        List<byte[]> distinct = (keys ?? []).Where(k => k is not null).DistinctBy(Convert.ToHexString).ToList();
        MemoryStateStore forward = new();
        MemoryStateStore backward = new();
        forward.Apply(distinct.Select(k => new KeyValuePair<byte[], byte[]?>(k, [.. k, 7])));
        backward.Apply(Enumerable.Reverse(distinct).Select(k => new KeyValuePair<byte[], byte[]?>(k, [.. k, 7])));

        Assert.Equal(forward.ComputeStateRoot(), backward.ComputeStateRoot());
        List<Hash256> leaves = distinct.OrderBy(k => k, Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y)))
            .Select(k => MerkleTree.HashStateEntry(k, [.. k, 7])).ToList();
        Assert.Equal(MerkleTree.ComputeRoot([.. leaves]), forward.ComputeStateRoot());
    }

    [Fact]
    public void Updating_and_deleting_entries_keeps_the_root_consistent_with_a_fresh_store()
    {
        MemoryStateStore store = new();
        store.Apply([new([1], [1]), new([2], [2]), new([3], [3])]);
        _ = store.ComputeStateRoot();
        store.Apply([new([2], [9]), new([3], null), new([4], [4])]);

        MemoryStateStore fresh = new();
        fresh.Apply([new([1], [1]), new([2], [9]), new([4], [4])]);
        Assert.Equal(fresh.ComputeStateRoot(), store.ComputeStateRoot());
    }

    [Fact]
    public void A_transaction_overlay_is_invisible_until_committed()
    {
        MemoryStateStore store = new();
        store.Apply([new([1], [1])]);
        StateOverlay block = new(store);
        StateOverlay transaction = new(block);
        transaction.Set([1], [5]);
        transaction.Delete([1]);
        transaction.Set([2], [2]);

        Assert.True(block.TryGet([1], out byte[]? one));
        Assert.Equal([1], one);
        Assert.False(block.TryGet([2], out _));
        transaction.CommitTo(block);
        Assert.False(block.TryGet([1], out _));
        Assert.True(block.TryGet([2], out _));
        Assert.True(store.TryGet([1], out _));
    }

    [Fact]
    public void Writing_a_default_deletes_the_key_so_equal_states_have_equal_roots()
    {
        TestChain t = new();
        Hash256 before = t.Store.ComputeStateRoot();
        StateOverlay overlay = new(t.Store);
        ChainState state = new(overlay);
        state.IncreaseStake(TestKeys.Alice.PublicKey, TestKeys.OwnerHotkey.PublicKey, TestChain.Subnet1, new Rao(5));
        Assert.True(state.TryDecreaseStake(TestKeys.Alice.PublicKey, TestKeys.OwnerHotkey.PublicKey, TestChain.Subnet1, new Rao(5)));

        Assert.Equal(before, StateAssert.RootWith(t.Store, overlay));
    }

    [Fact]
    public void Keys_follow_the_documented_layout()
    {
        Assert.Equal([0x00, 0x00], StateKeys.TotalIssuance());
        Assert.Equal([0x03, 0x01, 0x02], StateKeys.Subnet(new Netuid(0x0102)));
        Assert.Equal([0x05, 0x00, 0x01, 0x00, 0x07], StateKeys.Neuron(new Netuid(1), new Uid(7)));
        byte[] stake = StateKeys.Stake(TestKeys.Alice.PublicKey, TestKeys.Bob.PublicKey, new Netuid(1));
        Assert.Equal(67, stake.Length);
        Assert.Equal(0x08, stake[0]);
        Assert.Equal(TestKeys.Alice.PublicKey.Bytes.ToArray(), stake[1..33]);
        Assert.Equal(TestKeys.Bob.PublicKey.Bytes.ToArray(), stake[33..65]);
        Assert.Equal([0x00, 0x01], stake[65..]);
    }

    [Property(MaxTest = 60)]
    public void The_cached_tree_always_equals_a_root_computed_from_scratch(int seed)
    {
        Random random = new(seed);
        MemoryStateStore store = new();
        for (int round = 0; round < 8; round++)
        {
            List<KeyValuePair<byte[], byte[]?>> writes = [];
            int count = random.Next(0, 12);
            for (int i = 0; i < count; i++)
            {
                byte[] key = [(byte)random.Next(0, 24)];
                writes.Add(new(key, random.Next(5) == 0 ? null : [(byte)random.Next(256)]));
            }

            store.Apply(writes);
            List<Hash256> leaves = [.. store.EnumerateSorted().Select(e => MerkleTree.HashStateEntry(e.Key, e.Value))];
            Assert.Equal(MerkleTree.ComputeRoot([.. leaves]), store.ComputeStateRoot());
        }
    }

    [Fact]
    public void Value_only_updates_rehash_just_their_paths_and_match_a_fresh_store()
    {
        MemoryStateStore store = new();
        store.Apply(Enumerable.Range(0, 37).Select(i => new KeyValuePair<byte[], byte[]?>([(byte)i], [(byte)i])));
        _ = store.ComputeStateRoot();
        store.Apply([new([5], [99]), new([36], [98])]);

        MemoryStateStore fresh = new();
        fresh.Apply(Enumerable.Range(0, 37).Select(i => new KeyValuePair<byte[], byte[]?>([(byte)i], i == 5 ? [99] : i == 36 ? [98] : [(byte)i])));
        Assert.Equal(fresh.ComputeStateRoot(), store.ComputeStateRoot());
    }
}
