// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Tests.Genesis;

public sealed class GenesisTests
{
    private static readonly string s_authority = TestKeys.Authority.Ss58Address;
    private static readonly string s_alice = TestKeys.Alice.Ss58Address;
    private static readonly string s_bob = TestKeys.Bob.Ss58Address;
    private static readonly string s_owner = TestKeys.Owner.Ss58Address;
    private static readonly string s_ownerHotkey = TestKeys.OwnerHotkey.Ss58Address;

    private static string Minimal => $$"""
        { "chain_id": "bte-dev", "genesis_time_ms": 1767225600000, "authorities": ["{{s_authority}}"],
          "balances": [{ "address": "{{s_alice}}", "rao": "1000000000000" }, { "address": "{{s_bob}}", "rao": "5" }],
          "subnets": [{ "netuid": 1, "owner": "{{s_owner}}", "owner_hotkey": "{{s_ownerHotkey}}", "hyperparameters": { "tempo": 10 } }] }
        """;

    private static GenesisConfig Parse(string json)
    {
        Assert.True(GenesisParser.TryParse(Encoding.UTF8.GetBytes(json), out GenesisConfig? genesis, out string? error), error);
        return genesis;
    }

    private static string Error(string json)
    {
        Assert.False(GenesisParser.TryParse(Encoding.UTF8.GetBytes(json), out _, out string? error));
        return error;
    }

    [Fact]
    public void The_genesis_hash_is_stable_across_parses()
    {
        Assert.Equal(Parse(Minimal).Hash, Parse(Minimal).Hash);
    }

    [Fact]
    public void Spelling_out_defaults_does_not_change_the_genesis_hash()
    {
        string spelled = $$"""
            { "chain_id": "bte-dev", "genesis_time_ms": 1767225600000, "block_time_ms": 12000, "authorities": ["{{s_authority}}"],
              "balances": [{ "rao": "5", "address": "{{s_bob}}" }, { "address": "{{s_alice}}", "rao": "1000000000000" }],
              "network_cost": "10000000000",
              "subnets": [{ "netuid": 1, "owner": "{{s_owner}}", "owner_hotkey": "{{s_ownerHotkey}}",
                            "hyperparameters": { "tempo": 10, "max_allowed_uids": 256, "yuma3": true, "commit_reveal_enabled": false } }],
              "dev": { "allow_loopback_axons": false } }
            """;

        Assert.Equal(Parse(Minimal).Hash, Parse(spelled).Hash);
    }

    [Fact]
    public void The_genesis_hash_is_blake2b_of_the_tag_and_the_canonical_encoding()
    {
        GenesisConfig genesis = Parse(Minimal);

        Assert.Equal(Blake2b.Hash256([.. "bte/genesis/v1"u8, .. genesis.Encoded]), genesis.Hash);
        byte[] encoded = [.. genesis.Encoded];
        Assert.Equal(7u, BitConverter.ToUInt32(encoded, 0));
        Assert.Equal("bte-dev", Encoding.UTF8.GetString(encoded, 4, 7));
        Assert.Equal(1_767_225_600_000UL, BitConverter.ToUInt64(encoded, 11));
        Assert.Equal(12_000UL, BitConverter.ToUInt64(encoded, 19));
        Assert.Equal(0UL, BitConverter.ToUInt64(encoded, encoded.Length - 8));
    }

    [Fact]
    public void Changing_any_value_changes_the_genesis_hash()
    {
        GenesisConfig baseline = Parse(Minimal);

        Assert.NotEqual(baseline.Hash, Parse(Minimal.Replace("\"tempo\": 10", "\"tempo\": 11", StringComparison.Ordinal)).Hash);
        Assert.NotEqual(baseline.Hash, Parse(Minimal.Replace("\"rao\": \"5\"", "\"rao\": \"6\"", StringComparison.Ordinal)).Hash);
        Assert.NotEqual(baseline.Hash, Parse(Minimal.Replace("bte-dev", "bte-test", StringComparison.Ordinal)).Hash);
    }

    [Fact]
    public void Written_json_parses_back_to_the_same_hash()
    {
        GenesisConfig genesis = DevGenesis.Create(TestKeys.Authority.PublicKey, TestKeys.Sudo.PublicKey, [TestKeys.Alice.PublicKey, TestKeys.Bob.PublicKey], 1_767_225_600_000);

        Assert.True(GenesisParser.TryParse(GenesisParser.ToJson(genesis), out GenesisConfig? back, out string? error), error);
        Assert.Equal(genesis.Hash, back.Hash);
    }

    [Fact]
    public void The_dev_genesis_funds_the_dev_accounts_and_sudo_and_allows_loopback()
    {
        GenesisConfig genesis = DevGenesis.Create(TestKeys.Authority.PublicKey, TestKeys.Sudo.PublicKey, [TestKeys.Alice.PublicKey], 1);

        Assert.True(genesis.AllowLoopbackAxons);
        Assert.Equal(TestKeys.Sudo.PublicKey, genesis.Sudo);
        Assert.Equal(2, genesis.Balances.Length);
        Assert.All(genesis.Balances, b => Assert.Equal(DevGenesis.DefaultBalance, b.Amount));
    }

    [Theory]
    [InlineData("\"colour\": 1", "colour")]
    [InlineData("\"dev\": { \"fast\": true }", "dev.fast")]
    public void Unknown_keys_are_errors_that_name_the_key(string extra, string named)
    {
        string json = Minimal.TrimEnd().TrimEnd('}') + ", " + extra + " }";

        Assert.Contains(named, Error(json), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_hyperparameters_are_errors_that_name_the_key()
    {
        string json = Minimal.Replace("\"tempo\": 10", "\"tempo\": 10, \"speed\": 3", StringComparison.Ordinal);

        Assert.Contains("subnets[0].hyperparameters.speed", Error(json), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"genesis_time_ms\": 1, \"authorities\": [\"AUTH\"] }", "chain_id")]
    [InlineData("{ \"chain_id\": \"x\", \"authorities\": [\"AUTH\"] }", "genesis_time_ms")]
    [InlineData("{ \"chain_id\": \"x\", \"genesis_time_ms\": 1, \"authorities\": [] }", "authorities")]
    [InlineData("{ \"chain_id\": \"\", \"genesis_time_ms\": 1, \"authorities\": [\"AUTH\"] }", "chain_id")]
    [InlineData("{ \"chain_id\": \"x\", \"genesis_time_ms\": 1, \"block_time_ms\": 0, \"authorities\": [\"AUTH\"] }", "block_time_ms")]
    [InlineData("{ \"chain_id\": \"x\", \"genesis_time_ms\": 1, \"authorities\": [\"AUTH\", \"AUTH\"] }", "twice")]
    [InlineData("{ \"chain_id\": \"x\", \"genesis_time_ms\": 1, \"authorities\": [\"nope\"] }", "authorities[0]")]
    [InlineData("{ \"chain_id\": \"x\", \"genesis_time_ms\": 1, \"authorities\": [\"AUTH\"], \"network_cost\": 5 }", "network_cost")]
    [InlineData("{ \"chain_id\": \"x\", \"genesis_time_ms\": 1, \"chain_id\": \"y\", \"authorities\": [\"AUTH\"] }", "twice")]
    public void Invalid_genesis_files_are_rejected_with_a_reason(string json, string named)
    {
        Assert.Contains(named, Error(json.Replace("AUTH", s_authority, StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_balances_are_rejected()
    {
        string json = Minimal.Replace(s_bob, s_alice, StringComparison.Ordinal);

        Assert.Contains("twice", Error(json), StringComparison.Ordinal);
    }

    [Fact]
    public void Genesis_state_holds_the_balances_and_the_preset_subnets()
    {
        GenesisConfig genesis = Parse(Minimal);
        MemoryStateStore store = new();
        GenesisState.Initialize(store, genesis);
        ChainState state = new(new StateOverlay(store));

        Assert.Equal(new Rao(1_000_000_000_005), state.TotalIssuance);
        Assert.Equal(new Rao(5), state.GetAccount(TestKeys.Bob.PublicKey).Free);
        Assert.True(state.TryGetSubnet(new Netuid(1), out SubnetInfo? subnet));
        Assert.Equal((ushort)10, subnet.Hyperparameters.Tempo);
        Assert.Equal(ChainConstants.InitialBurn, subnet.Burn.Value);
        Assert.True(state.TryGetUid(new Netuid(1), TestKeys.OwnerHotkey.PublicKey, out Uid uid));
        Assert.Equal(new Uid(0), uid);
    }

    [Fact]
    public void Genesis_hyperparameters_may_lie_outside_the_set_hyperparameter_bounds()
    {
        GenesisConfig genesis = Parse(Minimal.Replace("\"tempo\": 10", "\"tempo\": 2", StringComparison.Ordinal));

        Assert.Equal(2UL, genesis.Subnets[0].Hyperparameters[HyperparameterId.Tempo]);
    }
}
