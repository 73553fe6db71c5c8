// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Miner.Settings;

/// <summary>The one check of <see cref="MinerSettings"/> at start-up; each problem names its key.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class MinerSettingsValidator
{
    /// <summary>The board ids a profile exists for.</summary>
    public static IReadOnlyList<string> KnownBoards { get; } = ["rpi4", "rpi5", "jetson-orin-nano", "x64-sim"];

    /// <summary>Every problem as <c>section:key: what is wrong</c>; empty when the settings are usable.</summary>
    public static List<string> Validate(MinerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        List<string> errors = [];
        DeviceSection device = settings.Device;
        if (device.Board.Length > 0 && !KnownBoards.Contains(device.Board, StringComparer.Ordinal))
        {
            errors.Add($"device:board: '{device.Board}' is not a board profile ({string.Join(", ", KnownBoards)}, or empty to detect).");
        }

        RequirePath(device.DataDir, "device:dataDir", errors);
        RequirePath(device.StateDir, "device:stateDir", errors);
        RequirePath(device.TimeSyncFile, "device:timeSyncFile", errors);
        RequirePath(device.RtcDevice, "device:rtcDevice", errors);
        RequirePath(device.HardwareRoot, "device:hardwareRoot", errors);
        if (!TryParseLogLevel(device.LogLevel, out _))
        {
            errors.Add($"device:logLevel: '{device.LogLevel}' is not one of Trace, Debug, Information, Warning, Error, Critical, None.");
        }

        if (settings.Bus.MaxConcurrentRequests is < 1 or > 64)
        {
            errors.Add($"bus:maxConcurrentRequests: {settings.Bus.MaxConcurrentRequests} is outside 1–64.");
        }

        if (settings.Bus.ShutdownGraceS is < 1 or > 60)
        {
            errors.Add($"bus:shutdownGraceS: {settings.Bus.ShutdownGraceS} is outside 1–60.");
        }

        if (settings.Bus.ReclaimAfterMb is < 0 or > 1024)
        {
            errors.Add($"bus:reclaimAfterMb: {settings.Bus.ReclaimAfterMb} is outside 0–1024.");
        }

        if (settings.Storage.QuotaBytes < 0)
        {
            errors.Add($"storage:quotaBytes: {settings.Storage.QuotaBytes} must not be negative.");
        }

        if (!(settings.Storage.ReserveFraction >= 0 && settings.Storage.ReserveFraction <= 0.9))
        {
            errors.Add($"storage:reserveFraction: {settings.Storage.ReserveFraction} is outside 0–0.9.");
        }

        if (settings.Inference.IntraOpThreads is < 0 or > 256)
        {
            errors.Add($"inference:intraOpThreads: {settings.Inference.IntraOpThreads} is outside 0–256 (0 picks one per core less one).");
        }

        if (settings.Telemetry.TelemetryPeriodS != 0 && settings.Telemetry.TelemetryPeriodS is < MinTelemetryPeriodS or > MaxTelemetryPeriodS)
        {
            errors.Add($"telemetry:telemetryPeriodS: {settings.Telemetry.TelemetryPeriodS} is outside {MinTelemetryPeriodS}–{MaxTelemetryPeriodS} (or 0 for the first-boot value).");
        }

        return errors;
    }

    /// <summary>The shortest telemetry period accepted, from settings, first boot or <c>config.set</c>.</summary>
    public const int MinTelemetryPeriodS = 10;

    /// <summary>The longest telemetry period accepted.</summary>
    public const int MaxTelemetryPeriodS = 3600;

    /// <summary>Parses a log level name (case-insensitive).</summary>
    public static bool TryParseLogLevel(string? text, out LogLevel level)
    {
        level = LogLevel.Information;
        return !string.IsNullOrWhiteSpace(text) && !char.IsAsciiDigit(text[0]) && Enum.TryParse(text, ignoreCase: true, out level) && Enum.IsDefined(level);
    }

    private static void RequirePath(string value, string key, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{key}: must name a path.");
        }
    }
}
