// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections;
using System.Reflection;
using System.Runtime.InteropServices;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Gateway.Settings;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Bittensor.Edge.Gateway;

/// <summary>
/// Runs a gateway from a settings file and flag overrides: load and validate the settings (errors name each bad key,
/// exit 2), set up console logging at <c>gateway:logLevel</c>, run <see cref="GatewayHost"/> until SIGTERM or Ctrl-C.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class GatewayRunner
{
    /// <summary>The version of this build.</summary>
    public static string Version { get; } =
        typeof(GatewayRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Runs until SIGTERM or SIGINT, then stops cleanly; returns the exit code.</summary>
    public static async Task<int> RunUntilSignalAsync(string? configPath, IReadOnlyDictionary<string, string?> flags, TextWriter error, CancellationToken stop = default)
    {
        using CancellationTokenSource signalled = CancellationTokenSource.CreateLinkedTokenSource(stop);
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
        if (!GatewaySettingsLoader.TryLoad(configPath, ProcessEnvironment(), flags, out GatewaySettings? settings, out List<string> errors))
        {
            foreach (string problem in errors)
            {
                await error.WriteLineAsync($"bte-gateway: {problem}").ConfigureAwait(false);
            }

            return GatewayConstants.ExitUsage;
        }

        LogLevel level = GatewaySettingsValidator.TryParseLogLevel(settings.Gateway.LogLevel, out LogLevel parsed) ? parsed : LogLevel.Information;
        using ILoggerFactory loggerFactory = CreateLoggerFactory(level);
        GatewayHostEnvironment environment = new(loggerFactory, SystemClock.Instance, Environment.GetEnvironmentVariable);
        return await GatewayHost.RunAsync(settings, environment, stop).ConfigureAwait(false);
    }

    /// <summary>Single-line console logs for journald, ASP.NET at Warning.</summary>
    public static ILoggerFactory CreateLoggerFactory(LogLevel level) => LoggerFactory.Create(logging =>
    {
        logging.SetMinimumLevel(level);
        logging.AddFilter("Microsoft", level > LogLevel.Warning ? level : LogLevel.Warning);
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
