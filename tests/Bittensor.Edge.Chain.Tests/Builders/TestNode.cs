// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using System.Text.Json;
using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Node;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;

namespace Bittensor.Edge.Chain.Tests.Builders;

/// <summary>
/// A <see cref="ChainNode"/> over <see cref="TestChain"/>'s genesis (Alice, Bob, Owner and Sudo funded, subnet 1 with
/// tempo 10) on a <see cref="ManualClock"/> at the genesis time, with its <see cref="ChainRpcHandler"/>.
/// </summary>
public sealed class TestNode
{
    public TestNode(Action<Hyperparameters>? configure = null, int statusCapacity = ChainNode.DefaultStatusCapacity)
    {
        TestChain template = new(configure);
        Genesis = template.Genesis;
        Clock = new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds((long)TestChain.GenesisTimeMs));
        Node = new ChainNode(Genesis, new MemoryStateStore(), [], TestKeys.Authority, Clock, statusCapacity);
        Handler = new ChainRpcHandler(Node, "bte-node/test");
        Builder = new ExtrinsicBuilder(Genesis.Hash);
    }

    public Bittensor.Edge.Chain.Genesis.GenesisConfig Genesis { get; }

    public ManualClock Clock { get; }

    public ChainNode Node { get; }

    public ChainRpcHandler Handler { get; }

    public ExtrinsicBuilder Builder { get; }

    public ulong Best => Node.Head.Number;

    /// <summary>Moves the clock one slot and produces that slot's block.</summary>
    public BlockReceipt Produce()
    {
        Clock.Advance(TimeSpan.FromMilliseconds(TestChain.BlockTimeMs));
        Assert.True(Node.TryProduceBlock(out BlockReceipt? receipt));
        return receipt;
    }

    public void ProduceUntil(ulong number)
    {
        while (Best < number)
        {
            Produce();
        }
    }

    public ulong NonceOf(in PublicKey account) => Node.Read(account, static (view, key) => view.State().GetAccount(key).Nonce);

    /// <summary>Signs <paramref name="call"/> with the account's on-chain nonce plus <paramref name="nonceOffset"/>, valid for 64 blocks.</summary>
    public Extrinsic Sign(Ed25519KeyPair key, RuntimeCall call, ulong nonceOffset = 0, ulong? validUntil = null) =>
        Builder.Build(key, NonceOf(key.PublicKey) + nonceOffset, validUntil ?? Best + 64, call);

    /// <summary>Submits through the node and asserts acceptance.</summary>
    public Hash256 Submit(Extrinsic extrinsic)
    {
        Assert.Equal(SubmissionError.None, Node.Submit(extrinsic));
        return extrinsic.Hash;
    }

    /// <summary>One JSON-RPC call by position; returns the parsed response.</summary>
    public Task<JsonDocument> CallAsync(string method, params object?[] parameters)
    {
        StringBuilder json = new();
        json.Append("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"").Append(method).Append("\",\"params\":[");
        for (int i = 0; i < parameters.Length; i++)
        {
            json.Append(i > 0 ? "," : "").Append(Literal(parameters[i]));
        }

        json.Append("]}");
        return RawAsync(json.ToString());
    }

    public async Task<JsonDocument> RawAsync(string body)
    {
        byte[] response = await Handler.HandleAsync(Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken);
        return JsonDocument.Parse(response);
    }

    public static string Literal(object? value) => value switch
    {
        null => "null",
        string s => JsonSerializer.Serialize(s, TestJsonContext.Default.String),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new ArgumentException("unsupported literal", nameof(value)),
    };
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class TestJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>Reads JSON-RPC responses in assertions.</summary>
public static class RpcAssert
{
    public static JsonElement Result(JsonDocument response)
    {
        Assert.False(response.RootElement.TryGetProperty("error", out JsonElement error), $"unexpected error: {error}");
        Assert.Equal("2.0", response.RootElement.GetProperty("jsonrpc").GetString());
        return response.RootElement.GetProperty("result");
    }

    public static JsonElement Error(JsonDocument response, int code)
    {
        Assert.False(response.RootElement.TryGetProperty("result", out _), "expected an error, got a result");
        JsonElement error = response.RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.Equal(RpcErrorCode.NameOf(code), error.GetProperty("data").GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        return error;
    }
}
