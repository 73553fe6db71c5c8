// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Chain.Transactions;

namespace Bittensor.Edge.Chain.Tests.Blocks;

public sealed class BlockEncodingTests
{
    [Fact]
    public void A_block_round_trips_and_imports_from_its_encoding()
    {
        TestChain leader = new();
        TestChain follower = new();
        BlockReceipt receipt = leader.Produce(
            leader.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, new Rao(5))),
            leader.Sign(TestKeys.Bob, new BurnedRegisterCall(TestChain.Subnet1, TestKeys.Hotkey(1).PublicKey)));
        byte[] encoded = receipt.Block.Encode();

        Assert.True(Block.TryDecode(encoded, out Block? decoded, out string? error), error);
        Assert.Equal(encoded, decoded.Encode());
        Assert.Equal(receipt.Block.Hash, decoded.Hash);
        Assert.Equal(BlockImportError.None, follower.Chain.Import(decoded, decoded.Header.TimestampMs));
    }

    [Fact]
    public void Every_truncation_of_a_block_is_rejected()
    {
        TestChain t = new();
        byte[] encoded = t.Produce(t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, new Rao(5)))).Block.Encode();

        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.False(Block.TryDecode(encoded.AsSpan(0, length), out _, out _));
        }

        Assert.False(Block.TryDecode([.. encoded, 0], out _, out _));
    }

    [Fact]
    public void The_extrinsics_root_is_the_merkle_root_of_the_transaction_hashes()
    {
        TestChain t = new();
        Extrinsic a = t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, new Rao(5)));
        Extrinsic b = t.Sign(TestKeys.Bob, new TransferCall(TestKeys.Alice.PublicKey, new Rao(5)));

        BlockReceipt receipt = t.Produce(a, b);

        Assert.Equal(MerkleTree.ComputeRoot([MerkleTree.HashLeaf(a.Hash.Bytes), MerkleTree.HashLeaf(b.Hash.Bytes)]), receipt.Block.Header.ExtrinsicsRoot);
        Assert.Equal(Core.Crypto.Hash256.Zero, new TestChain().Produce().Block.Header.ExtrinsicsRoot);
    }
}
