// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using System.Text.Json;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Chain.Tests.Builders;
using FsCheck;
using FsCheck.Fluent;

namespace Bittensor.Edge.Chain.Tests.Rpc;

public sealed class MalformedRequestTests
{
    private readonly TestNode _t = new();

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_info\"")]
    [InlineData("\u00ff\u00fe")]
    public async Task Malformed_JSON_is_a_parse_error_with_a_null_id(string body)
    {
        using JsonDocument response = await _t.RawAsync(body);

        RpcAssert.Error(response, RpcErrorCode.ParseError);
        Assert.Equal(JsonValueKind.Null, response.RootElement.GetProperty("id").ValueKind);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"1.0","id":1,"method":"system_info"}""")]
    [InlineData("""{"id":1,"method":"system_info"}""")]
    [InlineData("""{"jsonrpc":2.0,"id":1,"method":"system_info"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":7}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"system_info","params":"x"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":{"a":1},"method":"system_info"}""")]
    [InlineData("""42""")]
    [InlineData("""[]""")]
    [InlineData("""[1]""")]
    public async Task A_request_that_is_not_JSON_RPC_2_0_is_an_invalid_request(string body)
    {
        using JsonDocument response = await _t.RawAsync(body);

        JsonElement root = response.RootElement.ValueKind == JsonValueKind.Array ? response.RootElement[0] : response.RootElement;
        Assert.Equal(RpcErrorCode.InvalidRequest, root.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("InvalidRequest", root.GetProperty("error").GetProperty("data").GetProperty("name").GetString());
    }

    [Fact]
    public async Task An_unknown_method_is_method_not_found()
    {
        using JsonDocument response = await _t.CallAsync("eth_blockNumber");

        RpcAssert.Error(response, RpcErrorCode.MethodNotFound);
        Assert.Equal(1, response.RootElement.GetProperty("id").GetInt32());
    }

    [Theory]
    [InlineData("chain_getBlockHash", "[]")]
    [InlineData("chain_getBlockHash", "[-1]")]
    [InlineData("chain_getBlockHash", "[1.5]")]
    [InlineData("chain_getBlockHash", "[1,2]")]
    [InlineData("chain_getHeader", "[true]")]
    [InlineData("chain_getHeader", "[\"0x1234\"]")]
    [InlineData("chain_waitNewHead", "[0]")]
    [InlineData("state_getAccount", "[\"5NotAnAddress\"]")]
    [InlineData("state_getAccount", "[]")]
    [InlineData("state_getAccount", "{\"addr\":\"x\"}")]
    [InlineData("author_submitExtrinsic", "[\"0xabc\"]")]
    [InlineData("author_submitExtrinsic", "[\"abcd\"]")]
    [InlineData("author_submitExtrinsic", "[\"0xzz\"]")]
    [InlineData("author_extrinsicStatus", "[\"0x00\"]")]
    [InlineData("subnet_getInfo", "[65536]")]
    [InlineData("subnet_getInfo", "[\"one\"]")]
    [InlineData("subnet_getMetagraph", "[]")]
    [InlineData("subnet_getCommits", "[1, 7]")]
    [InlineData("stake_get", "[1, 2, 3]")]
    [InlineData("system_info", "[1]")]
    public async Task Bad_parameters_are_invalid_params_naming_the_problem(string method, string parameters)
    {
        using JsonDocument response = await _t.RawAsync($$"""{"jsonrpc":"2.0","id":3,"method":"{{method}}","params":{{parameters}}}""");

        RpcAssert.Error(response, RpcErrorCode.InvalidParams);
    }

    [Fact]
    public async Task A_batch_answers_each_request_in_order_and_skips_notifications()
    {
        using JsonDocument response = await _t.RawAsync("""
            [{"jsonrpc":"2.0","id":1,"method":"system_health"},
             {"jsonrpc":"2.0","method":"system_health"},
             {"jsonrpc":"2.0","id":2,"method":"nope"},
             {"jsonrpc":"2.0","id":3,"method":"chain_getBlockHash","params":[0]}]
            """);

        JsonElement[] answers = [.. response.RootElement.EnumerateArray()];
        Assert.Equal([1, 2, 3], answers.Select(a => a.GetProperty("id").GetInt32()));
        Assert.True(answers[0].TryGetProperty("result", out _));
        Assert.Equal(RpcErrorCode.MethodNotFound, answers[1].GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(_t.Genesis.Hash.ToString(), answers[2].GetProperty("result").GetString());
    }

    [Fact]
    public async Task A_notification_gets_no_response()
    {
        byte[] single = await _t.Handler.HandleAsync("""{"jsonrpc":"2.0","method":"system_health"}"""u8.ToArray(), TestContext.Current.CancellationToken);
        byte[] batch = await _t.Handler.HandleAsync("""[{"jsonrpc":"2.0","method":"system_health"}]"""u8.ToArray(), TestContext.Current.CancellationToken);

        Assert.Empty(single);
        Assert.Empty(batch);
    }

    [Fact]
    public async Task A_batch_over_the_limit_is_refused()
    {
        string body = "[" + string.Join(',', Enumerable.Repeat("""{"jsonrpc":"2.0","id":1,"method":"system_health"}""", ChainRpcHandler.MaxBatchSize + 1)) + "]";

        RpcAssert.Error(await _t.RawAsync(body), RpcErrorCode.InvalidRequest);
    }

    [Fact]
    public async Task Deeply_nested_JSON_is_refused_without_an_exception()
    {
        string body = new string('[', 10_000) + new string(']', 10_000);

        RpcAssert.Error(await _t.RawAsync(body), RpcErrorCode.ParseError);
    }

    [Fact]
    public async Task Arbitrary_bytes_always_get_a_JSON_RPC_error_and_never_an_exception()
    {
        ChainRpcHandler handler = _t.Handler;
        Prop.ForAll(
            ArbMap.Default.ArbFor<byte[]>(),
            bytes =>
            {
                byte[] response = handler.HandleAsync(bytes).AsTask().GetAwaiter().GetResult();
                using JsonDocument json = JsonDocument.Parse(response);
                return json.RootElement.TryGetProperty("error", out JsonElement error)
                    && error.GetProperty("code").GetInt32() is RpcErrorCode.ParseError or RpcErrorCode.InvalidRequest;
            }).QuickCheckThrowOnFailure();

        // A valid request still works afterwards.
        RpcAssert.Result(await _t.CallAsync("system_info"));
    }

    [Fact]
    public async Task Mutated_valid_requests_never_throw_and_always_answer_JSON()
    {
        byte[] valid = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":9,"method":"subnet_getWeights","params":[1,0]}""");
        ChainRpcHandler handler = _t.Handler;
        Prop.ForAll(
            Gen.Choose(0, valid.Length - 1).Two().Select(t => (t.Item1, t.Item2)).ToArbitrary(),
            ArbMap.Default.ArbFor<byte>(),
            (positions, value) =>
            {
                byte[] mutated = (byte[])valid.Clone();
                mutated[positions.Item1] = value;
                mutated[positions.Item2] ^= 0x20;
                byte[] response = handler.HandleAsync(mutated).AsTask().GetAwaiter().GetResult();
                if (response.Length == 0)
                {
                    // Only a notification (the mutation broke the "id" key) goes unanswered.
                    return mutated.AsSpan().IndexOf("\"id\""u8) < 0;
                }

                using JsonDocument json = JsonDocument.Parse(response);
                return json.RootElement.TryGetProperty("result", out _) || json.RootElement.TryGetProperty("error", out _);
            }).QuickCheckThrowOnFailure();

        RpcAssert.Result(await _t.CallAsync("system_info"));
    }
}
