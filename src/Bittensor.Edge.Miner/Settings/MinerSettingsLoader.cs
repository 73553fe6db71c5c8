// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Bittensor.Edge.Miner.Settings;

/// <summary>
/// Builds <see cref="MinerSettings"/> from its sources, later ones winning: the defaults in code, the settings file
/// (JSON with comments), <c>BTE_&lt;section&gt;__&lt;key&gt;</c> environment variables, then flags. Binding goes through
/// the configuration binding source generator (no reflection).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class MinerSettingsLoader
{
    private static readonly string[] s_sections = ["device", "bus", "storage", "inference", "telemetry"];

    /// <summary>
    /// Loads and validates the settings. Of <paramref name="environment"/> only <c>BTE_&lt;section&gt;__&lt;key&gt;</c> with one of
    /// this file's sections is read; <paramref name="flags"/> maps <c>section:key</c> to a value. On failure,
    /// <paramref name="errors"/> names every bad key.
    /// </summary>
    public static bool TryLoad(
        string? configPath,
        IEnumerable<KeyValuePair<string, string?>> environment,
        IReadOnlyDictionary<string, string?> flags,
        [NotNullWhen(true)] out MinerSettings? settings,
        out List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(flags);
        settings = null;
        errors = [];
        string baseDirectory = Directory.GetCurrentDirectory();
        ConfigurationBuilder builder = new();
        if (configPath is not null)
        {
            string fullPath = Path.GetFullPath(configPath);
            if (!File.Exists(fullPath))
            {
                errors.Add($"--config: the settings file {fullPath} does not exist.");
                return false;
            }

            baseDirectory = Path.GetDirectoryName(fullPath)!;
            builder.AddJsonFile(fullPath, optional: false, reloadOnChange: false);
        }

        builder.AddInMemoryCollection(SettingsSources.FromEnvironment(environment, s_sections));
        builder.AddInMemoryCollection(flags);
        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException or System.Text.Json.JsonException)
        {
            errors.Add($"{configPath}: not valid JSON settings: {e.Message}");
            return false;
        }

        foreach (IConfigurationSection section in configuration.GetChildren())
        {
            if (!s_sections.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{section.Key}: unknown section (expected {string.Join(", ", s_sections)}).");
            }
        }

        MinerSettings bound = new();
        CheckKeys(configuration.GetSection("device"), ["board", "dataDir", "stateDir", "trustClock", "timeSyncFile", "rtcDevice", "hardwareRoot", "logLevel", "trimMemory"], errors);
        CheckKeys(configuration.GetSection("bus"), ["maxConcurrentRequests", "shutdownGraceS", "reclaimAfterMb"], errors);
        CheckKeys(configuration.GetSection("storage"), ["quotaBytes", "reserveFraction"], errors);
        CheckKeys(configuration.GetSection("inference"), ["bundledModels", "preload", "intraOpThreads"], errors);
        CheckKeys(configuration.GetSection("telemetry"), ["telemetryPeriodS"], errors);
        try
        {
            configuration.GetSection("device").Bind(bound.Device);
            configuration.GetSection("bus").Bind(bound.Bus);
            configuration.GetSection("storage").Bind(bound.Storage);
            configuration.GetSection("inference").Bind(bound.Inference);
            configuration.GetSection("telemetry").Bind(bound.Telemetry);
        }
        catch (InvalidOperationException e)
        {
            errors.Add(e.Message);
        }

        if (errors.Count > 0)
        {
            return false;
        }

        DeviceSection device = bound.Device;
        device.DataDir = SettingsSources.ResolvePath(baseDirectory, device.DataDir);
        device.StateDir = SettingsSources.ResolvePath(baseDirectory, device.StateDir);
        device.TimeSyncFile = SettingsSources.ResolvePath(baseDirectory, device.TimeSyncFile);
        device.RtcDevice = SettingsSources.ResolvePath(baseDirectory, device.RtcDevice);
        device.HardwareRoot = SettingsSources.ResolvePath(baseDirectory, device.HardwareRoot);
        errors.AddRange(MinerSettingsValidator.Validate(bound));
        if (errors.Count > 0)
        {
            return false;
        }

        settings = bound;
        return true;
    }

    private static void CheckKeys(IConfigurationSection section, string[] known, List<string> errors) =>
        SettingsSources.CheckKeys(section.Key, section.GetChildren().Select(static child => child.Key), known, errors);
}
