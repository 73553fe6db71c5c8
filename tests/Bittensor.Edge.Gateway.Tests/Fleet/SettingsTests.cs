// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Gateway.Settings;

namespace Bittensor.Edge.Gateway.Tests.Fleet;

/// <summary>Settings: the shipped file, environment overrides, and errors that name the key.</summary>
public sealed class SettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bte-gw-settings-").FullName;

    [Fact]
    public void The_shipped_settings_file_loads_and_environment_variables_and_flags_override_it()
    {
        string shipped = Path.Combine(AppContext.BaseDirectory, GatewayConstants.SettingsFileName);
        Dictionary<string, string?> environment = new() { ["BTE_mqtt__port"] = "1884", ["BTE_WALLET_PATH"] = "/ignored", ["BTE_gateway__fleetId"] = "farm" };
        Dictionary<string, string?> flags = new() { ["admin:port"] = "0" };

        Assert.True(GatewaySettingsLoader.TryLoad(shipped, environment, flags, out GatewaySettings? settings, out List<string> errors), string.Join("\n", errors));

        Assert.Equal((1884, "farm", 0, "mlp-tiny-v1"), (settings.Mqtt.Port, settings.Gateway.FleetId, settings.Admin.Port, settings.Probe.Model));
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "data"), settings.Gateway.DataDir);
        Assert.Equal("bte/farm", GatewaySettingsValidator.Topics(settings.Gateway).Base);
    }

    [Fact]
    public void Bad_and_unknown_keys_are_each_named()
    {
        string path = Path.Combine(_folder, "bad.jsonc");
        File.WriteAllText(path, """
            {
              "gateway": { "fleetId": "a/b", "busKeyUri": "http://x", "colour": "red" },
              "mqtt": { "port": 70000, "listenAddress": "everywhere", "joinConnectsPerMinute": 0 },
              "probe": { "model": "gpt-5", "leaves": 65 },
              "extra": {}
            }
            """);

        Assert.False(GatewaySettingsLoader.TryLoad(path, [], new Dictionary<string, string?>(), out _, out List<string> errors));

        string all = string.Join("\n", errors);
        foreach (string key in new[] { "gateway:colour", "extra" })
        {
            Assert.Contains(key, all, StringComparison.Ordinal);
        }

        File.WriteAllText(path, """{ "gateway": { "fleetId": "a/b", "busKeyUri": "http://x" }, "mqtt": { "port": 70000, "listenAddress": "everywhere", "joinConnectsPerMinute": 0 }, "probe": { "model": "gpt-5", "leaves": 65 } }""");
        Assert.False(GatewaySettingsLoader.TryLoad(path, [], new Dictionary<string, string?>(), out _, out errors));
        all = string.Join("\n", errors);
        foreach (string key in new[] { "gateway:fleetId", "gateway:busKeyUri", "mqtt:port", "mqtt:listenAddress", "mqtt:joinConnectsPerMinute", "probe:model", "probe:leaves" })
        {
            Assert.Contains(key, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_tls_listener_is_off_by_default_on_8883_and_needs_its_own_port()
    {
        Assert.True(GatewaySettingsLoader.TryLoad(null, [], new Dictionary<string, string?>(), out GatewaySettings? defaults, out List<string> errors), string.Join("\n", errors));
        Assert.Equal((false, 8883), (defaults.Mqtt.TlsEnabled, defaults.Mqtt.TlsPort));

        Dictionary<string, string?> environment = new() { ["BTE_mqtt__tlsEnabled"] = "true" };
        Assert.True(GatewaySettingsLoader.TryLoad(null, environment, new Dictionary<string, string?> { ["mqtt:tlsPort"] = "8884" }, out GatewaySettings? enabled, out errors), string.Join("\n", errors));
        Assert.Equal((true, 8884), (enabled.Mqtt.TlsEnabled, enabled.Mqtt.TlsPort));

        Assert.False(GatewaySettingsLoader.TryLoad(null, environment, new Dictionary<string, string?> { ["mqtt:tlsPort"] = "1883" }, out _, out errors));
        Assert.Contains("mqtt:tlsPort: 1883 is also mqtt:port", string.Join("\n", errors), StringComparison.Ordinal);
        Assert.False(GatewaySettingsLoader.TryLoad(null, [], new Dictionary<string, string?> { ["mqtt:tlsPort"] = "-1" }, out _, out errors));
        Assert.Contains("mqtt:tlsPort", string.Join("\n", errors), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
