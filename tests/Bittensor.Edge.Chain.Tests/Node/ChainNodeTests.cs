// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Node;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Tests.Node;

public sealed class ChainNodeTests
{
    private readonly TestNode _t = new();

    [Fact]
    public void A_submitted_transfer_is_pending_then_included_with_its_block_index_and_result()
    {
        Hash256 hash = _t.Submit(_t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(1))));
        Assert.True(_t.Node.TryGetTransactionStatus(hash, out TransactionStatus pending));
        Assert.Equal(TransactionState.Pending, pending.State);

        BlockReceipt block = _t.Produce();

        Assert.True(_t.Node.TryGetTransactionStatus(hash, out TransactionStatus status));
        Assert.Equal(new TransactionStatus(TransactionState.Included, 1, block.Block.Hash, 0, DispatchError.None), status);
        Assert.True(status.IsOk);
        Assert.Equal(0, _t.Node.Pool.Count);
    }

    [Fact]
    public void A_failing_call_is_included_with_its_dispatch_error()
    {
        Hash256 hash = _t.Submit(_t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(5000))));

        _t.Produce();

        Assert.True(_t.Node.TryGetTransactionStatus(hash, out TransactionStatus status));
        Assert.Equal(TransactionState.Included, status.State);
        Assert.Equal(DispatchError.InsufficientBalance, status.Error);
        Assert.False(status.IsOk);
    }

    [Fact]
    public void A_transaction_that_expires_in_the_pool_is_dropped()
    {
        // Nonce 1 waits for nonce 0, which never comes; valid_until = 1 passes with block 1.
        Hash256 hash = _t.Submit(_t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(1)), nonceOffset: 1, validUntil: 1));

        _t.Produce();

        Assert.True(_t.Node.TryGetTransactionStatus(hash, out TransactionStatus status));
        Assert.Equal(TransactionState.Dropped, status.State);
    }

    [Fact]
    public void The_status_index_forgets_the_oldest_entries_past_its_capacity()
    {
        TestNode t = new(statusCapacity: 2);
        Hash256 first = t.Submit(t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(1))));
        Hash256 second = t.Submit(t.Sign(TestKeys.Bob, new TransferCall(TestKeys.Alice.PublicKey, Rao.FromTao(1))));
        Hash256 third = t.Submit(t.Sign(TestKeys.Owner, new TransferCall(TestKeys.Alice.PublicKey, Rao.FromTao(1))));

        Assert.False(t.Node.TryGetTransactionStatus(first, out _));
        Assert.True(t.Node.TryGetTransactionStatus(second, out _));
        Assert.True(t.Node.TryGetTransactionStatus(third, out _));
    }

    [Fact]
    public void Submit_of_bytes_that_do_not_decode_is_BadEncoding()
    {
        Assert.Equal(SubmissionError.BadEncoding, _t.Node.Submit([1, 2, 3], out Hash256 hash));
        Assert.True(hash.IsZero);
    }

    [Fact]
    public void No_block_is_produced_twice_in_one_slot_or_before_the_first_slot_after_genesis()
    {
        Assert.False(_t.Node.TryProduceBlock(out _));
        _t.Produce();
        Assert.False(_t.Node.TryProduceBlock(out _));
        Assert.Equal(1UL, _t.Best);
    }

    [Fact]
    public async Task WaitNewHead_completes_when_a_block_is_produced()
    {
        Task<BlockHeader?> wait = _t.Node.WaitNewHeadAsync(0, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.False(wait.IsCompleted);

        BlockReceipt block = _t.Produce();

        BlockHeader? header = await wait;
        Assert.NotNull(header);
        Assert.Equal(block.Block.Hash, header.Hash);
    }

    [Fact]
    public async Task WaitNewHead_returns_null_when_the_timeout_passes_on_the_clock()
    {
        Task<BlockHeader?> wait = _t.Node.WaitNewHeadAsync(0, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        _t.Clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(wait.IsCompleted);

        _t.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(await wait);
        Assert.Equal(0, _t.Clock.PendingDelays);
    }

    [Fact]
    public async Task WaitNewHead_answers_at_once_when_the_best_block_is_already_past()
    {
        _t.ProduceUntil(2);

        BlockHeader? header = await _t.Node.WaitNewHeadAsync(1, TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal(2UL, header!.Number);
    }

    [Fact]
    public async Task WaitNewHead_keeps_waiting_until_the_block_after_the_given_number()
    {
        Task<BlockHeader?> wait = _t.Node.WaitNewHeadAsync(1, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        _t.Produce();
        Assert.False(wait.IsCompleted);

        _t.Produce();

        Assert.Equal(2UL, (await wait)!.Number);
    }

    [Fact]
    public async Task RunAsync_produces_a_block_at_each_slot_start_and_stops_on_cancellation()
    {
        using CancellationTokenSource stop = new();
        Task run = _t.Node.RunAsync(stop.Token);
        Task<BlockHeader?> first = _t.Node.WaitNewHeadAsync(0, TimeSpan.FromHours(1), TestContext.Current.CancellationToken);

        _t.Clock.Advance(TimeSpan.FromMilliseconds(TestChain.BlockTimeMs));
        Assert.Equal(1UL, (await first)!.Number);
        Task<BlockHeader?> second = _t.Node.WaitNewHeadAsync(1, TimeSpan.FromHours(1), TestContext.Current.CancellationToken);
        _t.Clock.Advance(TimeSpan.FromMilliseconds(TestChain.BlockTimeMs));
        Assert.Equal(2UL, (await second)!.Number);

        await stop.CancelAsync();
        await run;
        Assert.True(run.IsCompletedSuccessfully);
    }

    [Fact]
    public void BlockCommitted_is_raised_once_per_block_in_order()
    {
        List<ulong> seen = [];
        _t.Node.BlockCommitted += receipt => seen.Add(receipt.Block.Header.Number);

        _t.ProduceUntil(3);

        Assert.Equal([1UL, 2UL, 3UL], seen);
    }

    [Fact]
    public void A_node_restarted_from_its_store_and_history_resumes_at_the_best_block()
    {
        TestChain template = new();
        MemoryStateStore store = new();
        List<BlockReceipt> history = [];
        ChainNode first = new(template.Genesis, store, [], TestKeys.Authority, _t.Clock);
        first.BlockCommitted += history.Add;
        for (int i = 0; i < 3; i++)
        {
            _t.Clock.Advance(TimeSpan.FromMilliseconds(TestChain.BlockTimeMs));
            Assert.True(first.TryProduceBlock(out _));
        }

        ChainNode restarted = new(template.Genesis, store, history, TestKeys.Authority, _t.Clock);

        Assert.Equal(first.Head, restarted.Head);
        Assert.True(restarted.Read(history[1].Block.Hash, static (view, hash) => view.TryGetNumber(hash, out ulong n) && n == 2));
    }

    [Fact]
    public void A_follower_imports_the_authoritys_blocks_and_tracks_its_own_submissions()
    {
        TestNode authority = _t;
        TestChain template = new();
        ChainNode follower = new(template.Genesis, new MemoryStateStore(), [], null, authority.Clock);
        Extrinsic transfer = authority.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(1)));
        Assert.Equal(SubmissionError.None, follower.Submit(transfer));
        authority.Submit(transfer);

        BlockReceipt block = authority.Produce();

        Assert.False(follower.TryProduceBlock(out _));
        Assert.Equal(BlockImportError.None, follower.ImportBlock(block.Block));
        Assert.Equal(authority.Node.Head, follower.Head);
        Assert.True(follower.TryGetTransactionStatus(transfer.Hash, out TransactionStatus status));
        Assert.Equal(TransactionState.Included, status.State);
        Assert.Equal(0, follower.Pool.Count);
    }
}
