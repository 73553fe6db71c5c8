// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections;
using System.Runtime.InteropServices;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Miner.Settings;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

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
    public static async Task<int> RunUntilSignalAsync(string? configPath, IReadOnlyDictionary<string, string?> flags, TextWriter error)
    {
        using CancellationTokenSource signalled = new();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            signalled.Cancel();
        }

        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        return await RunAsync(configPath, flags, error, signalled.Token).ConfigureAwait(false);
    }

    /// <summary>Runs until <paramref name="stop"/> is cancelled; returns the exit code.</summary>
    public static async Task<int> RunAsync(string? configPath, IReadOnlyDictionary<string, string?> flags, TextWriter error, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(error);
        if (!MinerSettingsLoader.TryLoad(configPath, ProcessEnvironment(), flags, out MinerSettings? settings, out List<string> errors))
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

    /// <summary>Single-line console logs (journald adds its own timestamp, so ours is UTC and terse).</summary>
    public static ILoggerFactory CreateLoggerFactory(LogLevel level) => LoggerFactory.Create(logging =>
    {
        logging.SetMinimumLevel(level);
        logging.AddFilter("MQTTnet", level > LogLevel.Warning ? level : LogLevel.Warning);
        logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            options.ColorBehavior = LoggerColorBehavior.Disabled;
        });
    });

    private static IEnumerable<KeyValuePair<string, string?>> ProcessEnvironment()
    {
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            yield return new KeyValuePair<string, string?>((string)entry.Key, (string?)entry.Value);
        }
    }
}
