// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Reflection;
using Bittensor.Edge.Core.Hosting;
using Bittensor.Edge.Core.Settings;
using Bittensor.Edge.Core.Time;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Node;

/// <summary>
/// Runs a node from a settings file and flag overrides, shared by <c>bte-node</c> and <c>bte node run</c>: load and
/// validate the settings (errors name each bad key, exit 2), set up console logging at <c>node:logLevel</c>, run
/// <see cref="NodeHost"/> until SIGTERM or Ctrl-C.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class NodeRunner
{
    /// <summary>The version reported by <c>system_info</c>.</summary>
    public static string Version { get; } =
        typeof(NodeRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Runs until SIGTERM or SIGINT (Ctrl-C), then stops cleanly; returns the exit code.</summary>
    /// <param name="configPath">The settings file, or <see langword="null"/> for defaults and overrides only.</param>
    /// <param name="flags">Overrides from flags, as <c>section:key</c> → value.</param>
    /// <param name="error">Where settings errors go (before logging exists).</param>
    /// <param name="stop">Also stops the node (a host's own cancellation, e.g. the command line's).</param>
    public static Task<int> RunUntilSignalAsync(string? configPath, IReadOnlyDictionary<string, string?> flags, TextWriter error, CancellationToken stop = default) =>
        ProcessSignals.RunUntilSignalledAsync(token => RunAsync(configPath, flags, error, token), stop);

    /// <summary>Runs until <paramref name="stop"/> is cancelled; returns the exit code.</summary>
    public static async Task<int> RunAsync(string? configPath, IReadOnlyDictionary<string, string?> flags, TextWriter error, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(error);
        if (!NodeSettingsLoader.TryLoad(configPath, SettingsSources.ProcessEnvironment(), flags, out NodeSettings? settings, out List<string> errors))
        {
            foreach (string problem in errors)
            {
                await error.WriteLineAsync($"bte-node: {problem}").ConfigureAwait(false);
            }

            return NodeConstants.ExitUsage;
        }

        LogLevel level = NodeSettingsValidator.TryParseLogLevel(settings.Node.LogLevel, out LogLevel parsed) ? parsed : LogLevel.Information;
        using ILoggerFactory loggerFactory = CreateLoggerFactory(level);
        NodeHostEnvironment environment = new(loggerFactory, SystemClock.Instance, Environment.GetEnvironmentVariable, Version);
        return await NodeHost.RunAsync(settings, environment, stop).ConfigureAwait(false);
    }

    /// <summary>Our services' console logging (<see cref="ServiceLogging"/>), Microsoft at Warning.</summary>
    public static ILoggerFactory CreateLoggerFactory(LogLevel level) => ServiceLogging.CreateConsoleFactory(level, "Microsoft");
}
