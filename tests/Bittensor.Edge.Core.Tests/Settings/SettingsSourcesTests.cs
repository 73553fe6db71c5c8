// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Settings;

namespace Bittensor.Edge.Core.Tests.Settings;

public sealed class SettingsSourcesTests
{
    [Fact]
    public void Only_BTE_section__key_variables_of_known_sections_become_overrides()
    {
        KeyValuePair<string, string?>[] environment =
        [
            new("BTE_node__dataDir", "/data"),
            new("bte_RPC__port", "9000"),
            new("BTE_WALLET_PATH", "/wallets"),
            new("BTE_other__x", "1"),
            new("BTE___x", "1"),
            new("HOME", "/root"),
        ];

        Dictionary<string, string?> values = SettingsSources.FromEnvironment(environment, ["node", "rpc"]);

        Assert.Equal(2, values.Count);
        Assert.Equal("/data", values["node:dataDir"]);
        Assert.Equal("9000", values["RPC:port"]);
    }

    [Fact]
    public void Unknown_keys_are_named_with_the_known_ones()
    {
        List<string> errors = [];
        SettingsSources.CheckKeys("mqtt", ["port", "Port", "prot"], ["port", "listenAddress"], errors);
        string error = Assert.Single(errors);
        Assert.Contains("mqtt:prot", error, StringComparison.Ordinal);
        Assert.Contains("port, listenAddress", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Relative_paths_and_file_uris_resolve_against_the_settings_folder()
    {
        Assert.Equal("/etc/bte/data", SettingsSources.ResolvePath("/etc/bte", "data"));
        Assert.Equal("/abs", SettingsSources.ResolvePath("/etc/bte", "/abs"));
        Assert.Equal("", SettingsSources.ResolvePath("/etc/bte", ""));
        Assert.Equal("file:///etc/bte/keys/a key", SettingsSources.ResolveFileUri("/etc/bte", "file://keys/a%20key"));
        Assert.Equal("file:///k", SettingsSources.ResolveFileUri("/etc/bte", "file:///k"));
        Assert.Equal("env://BTE_KEY", SettingsSources.ResolveFileUri("/etc/bte", "env://BTE_KEY"));
        Assert.Equal("file://", SettingsSources.ResolveFileUri("/etc/bte", "file://"));
    }
}
