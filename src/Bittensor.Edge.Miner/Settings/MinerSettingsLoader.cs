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
        settings = null;
        errors = [];
        if (SettingsFile.TryBuild(configPath, environment, flags, s_sections, errors, out string baseDirectory) is not { } configuration)
        {
            return false;
        }

        MinerSettings bound = new();
        SettingsFile.CheckKeys(configuration.GetSection("device"), ["board", "dataDir", "stateDir", "trustClock", "timeSyncFile", "rtcDevice", "hardwareRoot", "logLevel", "trimMemory"], errors);
        SettingsFile.CheckKeys(configuration.GetSection("bus"), ["maxConcurrentRequests", "shutdownGraceS", "reclaimAfterMb"], errors);
        SettingsFile.CheckKeys(configuration.GetSection("storage"), ["quotaBytes", "reserveFraction"], errors);
        SettingsFile.CheckKeys(configuration.GetSection("inference"), ["bundledModels", "preload", "intraOpThreads"], errors);
        SettingsFile.CheckKeys(configuration.GetSection("telemetry"), ["telemetryPeriodS"], errors);
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
}
