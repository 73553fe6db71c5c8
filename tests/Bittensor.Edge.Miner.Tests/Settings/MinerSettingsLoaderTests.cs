// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Miner.Settings;

namespace Bittensor.Edge.Miner.Tests.Settings;

public sealed class MinerSettingsLoaderTests
{
    private static readonly Dictionary<string, string?> s_noFlags = new(StringComparer.Ordinal);

    private static string ShippedFile => System.IO.Path.Combine(AppContext.BaseDirectory, "miner.settings.jsonc");

    [Fact]
    public void The_shipped_commented_file_loads_and_equals_the_defaults_in_code()
    {
        Assert.True(MinerSettingsLoader.TryLoad(ShippedFile, [], s_noFlags, out MinerSettings? fromFile, out List<string> errors), string.Join("; ", errors));
        Assert.True(MinerSettingsLoader.TryLoad(null, [], s_noFlags, out MinerSettings? defaults, out errors), string.Join("; ", errors));
        Assert.Equal(Describe(defaults), Describe(fromFile));
        Assert.Equal("/data/bte", fromFile.Device.DataDir);
        Assert.Equal("/var/lib/bte", fromFile.Device.StateDir);
        Assert.False(fromFile.Device.TrustClock);
    }

    [Fact]
    public void Environment_overrides_the_file_and_flags_override_the_environment()
    {
        using TempDir dir = new();
        File.WriteAllText(dir.Path("miner.jsonc"), """
            // comment
            { "device": { "board": "rpi4", "dataDir": "data" }, "bus": { "maxConcurrentRequests": 2 } }
            """);
        KeyValuePair<string, string?>[] environment =
        [
            new("BTE_device__board", "rpi5"),
            new("BTE_bus__maxConcurrentRequests", "8"),
            new("BTE_WALLET_PATH", "/ignored"),
            new("PATH", "/usr/bin"),
        ];
        Dictionary<string, string?> flags = new(StringComparer.Ordinal) { ["device:board"] = "x64-sim" };

        Assert.True(MinerSettingsLoader.TryLoad(dir.Path("miner.jsonc"), environment, flags, out MinerSettings? settings, out List<string> errors), string.Join("; ", errors));
        Assert.Equal("x64-sim", settings.Device.Board);
        Assert.Equal(8, settings.Bus.MaxConcurrentRequests);
        Assert.Equal(dir.Path("data"), settings.Device.DataDir); // relative to the file's folder
    }

    [Fact]
    public void Every_bad_key_is_named()
    {
        using TempDir dir = new();
        File.WriteAllText(dir.Path("miner.jsonc"), """
            { "device": { "board": "pi9", "logLevel": "Loud", "colour": "red" },
              "bus": { "maxConcurrentRequests": 0 }, "storage": { "reserveFraction": 2 },
              "telemetry": { "telemetryPeriodS": 5 }, "wifi": {} }
            """);
        Assert.False(MinerSettingsLoader.TryLoad(dir.Path("miner.jsonc"), [], s_noFlags, out _, out List<string> errors));
        string all = string.Join("\n", errors);
        Assert.Contains("wifi: unknown section", all, StringComparison.Ordinal);
        Assert.Contains("device:colour: unknown key", all, StringComparison.Ordinal);

        File.WriteAllText(dir.Path("miner.jsonc"), """
            { "device": { "board": "pi9", "logLevel": "Loud" }, "bus": { "maxConcurrentRequests": 0, "reclaimAfterMb": -1 },
              "storage": { "reserveFraction": 2 }, "telemetry": { "telemetryPeriodS": 5 } }
            """);
        Assert.False(MinerSettingsLoader.TryLoad(dir.Path("miner.jsonc"), [], s_noFlags, out _, out errors));
        all = string.Join("\n", errors);
        Assert.Contains("device:board: 'pi9'", all, StringComparison.Ordinal);
        Assert.Contains("device:logLevel: 'Loud'", all, StringComparison.Ordinal);
        Assert.Contains("bus:maxConcurrentRequests: 0", all, StringComparison.Ordinal);
        Assert.Contains("bus:reclaimAfterMb: -1 is outside 0–1024", all, StringComparison.Ordinal);
        Assert.Contains("storage:reserveFraction: 2", all, StringComparison.Ordinal);
        Assert.Contains("telemetry:telemetryPeriodS: 5", all, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_malformed_file_is_an_error_not_a_crash()
    {
        using TempDir dir = new();
        Assert.False(MinerSettingsLoader.TryLoad(dir.Path("absent.jsonc"), [], s_noFlags, out _, out List<string> errors));
        Assert.Contains("does not exist", errors[0], StringComparison.Ordinal);

        File.WriteAllText(dir.Path("bad.jsonc"), "{ \"device\": ");
        Assert.False(MinerSettingsLoader.TryLoad(dir.Path("bad.jsonc"), [], s_noFlags, out _, out errors));
        Assert.Contains("not valid JSON", errors[0], StringComparison.Ordinal);

        File.WriteAllText(dir.Path("type.jsonc"), "{ \"bus\": { \"maxConcurrentRequests\": \"many\" } }");
        Assert.False(MinerSettingsLoader.TryLoad(dir.Path("type.jsonc"), [], s_noFlags, out _, out errors));
        Assert.NotEmpty(errors);
    }

    [Fact]
    public async Task The_command_line_reports_settings_errors_with_exit_2()
    {
        using TempDir dir = new();
        File.WriteAllText(dir.Path("miner.jsonc"), "{ \"device\": { \"board\": \"pi9\" } }");
        using StringWriter error = new();
        Assert.Equal(MinerConstants.ExitUsage, await Program.RunAsync(["--config", dir.Path("miner.jsonc")], TextWriter.Null, error));
        Assert.Contains("device:board", error.ToString(), StringComparison.Ordinal);
    }

    private static string Describe(MinerSettings s) =>
        $"{s.Device.Board}|{s.Device.DataDir}|{s.Device.StateDir}|{s.Device.TrustClock}|{s.Device.TimeSyncFile}|{s.Device.RtcDevice}|{s.Device.HardwareRoot}|{s.Device.LogLevel}|"
        + $"{s.Bus.MaxConcurrentRequests}|{s.Bus.ShutdownGraceS}|{s.Storage.QuotaBytes}|{s.Storage.ReserveFraction}|"
        + $"{s.Inference.BundledModels}|{s.Inference.Preload}|{s.Inference.IntraOpThreads}|{s.Telemetry.TelemetryPeriodS}";
}
