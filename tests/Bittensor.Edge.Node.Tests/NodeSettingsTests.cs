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
