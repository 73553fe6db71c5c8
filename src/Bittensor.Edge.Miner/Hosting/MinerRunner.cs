// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Hosting;
using Bittensor.Edge.Core.Settings;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Miner.Settings;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Miner.Hosting;

/// <summary>
/// Runs the device host from a settings file and flag overrides: load and validate the settings (errors name each bad
/// key, exit 2), set up console logging at <c>device:logLevel</c> (journald keeps stdout), run <see cref="MinerHost"/>
/// until SIGTERM or Ctrl-C.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class MinerRunner
{
    /// <summary>Runs until SIGTERM or SIGINT (Ctrl-C), then stops cleanly; returns the exit code.</summary>
    public static Task<int> RunUntilSignalAsync(string? configPath, IReadOnlyDictionary<string, string?> flags, TextWriter error) =>
        ProcessSignals.RunUntilSignalledAsync(stop => RunAsync(configPath, flags, error, stop));

    /// <summary>Runs until <paramref name="stop"/> is cancelled; returns the exit code.</summary>
    public static async Task<int> RunAsync(string? configPath, IReadOnlyDictionary<string, string?> flags, TextWriter error, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(error);
        if (!MinerSettingsLoader.TryLoad(configPath, SettingsSources.ProcessEnvironment(), flags, out MinerSettings? settings, out List<string> errors))
        {
            foreach (string problem in errors)
            {
                await error.WriteLineAsync($"bte-miner: {problem}").ConfigureAwait(false);
            }

            return MinerConstants.ExitUsage;
        }

        LogLevel level = MinerSettingsValidator.TryParseLogLevel(settings.Device.LogLevel, out LogLevel parsed) ? parsed : LogLevel.Information;
        using ILoggerFactory loggerFactory = CreateLoggerFactory(level);
        using MinerHost host = new(settings, new MinerHostEnvironment(loggerFactory, SystemClock.Instance, Environment.GetEnvironmentVariable, Environment.ProcessId));
        return await host.RunAsync(stop).ConfigureAwait(false);
    }

    /// <summary>Our services' console logging (<see cref="ServiceLogging"/>), MQTTnet at Warning.</summary>
    public static ILoggerFactory CreateLoggerFactory(LogLevel level) => ServiceLogging.CreateConsoleFactory(level, "MQTTnet");
}
