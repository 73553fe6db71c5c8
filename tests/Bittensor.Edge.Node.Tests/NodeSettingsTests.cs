// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Node.Tests;

public sealed class NodeSettingsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bte-settings-" + Guid.NewGuid().ToString("N"));

    public NodeSettingsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_shipped_settings_file_is_the_documented_default()
    {
        string shipped = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, NodeConstants.SettingsFileName));
        Assert.Equal(NodeSettingsTemplate.Render(new NodeSettings()), shipped);
        Assert.True(Load(Path.Combine(AppContext.BaseDirectory, NodeConstants.SettingsFileName), [], NoFlags, out NodeSettings? settings, out List<string> errors), string.Join('\n', errors));
        Assert.Equal(9944, settings.Rpc.Port);
        Assert.Equal("127.0.0.1", settings.Rpc.ListenAddress);
    }

    [Fact]
    public void Later_sources_win_file_then_environment_then_flags()
    {
        string path = Write("""
            // comments are allowed
            { "node": { "logLevel": "Debug", "dataDir": "chain" }, "rpc": { "port": 1000, "listenAddress": "0.0.0.0" } }
            """);
        Dictionary<string, string?> env = new()
        {
            ["BTE_rpc__port"] = "2000",
            ["BTE_rpc__listenAddress"] = "::1",
            ["BTE_WALLET_PATH"] = "/somewhere",
            ["PATH"] = "/usr/bin",
        };

        Assert.True(Load(path, env, new Dictionary<string, string?> { ["rpc:port"] = "3000" }, out NodeSettings? settings, out List<string> errors), string.Join('\n', errors));
        Assert.Equal(3000, settings.Rpc.Port);
        Assert.Equal("::1", settings.Rpc.ListenAddress);
        Assert.Equal("Debug", settings.Node.LogLevel);
        Assert.Equal(Path.Combine(_dir, "chain"), settings.Node.DataDir);
        Assert.Equal(Path.Combine(_dir, "genesis.json"), settings.Node.GenesisPath);
    }

    [Fact]
    public void Relative_key_files_resolve_against_the_settings_folder()
    {
        string path = Write("""{ "node": { "authorKeyUri": "file://keys/authority.key" } }""");
        Assert.True(Load(path, [], NoFlags, out NodeSettings? settings, out _));
        Assert.Equal("file://" + Path.Combine(_dir, "keys", "authority.key"), settings.Node.AuthorKeyUri);
    }

    [Fact]
    public void Every_bad_key_is_named()
    {
        string path = Write("""
            { "node": { "logLevel": "Loud", "authorKeyUri": "s3://bucket/key", "colour": "blue" },
              "rpc": { "listenAddress": "localhost", "port": 70000, "maxBodyBytes": 10 },
              "extra": {} }
            """);

        Assert.False(Load(path, [], NoFlags, out _, out List<string> errors));
        string all = string.Join('\n', errors);
        Assert.Contains("node:colour", all, StringComparison.Ordinal);
        Assert.Contains("extra", all, StringComparison.Ordinal);

        path = Write("""{ "node": { "logLevel": "Loud", "authorKeyUri": "s3://bucket/key" }, "rpc": { "listenAddress": "localhost", "port": 70000, "maxBodyBytes": 10 } }""");
        Assert.False(Load(path, [], NoFlags, out _, out errors));
        all = string.Join('\n', errors);
        foreach (string key in new[] { "node:logLevel", "node:authorKeyUri", "rpc:listenAddress", "rpc:port", "rpc:maxBodyBytes" })
        {
            Assert.Contains(key, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_inference_validator_keys_are_checked_and_modelsDir_resolves_against_the_settings_folder()
    {
        string path = Write("""
            { "validator": { "enabled": true, "hotkeyUri": "file://v.key", "inferenceEnabled": true, "modelsDir": "",
                             "inferenceProviders": "CUDA,GPU", "marketSplit": 1.5, "capacityEveryRounds": 0 } }
            """);

        Assert.False(Load(path, [], NoFlags, out _, out List<string> errors));
        string all = string.Join('\n', errors);
        Assert.Contains("validator:modelsDir: required when validator:inferenceEnabled", all, StringComparison.Ordinal);
        Assert.Contains("validator:inferenceProviders: 'GPU' is not an execution provider", all, StringComparison.Ordinal);
        Assert.Contains("validator:marketSplit: 1.5 is outside 0–1", all, StringComparison.Ordinal);
        Assert.Contains("validator:capacityEveryRounds: 0", all, StringComparison.Ordinal);

        path = Write("""{ "validator": { "enabled": true, "hotkeyUri": "file://v.key", "inferenceEnabled": true, "modelsDir": "models", "marketSplit": 0.25 } }""");
        Assert.True(Load(path, [], NoFlags, out NodeSettings? settings, out errors), string.Join('\n', errors));
        Assert.Equal(Path.Combine(_dir, "models"), settings!.Validator.ModelsDir);
        Assert.Equal(0.25, settings.Validator.MarketSplit);
        Assert.Equal("CUDA,CPU", settings.Validator.InferenceProviders);
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_its_key()
    {
        Assert.False(Load(null, [new("BTE_rpc__port", "ninety")], NoFlags, out _, out List<string> errors));
        Assert.Contains("rpc:port", string.Join('\n', errors), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_missing_settings_file_is_an_error()
    {
        Assert.False(Load(Path.Combine(_dir, "absent.jsonc"), [], NoFlags, out _, out List<string> errors));
        Assert.Contains("does not exist", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Wallet_author_keys_need_a_wallet_and_a_hotkey_name()
    {
        Assert.True(AuthorKeyLoader.IsWellFormed("wallet://alice/default", out _));
        Assert.True(AuthorKeyLoader.IsWellFormed("", out _));
        Assert.False(AuthorKeyLoader.IsWellFormed("wallet://alice", out _));
        Assert.False(AuthorKeyLoader.IsWellFormed("file://", out _));
    }

    [Fact]
    public void The_validator_is_off_by_default_with_the_spec_cadence()
    {
        Assert.True(Load(Path.Combine(AppContext.BaseDirectory, NodeConstants.SettingsFileName), [], NoFlags, out NodeSettings? settings, out List<string> errors), string.Join('\n', errors));
        Assert.False(settings.Validator.Enabled);
        Assert.Equal(1, settings.Validator.Netuid);
        Assert.Equal("", settings.Validator.HotkeyUri);
        Assert.Equal(120, settings.Validator.RoundS);
        Assert.Equal(10, settings.Validator.WeightsEveryRounds);
        Assert.Equal("", settings.Validator.NodeRpcUrl);
    }

    [Fact]
    public void Validator_keys_come_from_the_file_and_BTE_validator_environment_variables()
    {
        string path = Write("""
            { "validator": { "enabled": true, "netuid": 3, "hotkeyUri": "file://keys/validator.key", "roundS": 60 } }
            """);
        Dictionary<string, string?> env = new()
        {
            ["BTE_validator__roundS"] = "24",
            ["BTE_validator__weightsEveryRounds"] = "5",
            ["BTE_validator__nodeRpcUrl"] = "http://10.0.0.2:9944",
        };

        Assert.True(Load(path, env, NoFlags, out NodeSettings? settings, out List<string> errors), string.Join('\n', errors));
        Assert.True(settings.Validator.Enabled);
        Assert.Equal(3, settings.Validator.Netuid);
        Assert.Equal("file://" + Path.Combine(_dir, "keys", "validator.key"), settings.Validator.HotkeyUri);
        Assert.Equal(24, settings.Validator.RoundS);
        Assert.Equal(5, settings.Validator.WeightsEveryRounds);
        Assert.Equal("http://10.0.0.2:9944", settings.Validator.NodeRpcUrl);

        Assert.True(Load(null, [new("BTE_validator__enabled", "true"), new("BTE_validator__hotkeyUri", "wallet://val/default")], NoFlags, out settings, out errors), string.Join('\n', errors));
        Assert.Equal("wallet://val/default", settings.Validator.HotkeyUri);
    }

    [Fact]
    public void Every_bad_validator_key_is_named()
    {
        string path = Write("""
            { "validator": { "netuid": 70000, "hotkeyUri": "s3://bucket/key", "roundS": 0, "weightsEveryRounds": 0, "nodeRpcUrl": "ftp://node" } }
            """);
        Assert.False(Load(path, [], NoFlags, out _, out List<string> errors));
        string all = string.Join('\n', errors);
        foreach (string key in new[] { "validator:netuid", "validator:hotkeyUri", "validator:roundS", "validator:weightsEveryRounds", "validator:nodeRpcUrl" })
        {
            Assert.Contains(key, all, StringComparison.Ordinal);
        }

        Assert.False(Load(null, [new("BTE_validator__enabled", "true")], NoFlags, out _, out errors));
        Assert.Contains("validator:hotkeyUri: required", Assert.Single(errors), StringComparison.Ordinal);

        Assert.False(Load(null, [new("BTE_validator__enabled", "maybe")], NoFlags, out _, out errors));
        Assert.Contains("validator:enabled", string.Join('\n', errors), StringComparison.OrdinalIgnoreCase);

        Assert.False(Load(Write("""{ "validator": { "round": 5 } }"""), [], NoFlags, out _, out errors));
        Assert.Contains("validator:round: unknown key", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "http://127.0.0.1:9944/rpc", "http://127.0.0.1:9944/rpc")]
    [InlineData("", "http://0.0.0.0:9944/rpc", "http://127.0.0.1:9944/rpc")]
    [InlineData("", "http://[::]:9944/rpc", "http://[::1]:9944/rpc")]
    [InlineData("http://10.0.0.2:9944", "http://0.0.0.0:9944/rpc", "http://10.0.0.2:9944/")]
    public void The_validator_talks_to_its_own_node_over_loopback_unless_told_otherwise(string nodeRpcUrl, string listening, string expected)
    {
        ValidatorSection validator = new() { NodeRpcUrl = nodeRpcUrl };
        Assert.Equal(new Uri(expected), NodeHost.ValidatorRpcUrl(validator, new Uri(listening)));
    }

    private static Dictionary<string, string?> NoFlags => [];

    private string Write(string json)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".jsonc");
        File.WriteAllText(path, json);
        return path;
    }

    private static bool Load(string? path, IEnumerable<KeyValuePair<string, string?>> env, IReadOnlyDictionary<string, string?> flags, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NodeSettings? settings, out List<string> errors) =>
        NodeSettingsLoader.TryLoad(path, env, flags, out settings, out errors);
}
