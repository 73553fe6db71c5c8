// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Reflection;
using Bittensor.Edge.Core.Hosting;
using Bittensor.Edge.Core.Settings;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Gateway.Settings;
using Microsoft.Extensions.Logging;

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
    public static Task<int> RunUntilSignalAsync(string? configPath, IReadOnlyDictionary<string, string?> flags, TextWriter error, CancellationToken stop = default) =>
        ProcessSignals.RunUntilSignalledAsync(token => RunAsync(configPath, flags, error, token), stop);

    /// <summary>Runs until <paramref name="stop"/> is cancelled; returns the exit code.</summary>
    public static async Task<int> RunAsync(string? configPath, IReadOnlyDictionary<string, string?> flags, TextWriter error, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(error);
        if (!GatewaySettingsLoader.TryLoad(configPath, SettingsSources.ProcessEnvironment(), flags, out GatewaySettings? settings, out List<string> errors))
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

    /// <summary>Our services' console logging (<see cref="ServiceLogging"/>), Microsoft at Warning.</summary>
    public static ILoggerFactory CreateLoggerFactory(LogLevel level) => ServiceLogging.CreateConsoleFactory(level, "Microsoft");
}
