// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;

namespace Bittensor.Edge.Chain.Tests.Blocks;

public sealed class EndToEndTests
{
    private static SubmissionError Submit(TestChain t, TransactionPool pool, Extrinsic extrinsic) =>
        pool.Submit(extrinsic, t.State, t.Chain.BestNumber);

    [Fact]
    public void Emission_arrives_as_stake_after_an_epoch_in_an_in_memory_run()
    {
        TestChain t = new();
        ManualClock clock = new(DateTimeOffset.FromUnixTimeMilliseconds((long)TestChain.GenesisTimeMs));
        TransactionPool pool = new(t.Genesis.Hash);
        BlockProducer producer = new(t.Chain, pool, clock, TestKeys.Authority);
        Ed25519KeyPair validator = TestKeys.Hotkey(1);
        Ed25519KeyPair miner = TestKeys.Hotkey(2);
        ExtrinsicBuilder b = t.Builder;

        void Step()
        {
            clock.Advance(TimeSpan.FromMilliseconds(TestChain.BlockTimeMs));
            Assert.True(producer.TryProduce(out _));
        }

        Assert.Equal(SubmissionError.None, Submit(t, pool, b.BurnedRegister(TestKeys.Alice, 0, 20, TestChain.Subnet1, validator.PublicKey)));
        Step();
        Assert.Equal(SubmissionError.None, Submit(t, pool, b.BurnedRegister(TestKeys.Bob, 0, 20, TestChain.Subnet1, miner.PublicKey)));
        Assert.Equal(SubmissionError.None, Submit(t, pool, b.AddStake(TestKeys.Alice, 1, 20, validator.PublicKey, TestChain.Subnet1, Rao.FromTao(100))));
        Step();
        Assert.Equal(0, pool.Count);
        Assert.True(t.State.TryGetUid(TestChain.Subnet1, miner.PublicKey, out Uid minerUid));
        Assert.Equal(Rao.FromTao(100), t.State.GetHotkeyStake(TestChain.Subnet1, validator.PublicKey));

        // The first epoch gives the staked validator its permit; then it sets weights on the miner.
        while (t.State.GetNeuron(TestChain.Subnet1, new Uid(1)).ValidatorPermit == false)
        {
            Step();
        }

        Assert.Equal(SubmissionError.None, Submit(t, pool, b.SetWeights(validator, 0, t.Chain.BestNumber + 20, TestChain.Subnet1, [minerUid.Value], [65535])));
        Step();
        Assert.Equal([new RowEntry(minerUid.Value, 65535)], t.State.GetWeights(TestChain.Subnet1, new Uid(1)));
        Rao validatorStake = t.State.GetHotkeyStake(TestChain.Subnet1, validator.PublicKey);
        Rao ownerStake = t.State.GetHotkeyStake(TestChain.Subnet1, TestKeys.OwnerHotkey.PublicKey);
        ulong start = t.Chain.BestNumber;

        while (t.Chain.BestNumber < start + 12)
        {
            Step();
        }

        Assert.True(t.State.GetHotkeyStake(TestChain.Subnet1, miner.PublicKey) > Rao.Zero);
        Assert.True(t.State.GetStake(TestKeys.Bob.PublicKey, miner.PublicKey, TestChain.Subnet1) > Rao.Zero);
        Assert.True(t.State.GetHotkeyStake(TestChain.Subnet1, validator.PublicKey) > validatorStake);
        Assert.True(t.State.GetHotkeyStake(TestChain.Subnet1, TestKeys.OwnerHotkey.PublicKey) > ownerStake);
        Assert.True(t.State.GetNeuron(TestChain.Subnet1, minerUid).Emission > Rao.Zero);
        Assert.Equal(t.State.TotalIssuance, t.SumOfHoldings());
    }

    [Fact]
    public void A_follower_re_executes_produced_blocks_to_the_same_state_root()
    {
        TestChain leader = new();
        TestChain follower = new();
        leader.Register(TestKeys.Alice, TestKeys.Hotkey(1));
        leader.Run(TestKeys.Alice, new AddStakeCall(TestKeys.Hotkey(1).PublicKey, TestChain.Subnet1, Rao.FromTao(3)));
        leader.Run(TestKeys.Bob, new TransferCall(TestKeys.Alice.PublicKey, Rao.FromTao(2000)));
        leader.ProduceUntil(25);

        for (ulong n = 1; n <= leader.Chain.BestNumber; n++)
        {
            Assert.True(leader.Chain.TryGetBlock(n, out BlockReceipt? receipt));
            Assert.Equal(BlockImportError.None, follower.Chain.Import(receipt.Block, receipt.Block.Header.TimestampMs));
        }

        Assert.Equal(leader.Store.ComputeStateRoot(), follower.Store.ComputeStateRoot());
        Assert.Equal(leader.Chain.BestHash, follower.Chain.BestHash);
    }

    [Fact]
    public void A_follower_rejects_a_block_whose_state_root_is_wrong_and_keeps_its_state()
    {
        TestChain leader = new();
        TestChain follower = new();
        leader.Register(TestKeys.Alice, TestKeys.Hotkey(1));
        Assert.True(leader.Chain.TryGetBlock(1, out BlockReceipt? receipt));
        BlockHeader h = receipt.Block.Header;
        BlockHeader forged = BlockHeader.CreateSigned(TestKeys.Authority, leader.Genesis.Hash, h.Number, h.Parent, h.TimestampMs, h.ExtrinsicsRoot, Blake2b.Hash256("wrong"u8));
        Hash256 before = follower.Store.ComputeStateRoot();

        Assert.Equal(BlockImportError.StateRootMismatch, follower.Chain.Import(receipt.Block with { Header = forged }, h.TimestampMs));
        Assert.Equal(before, follower.Store.ComputeStateRoot());
        Assert.Equal(0UL, follower.Chain.BestNumber);
    }

    [Fact]
    public void A_follower_rejects_bad_headers()
    {
        TestChain leader = new();
        TestChain follower = new();
        leader.Produce();
        Assert.True(leader.Chain.TryGetBlock(1, out BlockReceipt? receipt));
        BlockHeader h = receipt.Block.Header;
        Block block = receipt.Block;

        Assert.Equal(BlockImportError.BadTimestamp, follower.Chain.Import(block, h.TimestampMs - 3000));
        BlockHeader wrongAuthor = BlockHeader.CreateSigned(TestKeys.Alice, leader.Genesis.Hash, h.Number, h.Parent, h.TimestampMs, h.ExtrinsicsRoot, h.StateRoot);
        Assert.Equal(BlockImportError.WrongAuthor, follower.Chain.Import(block with { Header = wrongAuthor }, h.TimestampMs));
        BlockHeader badSignature = h with { Signature = wrongAuthor.Signature };
        Assert.Equal(BlockImportError.BadSignature, follower.Chain.Import(block with { Header = badSignature }, h.TimestampMs));
        BlockHeader wrongParent = BlockHeader.CreateSigned(TestKeys.Authority, leader.Genesis.Hash, h.Number, Blake2b.Hash256("x"u8), h.TimestampMs, h.ExtrinsicsRoot, h.StateRoot);
        Assert.Equal(BlockImportError.NotOnBest, follower.Chain.Import(block with { Header = wrongParent }, h.TimestampMs));
        Assert.Equal(BlockImportError.None, follower.Chain.Import(block, h.TimestampMs));
    }

    [Fact]
    public void The_block_header_signature_covers_the_tag_the_genesis_and_every_field()
    {
        TestChain t = new();
        BlockReceipt receipt = t.Produce();
        BlockHeader h = receipt.Block.Header;
        byte[] encoded = h.Encode();

        Assert.Equal(209, encoded.Length);
        Assert.Equal(t.Genesis.Hash, h.Parent);
        Assert.Equal(Blake2b.Hash256(encoded), receipt.Block.Hash);
        Assert.True(Ed25519.Verify(TestKeys.Authority.PublicKey, [.. "bte/block/v1"u8, .. t.Genesis.Hash.Bytes, .. encoded.AsSpan(0, 145)], encoded.AsSpan(145)));
        Assert.True(BlockHeader.TryDecode(encoded, out BlockHeader? back));
        Assert.Equal(h, back);
        Assert.Equal(t.Store.ComputeStateRoot(), h.StateRoot);
    }

    [Fact]
    public void The_producer_authors_only_once_per_slot_and_only_after_genesis()
    {
        TestChain t = new();
        ManualClock clock = new(DateTimeOffset.FromUnixTimeMilliseconds((long)TestChain.GenesisTimeMs));
        BlockProducer producer = new(t.Chain, new TransactionPool(t.Genesis.Hash), clock, TestKeys.Authority);

        Assert.False(producer.TryProduce(out _));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(producer.TryProduce(out BlockReceipt? first));
        Assert.False(producer.TryProduce(out _));
        clock.Advance(TimeSpan.FromMilliseconds(TestChain.BlockTimeMs));
        Assert.True(producer.TryProduce(out BlockReceipt? second));
        Assert.Equal(first.Block.Hash, second.Block.Header.Parent);
    }

    [Fact]
    public void A_node_that_is_not_the_slot_author_produces_nothing()
    {
        TestChain t = new();
        ManualClock clock = new(DateTimeOffset.FromUnixTimeMilliseconds((long)TestChain.GenesisTimeMs + 20_000));
        BlockProducer producer = new(t.Chain, new TransactionPool(t.Genesis.Hash), clock, TestKeys.Alice);

        Assert.False(producer.TryProduce(out _));
    }

    [Fact]
    public void The_producer_runs_on_the_clock_without_sleeping()
    {
        TestChain t = new();
        ManualClock clock = new(DateTimeOffset.FromUnixTimeMilliseconds((long)TestChain.GenesisTimeMs));
        BlockProducer producer = new(t.Chain, new TransactionPool(t.Genesis.Hash), clock, TestKeys.Authority);
        using CancellationTokenSource cts = new();

        Task run = producer.RunAsync(cts.Token);
        for (int i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(TestChain.BlockTimeMs));
        }

        Assert.Equal(3UL, t.Chain.BestNumber);
        cts.Cancel();
        Assert.True(run.IsCanceled || run.IsCompleted);
    }

    [Fact]
    public void A_restarted_ledger_continues_from_its_persisted_state_and_blocks()
    {
        TestChain t = new();
        t.Register(TestKeys.Alice, TestKeys.Hotkey(1));
        t.ProduceUntil(12);
        MemoryStateStore copy = new();
        copy.Apply(t.Store.EnumerateSorted().Select(e => new KeyValuePair<byte[], byte[]?>(e.Key, e.Value)));
        List<BlockReceipt> history = [];
        for (ulong n = 1; n <= t.Chain.BestNumber; n++)
        {
            Assert.True(t.Chain.TryGetBlock(n, out BlockReceipt? receipt));
            history.Add(receipt);
        }

        Blockchain restarted = new(t.Genesis, copy, history);
        BlockReceipt next = restarted.ProduceBlock(TestKeys.Authority, t.NextTimestamp, [], candidatesVerified: false, out _);
        BlockReceipt original = t.Produce();

        Assert.Equal(original.Block.Hash, next.Block.Hash);
        Assert.Equal(t.Chain.GenesisStateRoot, restarted.GenesisStateRoot);
    }

    [Fact]
    public void A_restart_with_a_state_that_does_not_match_the_best_block_is_refused()
    {
        TestChain t = new();
        t.ProduceUntil(2);
        Assert.True(t.Chain.TryGetBlock(1, out BlockReceipt? first));
        Assert.True(t.Chain.TryGetBlock(2, out BlockReceipt? second));

        Assert.Throws<ArgumentException>(() => new Blockchain(t.Genesis, t.Store, [first]));
        Assert.Throws<ArgumentException>(() => new Blockchain(t.Genesis, new MemoryStateStore(), [second]));
    }
}
