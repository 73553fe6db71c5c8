// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Chain.Transactions;

namespace Bittensor.Edge.Chain.Tests.Rpc;

/// <summary>The typed client against a real loopback HTTP server hosting the handler.</summary>
public sealed class ChainRpcClientTests : IAsyncLifetime
{
    private readonly TestNode _t = new(hp => hp[HyperparameterId.CommitRevealEnabled] = 0);
    private readonly HttpClient _http = new();
    private RpcTestServer _server = null!;
    private ChainRpcClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await RpcTestServer.StartAsync(_t.Handler, Ct);
        _client = new ChainRpcClient(_http, _server.BaseUrl);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Typed_reads_match_the_node()
    {
        BlockReceipt block = _t.Produce();

        RpcSystemInfo info = await _client.GetSystemInfoAsync(Ct);
        RpcSystemHealth health = await _client.GetSystemHealthAsync(Ct);
        RpcHeader header = await _client.GetHeaderAsync(BlockRef.At(1UL), Ct);
        RpcBlock body = await _client.GetBlockAsync(BlockRef.At(block.Block.Hash), Ct);
        RpcAccount alice = await _client.GetAccountAsync(TestKeys.Alice.PublicKey, cancellationToken: Ct);
        IReadOnlyList<RpcSubnetSummary> subnets = await _client.ListSubnetsAsync(Ct);
        RpcSubnetInfo subnet = await _client.GetSubnetInfoAsync(1, Ct);
        IReadOnlyDictionary<string, ulong> hp = await _client.GetHyperparametersAsync(1, Ct);
        RpcMetagraph metagraph = await _client.GetMetagraphAsync(1, Ct);

        Assert.Equal(_t.Genesis.Hash, info.GenesisHash);
        Assert.Equal(_t.Genesis.Hash, await _client.GetBlockHashAsync(0, Ct));
        Assert.Equal(1UL, health.BestNumber);
        Assert.Equal(block.Block.Header.Hash, header.Hash);
        Assert.Equal(block.Block.Header.Signature, header.Signature);
        Assert.Equal(TestKeys.Authority.PublicKey, header.Author);
        Assert.Equal(header, body.Header);
        Assert.Equal(Rao.FromTao(1000), alice.Free);
        Assert.Equal(TestKeys.Owner.PublicKey, Assert.Single(subnets).Owner);
        Assert.Equal(TestKeys.OwnerHotkey.PublicKey, subnet.OwnerHotkey);
        Assert.Equal(500_000UL, hp["min_burn"]);
        Assert.Equal(10UL, hp["tempo"]);
        Assert.Equal([TestKeys.OwnerHotkey.PublicKey], metagraph.Hotkeys);
        Assert.Equal(subnet.Burn.Value, (await _client.ListSubnetsAsync(Ct))[0].Burn.Value);
        Assert.True((await _client.GetBurnAsync(1, Ct)) <= subnet.Burn);
    }

    [Fact]
    public async Task SubmitAndWait_returns_the_included_status_with_the_dispatch_result()
    {
        Extrinsic transfer = _t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(2000)));
        Task<RpcExtrinsicStatus> wait = _client.SubmitAndWaitAsync(transfer, Ct);
        await WaitForPoolAsync(1);

        _t.Produce();
        RpcExtrinsicStatus status = await wait;

        Assert.True(status.IsIncluded);
        Assert.Equal(1UL, status.Block);
        Assert.Equal(0, status.Index);
        Assert.False(status.Ok);
        Assert.Equal("InsufficientBalance", status.Error);
        Assert.Equal(1UL, await _client.GetNonceAsync(TestKeys.Alice.PublicKey, Ct));
    }

    [Fact]
    public async Task SignAndSubmit_signs_with_the_nodes_genesis_and_the_next_nonce()
    {
        Task<RpcExtrinsicStatus> wait = _client.SignAndSubmitAsync(TestKeys.Alice, new AddStakeCall(TestKeys.OwnerHotkey.PublicKey, TestChain.Subnet1, Rao.FromTao(5)), Ct);
        await WaitForPoolAsync(1);

        _t.Produce();

        Assert.True((await wait).Ok);
        Assert.Equal(Rao.FromTao(5), await _client.GetStakeAsync(TestKeys.Alice.PublicKey, TestKeys.OwnerHotkey.PublicKey, 1, Ct));
    }

    [Fact]
    public async Task Errors_surface_as_RpcException_with_code_and_name()
    {
        Extrinsic stale = _t.Builder.Build(TestKeys.Alice, 0, 10, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(1)));
        _t.Submit(stale);
        _t.Produce();

        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => _client.SubmitExtrinsicAsync(stale.Encoded.ToArray(), Ct));
        RpcException unknown = await Assert.ThrowsAsync<RpcException>(() => _client.GetHeaderAsync(BlockRef.At(9UL), Ct));
        RpcException missing = await Assert.ThrowsAsync<RpcException>(() => _client.GetSubnetInfoAsync(7, Ct));

        Assert.Equal((1002, "StaleNonce"), (refused.Code, refused.Name));
        Assert.Equal((1009, "UnknownBlock"), (unknown.Code, unknown.Name));
        Assert.Equal((RpcErrorCode.InvalidParams, "InvalidParams"), (missing.Code, missing.Name));
    }

    [Fact]
    public async Task WaitNewHead_long_polls_until_a_block_and_times_out_on_the_node_clock()
    {
        Task<RpcHeader?> head = _client.WaitNewHeadAsync(0, TimeSpan.FromSeconds(30), Ct);
        await WaitForDelayAsync();
        BlockReceipt block = _t.Produce();
        Assert.Equal(block.Block.Hash, (await head)!.Hash);

        Task<RpcHeader?> none = _client.WaitNewHeadAsync(1, TimeSpan.FromSeconds(3), Ct);
        await WaitForDelayAsync();
        _t.Clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Null(await none);
    }

    [Fact]
    public async Task Weights_and_commits_read_back_through_the_client()
    {
        _t.ProduceUntil(8);
        _t.Submit(_t.Sign(TestKeys.OwnerHotkey, new SetWeightsCall(TestChain.Subnet1, [0], [7], 0)));
        _t.Produce();

        IReadOnlyList<IReadOnlyList<(ushort Uid, ushort Weight)>> all = await _client.GetWeightsAsync(1, Ct);
        IReadOnlyList<(ushort Uid, ushort Weight)> own = await _client.GetWeightsAsync(1, 0, Ct);

        Assert.Equal([(0, 65535)], all[0]);
        Assert.Equal([(0, 65535)], own);
        Assert.Empty(await _client.GetCommitsAsync(1, TestKeys.OwnerHotkey.PublicKey, Ct));
    }

    // The client's HTTP call runs on another thread; wait (on the node, not on time) until it has arrived.
    private async Task WaitForPoolAsync(int count)
    {
        while (_t.Node.Pool.Count < count)
        {
            await Task.Yield();
        }
    }

    private async Task WaitForDelayAsync()
    {
        while (_t.Clock.PendingDelays == 0)
        {
            await Task.Yield();
        }
    }
}
