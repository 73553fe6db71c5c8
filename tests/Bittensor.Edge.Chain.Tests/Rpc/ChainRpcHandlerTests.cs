// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Tests.Rpc;

public sealed class ChainRpcHandlerTests
{
    private static readonly string s_alice = TestKeys.Alice.Ss58Address;
    private static readonly string s_bob = TestKeys.Bob.Ss58Address;
    private readonly TestNode _t = new();

    [Fact]
    public async Task System_info_reports_the_chain_genesis_best_block_and_block_time()
    {
        _t.Produce();

        JsonElement info = RpcAssert.Result(await _t.CallAsync("system_info"));

        Assert.Equal("bte-test", info.GetProperty("chain").GetString());
        Assert.Equal(_t.Genesis.Hash.ToString(), info.GetProperty("genesisHash").GetString());
        Assert.Equal("bte-node/test", info.GetProperty("version").GetString());
        Assert.Equal(1UL, info.GetProperty("bestNumber").GetUInt64());
        Assert.Equal(_t.Node.Head.Hash.ToString(), info.GetProperty("bestHash").GetString());
        Assert.Equal(12_000UL, info.GetProperty("blockTimeMs").GetUInt64());
    }

    [Fact]
    public async Task System_health_reports_the_time_since_the_best_block_and_the_pool_size()
    {
        _t.Produce();
        _t.Submit(_t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(1))));
        _t.Clock.Advance(TimeSpan.FromMilliseconds(1500));

        JsonElement health = RpcAssert.Result(await _t.CallAsync("system_health"));

        Assert.Equal(1UL, health.GetProperty("bestNumber").GetUInt64());
        Assert.Equal(_t.Node.Head.Hash.ToString(), health.GetProperty("bestHash").GetString());
        Assert.Equal(1500, health.GetProperty("msSinceBestBlock").GetInt64());
        Assert.False(health.GetProperty("syncing").GetBoolean());
        Assert.Equal(1, health.GetProperty("poolSize").GetInt32());
    }

    [Fact]
    public async Task GetBlockHash_gives_the_genesis_hash_at_0_and_each_block_hash()
    {
        BlockReceipt block = _t.Produce();

        Assert.Equal(_t.Genesis.Hash.ToString(), RpcAssert.Result(await _t.CallAsync("chain_getBlockHash", 0)).GetString());
        Assert.Equal(block.Block.Hash.ToString(), RpcAssert.Result(await _t.CallAsync("chain_getBlockHash", 1)).GetString());
        RpcAssert.Error(await _t.CallAsync("chain_getBlockHash", 2), 1009);
    }

    [Fact]
    public async Task GetHeader_takes_a_number_a_hash_or_nothing()
    {
        BlockReceipt first = _t.Produce();
        BlockReceipt second = _t.Produce();

        JsonElement best = RpcAssert.Result(await _t.CallAsync("chain_getHeader"));
        JsonElement byNumber = RpcAssert.Result(await _t.CallAsync("chain_getHeader", 1));
        JsonElement byHash = RpcAssert.Result(await _t.CallAsync("chain_getHeader", first.Block.Hash.ToString()));

        Assert.Equal(second.Block.Hash.ToString(), best.GetProperty("hash").GetString());
        Assert.Equal(2UL, best.GetProperty("number").GetUInt64());
        Assert.Equal(first.Block.Hash.ToString(), best.GetProperty("parent").GetString());
        Assert.Equal(byNumber.GetRawText(), byHash.GetRawText());
        BlockHeader header = first.Block.Header;
        Assert.Equal(header.TimestampMs, byNumber.GetProperty("timestampMs").GetUInt64());
        Assert.Equal(header.StateRoot.ToString(), byNumber.GetProperty("stateRoot").GetString());
        Assert.Equal(header.ExtrinsicsRoot.ToString(), byNumber.GetProperty("extrinsicsRoot").GetString());
        Assert.Equal(TestKeys.Authority.Ss58Address, byNumber.GetProperty("author").GetString());
        Assert.Equal(header.Signature.ToString(), byNumber.GetProperty("signature").GetString());
        RpcAssert.Error(await _t.CallAsync("chain_getHeader", 0), 1009);
        RpcAssert.Error(await _t.CallAsync("chain_getHeader", Hash256.Zero.ToString()), 1009);
    }

    [Fact]
    public async Task GetBlock_lists_the_extrinsics_as_hex_with_their_results_and_the_epochs_that_ran()
    {
        Extrinsic ok = _t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(1)));
        Extrinsic failing = _t.Sign(TestKeys.Bob, new TransferCall(TestKeys.Alice.PublicKey, Rao.FromTao(5000)));
        _t.Submit(ok);
        _t.Submit(failing);
        _t.ProduceUntil(9);
        // Subnet 1 with tempo 10 runs its epoch when (b + 2) % 11 == 10, i.e. in block 8.
        JsonElement epochBlock = RpcAssert.Result(await _t.CallAsync("chain_getBlock", 8));
        JsonElement block = RpcAssert.Result(await _t.CallAsync("chain_getBlock", 1));

        Assert.Equal([1], epochBlock.GetProperty("epochs").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(1UL, block.GetProperty("header").GetProperty("number").GetUInt64());
        Assert.Equal(["0x" + Convert.ToHexStringLower(ok.Encoded), "0x" + Convert.ToHexStringLower(failing.Encoded)], block.GetProperty("extrinsics").EnumerateArray().Select(e => e.GetString()));
        JsonElement[] results = [.. block.GetProperty("results").EnumerateArray()];
        Assert.Equal(ok.Hash.ToString(), results[0].GetProperty("hash").GetString());
        Assert.True(results[0].GetProperty("ok").GetBoolean());
        Assert.False(results[0].TryGetProperty("error", out _));
        Assert.False(results[1].GetProperty("ok").GetBoolean());
        Assert.Equal("InsufficientBalance", results[1].GetProperty("error").GetString());
        Assert.Empty(block.GetProperty("epochs").EnumerateArray());
    }

    [Fact]
    public async Task WaitNewHead_answers_the_header_when_a_block_comes()
    {
        Task<JsonDocument> call = _t.CallAsync("chain_waitNewHead", 0, 30_000);
        Assert.False(call.IsCompleted);

        BlockReceipt block = _t.Produce();

        Assert.Equal(block.Block.Hash.ToString(), RpcAssert.Result(await call).GetProperty("hash").GetString());
    }

    [Fact]
    public async Task WaitNewHead_answers_null_after_the_timeout_on_the_clock()
    {
        Task<JsonDocument> call = _t.CallAsync("chain_waitNewHead", 0, 2_000);

        _t.Clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(JsonValueKind.Null, RpcAssert.Result(await call).ValueKind);
    }

    [Fact]
    public async Task WaitNewHead_refuses_a_timeout_above_30_seconds()
    {
        RpcAssert.Error(await _t.CallAsync("chain_waitNewHead", 0, 30_001), RpcErrorCode.InvalidParams);
    }

    [Fact]
    public async Task GetAccount_gives_free_as_a_decimal_string_and_the_nonce()
    {
        _t.Submit(_t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(1))));
        _t.Produce();

        JsonElement alice = RpcAssert.Result(await _t.CallAsync("state_getAccount", s_alice));
        JsonElement stranger = RpcAssert.Result(await _t.CallAsync("state_getAccount", TestKeys.Get("stranger").Ss58Address));

        Assert.Equal((1000_000_000_000UL - 1_000_000_000UL - ChainConstants.TransactionFee).ToString(System.Globalization.CultureInfo.InvariantCulture), alice.GetProperty("free").GetString());
        Assert.Equal(1UL, alice.GetProperty("nonce").GetUInt64());
        Assert.Equal("0", stranger.GetProperty("free").GetString());
        Assert.Equal(0UL, stranger.GetProperty("nonce").GetUInt64());
    }

    [Fact]
    public async Task State_queries_at_the_best_block_work_and_at_an_older_block_answer_UnknownBlock_saying_only_the_best_state_is_kept()
    {
        BlockReceipt first = _t.Produce();
        _t.Produce();

        RpcAssert.Result(await _t.CallAsync("state_getAccount", s_alice, 2));
        RpcAssert.Result(await _t.CallAsync("state_getAccount", s_alice, _t.Node.Head.Hash.ToString()));
        JsonElement old = RpcAssert.Error(await _t.CallAsync("state_getAccount", s_alice, 1), 1009);
        JsonElement oldByHash = RpcAssert.Error(await _t.CallAsync("subnet_list", first.Block.Hash.ToString()), 1009);
        JsonElement future = RpcAssert.Error(await _t.CallAsync("subnet_getMetagraph", 1, 7), 1009);

        Assert.Contains("only the best state is kept", old.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("only the best state is kept", oldByHash.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("No block 7", future.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("UnknownBlock", old.GetProperty("data").GetProperty("name").GetString());
    }

    [Fact]
    public async Task SubmitExtrinsic_returns_the_hash_and_ExtrinsicStatus_follows_it_to_inclusion()
    {
        Extrinsic transfer = _t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(1)));

        JsonElement hash = RpcAssert.Result(await _t.CallAsync("author_submitExtrinsic", Hex(transfer)));
        JsonElement pending = RpcAssert.Result(await _t.CallAsync("author_extrinsicStatus", hash.GetString()));
        BlockReceipt block = _t.Produce();
        JsonElement included = RpcAssert.Result(await _t.CallAsync("author_extrinsicStatus", hash.GetString()));

        Assert.Equal(transfer.Hash.ToString(), hash.GetString());
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.False(pending.TryGetProperty("block", out _));
        Assert.Equal("included", included.GetProperty("status").GetString());
        Assert.Equal(1UL, included.GetProperty("block").GetUInt64());
        Assert.Equal(block.Block.Hash.ToString(), included.GetProperty("blockHash").GetString());
        Assert.Equal(0, included.GetProperty("index").GetInt32());
        Assert.True(included.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task ExtrinsicStatus_reports_the_dispatch_error_and_drops_and_null_for_an_unknown_hash()
    {
        Extrinsic failing = _t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(5000)));
        Extrinsic expiring = _t.Sign(TestKeys.Bob, new TransferCall(TestKeys.Alice.PublicKey, new Rao(1)), nonceOffset: 1, validUntil: 1);
        _t.Submit(failing);
        _t.Submit(expiring);
        _t.Produce();

        JsonElement failed = RpcAssert.Result(await _t.CallAsync("author_extrinsicStatus", failing.Hash.ToString()));
        JsonElement dropped = RpcAssert.Result(await _t.CallAsync("author_extrinsicStatus", expiring.Hash.ToString()));
        JsonElement unknown = RpcAssert.Result(await _t.CallAsync("author_extrinsicStatus", Hash256.Zero.ToString()));

        Assert.False(failed.GetProperty("ok").GetBoolean());
        Assert.Equal("InsufficientBalance", failed.GetProperty("error").GetString());
        Assert.Equal("dropped", dropped.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, unknown.ValueKind);
    }

    public static TheoryData<string, int> SubmissionCases => new()
    {
        { "bad-encoding", 1007 },
        { "bad-signature", 1001 },
        { "stale-nonce", 1002 },
        { "nonce-too-far", 1003 },
        { "mortality", 1004 },
        { "cannot-pay", 1005 },
        { "already-known", 1008 },
        { "not-registered-hotkey", 1010 },
    };

    [Theory]
    [MemberData(nameof(SubmissionCases))]
    public async Task SubmitExtrinsic_answers_each_pool_refusal_with_its_code_and_name(string name, int code)
    {
        _t.Submit(_t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(1))));
        _t.Produce();
        TransferCall call = new(TestKeys.Bob.PublicKey, new Rao(1));
        string hex = name switch
        {
            "bad-encoding" => "0x0102",
            "bad-signature" => Hex(new ExtrinsicBuilder(Hash256.Zero).Build(TestKeys.Alice, 1, 10, call)),
            "stale-nonce" => Hex(_t.Builder.Build(TestKeys.Alice, 0, 10, call)),
            "nonce-too-far" => Hex(_t.Builder.Build(TestKeys.Alice, 17, 10, call)),
            "mortality" => Hex(_t.Builder.Build(TestKeys.Alice, 1, 1000, call)),
            "cannot-pay" => Hex(_t.Builder.Build(TestKeys.Get("pauper"), 0, 10, call)),
            "already-known" => Hex(_t.Builder.Build(TestKeys.Alice, 1, 10, call)),
            _ => Hex(_t.Builder.Build(TestKeys.Get("pauper"), 0, 10, new SetWeightsCall(TestChain.Subnet1, [0], [1], 0))),
        };
        if (name == "already-known")
        {
            RpcAssert.Result(await _t.CallAsync("author_submitExtrinsic", hex));
        }

        JsonElement error = RpcAssert.Error(await _t.CallAsync("author_submitExtrinsic", hex), code);

        Assert.StartsWith(RpcErrorCode.NameOf(code) + ":", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subnet_list_and_info_describe_each_subnet_with_amounts_as_strings()
    {
        _t.Produce();

        JsonElement list = RpcAssert.Result(await _t.CallAsync("subnet_list"));
        JsonElement info = RpcAssert.Result(await _t.CallAsync("subnet_getInfo", 1));

        JsonElement only = Assert.Single(list.EnumerateArray());
        Assert.Equal(1, only.GetProperty("netuid").GetInt32());
        Assert.Equal(TestKeys.Owner.Ss58Address, only.GetProperty("owner").GetString());
        Assert.Equal(1, only.GetProperty("n").GetInt32());
        Assert.Equal(10, only.GetProperty("tempo").GetInt32());
        Assert.Equal(JsonValueKind.String, only.GetProperty("burn").ValueKind);
        Assert.Equal(TestKeys.OwnerHotkey.Ss58Address, info.GetProperty("ownerHotkey").GetString());
        Assert.Equal(only.GetProperty("burn").GetString(), info.GetProperty("burn").GetString());
        Assert.True(ulong.Parse(info.GetProperty("pendingServer").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(JsonValueKind.String, info.GetProperty("pendingOwner").ValueKind);
        Assert.Equal(JsonValueKind.String, info.GetProperty("pendingValidator").ValueKind);
        Assert.Equal(8UL, info.GetProperty("nextEpochBlock").GetUInt64());
        RpcAssert.Error(await _t.CallAsync("subnet_getInfo", 2), RpcErrorCode.InvalidParams);
    }

    [Fact]
    public async Task Hyperparameters_are_keyed_by_name_with_rao_values_as_strings()
    {
        JsonElement hp = RpcAssert.Result(await _t.CallAsync("subnet_getHyperparameters", 1));

        Assert.Equal(Hyperparameters.Count, hp.EnumerateObject().Count());
        Assert.Equal(10UL, hp.GetProperty("tempo").GetUInt64());
        Assert.Equal(256UL, hp.GetProperty("max_allowed_uids").GetUInt64());
        Assert.Equal("500000", hp.GetProperty("min_burn").GetString());
        Assert.Equal("100000000000", hp.GetProperty("max_burn").GetString());
        Assert.Equal(0UL, hp.GetProperty("commit_reveal_enabled").GetUInt64());
    }

    [Fact]
    public async Task GetBurn_is_the_price_after_the_next_blocks_decay()
    {
        string burn = RpcAssert.Result(await _t.CallAsync("subnet_getBurn", 1)).GetString()!;

        Assert.Equal(Bittensor.Edge.Chain.Execution.WeightsMath.DecayBurn(ChainConstants.InitialBurn, 500_000).ToString(System.Globalization.CultureInfo.InvariantCulture), burn);
        Extrinsic register = _t.Sign(TestKeys.Alice, new BurnedRegisterCall(TestChain.Subnet1, TestKeys.Hotkey(1).PublicKey));
        ulong before = ulong.Parse(RpcAssert.Result(await _t.CallAsync("state_getAccount", s_alice)).GetProperty("free").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        _t.Submit(register);
        _t.Produce();
        ulong after = ulong.Parse(RpcAssert.Result(await _t.CallAsync("state_getAccount", s_alice)).GetProperty("free").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(ulong.Parse(burn, System.Globalization.CultureInfo.InvariantCulture) + ChainConstants.TransactionFee, before - after);
    }

    [Fact]
    public async Task Metagraph_has_one_entry_per_uid_in_every_array()
    {
        _t.Submit(_t.Sign(TestKeys.Alice, new BurnedRegisterCall(TestChain.Subnet1, TestKeys.Hotkey(1).PublicKey)));
        _t.Produce();
        _t.Submit(_t.Sign(TestKeys.Alice, new AddStakeCall(TestKeys.Hotkey(1).PublicKey, TestChain.Subnet1, Rao.FromTao(10))));
        _t.Submit(_t.Sign(TestKeys.Hotkey(1), new ServeAxonCall(TestChain.Subnet1, 1, 0x7F000001, 8091, 4, 4)));
        _t.Produce();

        JsonElement m = RpcAssert.Result(await _t.CallAsync("subnet_getMetagraph", 1));

        Assert.Equal(2, m.GetProperty("n").GetInt32());
        Assert.Equal(2UL, m.GetProperty("block").GetUInt64());
        string[] arrays = ["hotkeys", "coldkeys", "stake", "active", "lastUpdate", "blockAtRegistration", "validatorPermit", "consensus", "incentive", "dividends", "emission", "validatorTrust", "pruningScore", "axons"];
        foreach (string array in arrays)
        {
            Assert.Equal(2, m.GetProperty(array).GetArrayLength());
        }

        Assert.Equal([TestKeys.OwnerHotkey.Ss58Address, TestKeys.Hotkey(1).Ss58Address], m.GetProperty("hotkeys").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([TestKeys.Owner.Ss58Address, s_alice], m.GetProperty("coldkeys").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["0", "10000000000"], m.GetProperty("stake").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1UL, m.GetProperty("blockAtRegistration")[1].GetUInt64());
        Assert.Equal(JsonValueKind.Null, m.GetProperty("axons")[0].ValueKind);
        JsonElement axon = m.GetProperty("axons")[1];
        Assert.Equal("127.0.0.1", axon.GetProperty("ip").GetString());
        Assert.Equal(8091, axon.GetProperty("port").GetInt32());
        Assert.Equal(4, axon.GetProperty("ipType").GetInt32());
    }

    [Fact]
    public async Task Metagraph_is_rebuilt_when_the_best_block_changes()
    {
        JsonElement before = RpcAssert.Result(await _t.CallAsync("subnet_getMetagraph", 1)).Clone();
        _t.Submit(_t.Sign(TestKeys.Alice, new BurnedRegisterCall(TestChain.Subnet1, TestKeys.Hotkey(1).PublicKey)));
        _t.Produce();

        JsonElement after = RpcAssert.Result(await _t.CallAsync("subnet_getMetagraph", 1));

        Assert.Equal(1, before.GetProperty("n").GetInt32());
        Assert.Equal(2, after.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Weights_and_stake_after_set_weights()
    {
        _t.Submit(_t.Sign(TestKeys.Alice, new BurnedRegisterCall(TestChain.Subnet1, TestKeys.Hotkey(1).PublicKey)));
        _t.ProduceUntil(8); // the epoch of block 8 hands out validator permits
        _t.Submit(_t.Sign(TestKeys.OwnerHotkey, new SetWeightsCall(TestChain.Subnet1, [0, 1], [43690, 21845], 0)));
        _t.Submit(_t.Sign(TestKeys.Alice, new AddStakeCall(TestKeys.Hotkey(1).PublicKey, TestChain.Subnet1, Rao.FromTao(3))));
        _t.Produce();

        JsonElement row = RpcAssert.Result(await _t.CallAsync("subnet_getWeights", 1, 0));
        JsonElement all = RpcAssert.Result(await _t.CallAsync("subnet_getWeights", 1));
        JsonElement stake = RpcAssert.Result(await _t.CallAsync("stake_get", s_alice, TestKeys.Hotkey(1).Ss58Address, 1));

        Assert.Equal("[[0,65535],[1,32768]]", row.GetRawText());
        Assert.Equal("[[[0,65535],[1,32768]],[]]", all.GetRawText());
        Assert.Equal("3000000000", stake.GetString());
        RpcAssert.Error(await _t.CallAsync("subnet_getWeights", 1, 5), RpcErrorCode.InvalidParams);
    }

    [Fact]
    public async Task Commits_list_each_unrevealed_commit_with_its_reveal_window()
    {
        TestNode t = new(hp => hp[HyperparameterId.CommitRevealEnabled] = 1);
        Extrinsic commit = t.Builder.CommitWeights(TestKeys.OwnerHotkey, 0, 64, TestChain.Subnet1, [0], [1], Blake2b.Hash256([1]));
        t.Submit(commit);
        t.Produce();

        JsonElement commits = RpcAssert.Result(await t.CallAsync("subnet_getCommits", 1));
        JsonElement mine = RpcAssert.Result(await t.CallAsync("subnet_getCommits", 1, TestKeys.OwnerHotkey.Ss58Address));
        JsonElement others = RpcAssert.Result(await t.CallAsync("subnet_getCommits", 1, s_bob));

        JsonElement entry = Assert.Single(commits.EnumerateArray());
        Assert.Equal(TestKeys.OwnerHotkey.Ss58Address, entry.GetProperty("hotkey").GetString());
        Assert.Equal(((CommitWeightsCall)commit.Call).Commit.ToString(), entry.GetProperty("commit").GetString());
        Assert.Equal(1UL, entry.GetProperty("commitBlock").GetUInt64());
        // epoch(1) = (1 + 2) / 11 = 0, so the window is epoch 1: blocks 9 ..= 19.
        Assert.Equal(9UL, entry.GetProperty("revealFirstBlock").GetUInt64());
        Assert.Equal(19UL, entry.GetProperty("revealLastBlock").GetUInt64());
        Assert.Equal(1, mine.GetArrayLength());
        Assert.Equal(0, others.GetArrayLength());
    }

    [Fact]
    public async Task Parameters_may_be_given_by_name()
    {
        JsonElement account = RpcAssert.Result(await _t.RawAsync($$$"""{"jsonrpc":"2.0","id":"a","method":"state_getAccount","params":{"address":"{{{s_alice}}}"}}"""));
        JsonElement stake = RpcAssert.Result(await _t.RawAsync($$$"""{"jsonrpc":"2.0","id":"b","method":"stake_get","params":{"netuid":1,"hotkey":"{{{s_bob}}}","coldkey":"{{{s_alice}}}"}}"""));

        Assert.Equal("1000000000000", account.GetProperty("free").GetString());
        Assert.Equal("0", stake.GetString());
    }

    [Fact]
    public async Task The_id_is_echoed_as_given()
    {
        using JsonDocument text = await _t.RawAsync("""{"jsonrpc":"2.0","id":"req-7","method":"system_health"}""");
        using JsonDocument number = await _t.RawAsync("""{"jsonrpc":"2.0","id":42,"method":"system_health"}""");

        Assert.Equal("req-7", text.RootElement.GetProperty("id").GetString());
        Assert.Equal(42, number.RootElement.GetProperty("id").GetInt32());
    }

    private static string Hex(Extrinsic extrinsic) => "0x" + Convert.ToHexStringLower(extrinsic.Encoded);
}
