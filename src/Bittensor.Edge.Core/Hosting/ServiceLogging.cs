// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Bittensor.Edge.Core.Hosting;

/// <summary>The console logging of our services (bte-node, bte-gateway, bte-miner, bte axon serve): one shape for journald.</summary>
public static class ServiceLogging
{
    /// <summary>
    /// Single-line console logs at <paramref name="level"/>, UTC timestamps, no colour (journald adds its own timestamp,
    /// so ours is terse). Categories starting with one of <paramref name="quietPrefixes"/> (a library's, e.g.
    /// <c>Microsoft</c> for ASP.NET, <c>MQTTnet</c>) log at Warning or above.
    /// </summary>
    public static ILoggerFactory CreateConsoleFactory(LogLevel level, params string[] quietPrefixes)
    {
        ArgumentNullException.ThrowIfNull(quietPrefixes);
        return LoggerFactory.Create(logging =>
        {
            logging.SetMinimumLevel(level);
            foreach (string prefix in quietPrefixes)
            {
                logging.AddFilter(prefix, level > LogLevel.Warning ? level : LogLevel.Warning);
            }

            logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                options.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        });
    }
}
