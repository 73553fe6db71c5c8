// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Gateway;

/// <summary>
/// <c>bte-gateway</c>: runs the gateway (flags override the settings file). Exit codes: 0 stopped cleanly, 1 a service
/// failed, 2 bad command line or settings, 3 data folder, database, key or a listener unusable.
/// </summary>
internal static class Program
{
    // flag → settings key
    private static readonly Dictionary<string, string> s_flags = new(StringComparer.Ordinal)
    {
        ["--data-dir"] = "gateway:dataDir",
        ["--fleet"] = "gateway:fleetId",
        ["--gateway-id"] = "gateway:gatewayId",
        ["--log-level"] = "gateway:logLevel",
        ["--mqtt-address"] = "mqtt:listenAddress",
        ["--mqtt-port"] = "mqtt:port",
        ["--admin-port"] = "admin:port",
    };

    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length > 0 && args[0] is "-h" or "--help" or "help")
        {
            await output.WriteAsync(Usage).ConfigureAwait(false);
            return GatewayConstants.ExitOk;
        }

        if (args.Length > 0 && args[0] == "--version")
        {
            await output.WriteLineAsync(GatewayRunner.Version).ConfigureAwait(false);
            return GatewayConstants.ExitOk;
        }

        string? configPath = null;
        Dictionary<string, string?> flags = new(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
            if (i + 1 >= args.Length || !(args[i] == "--config" || s_flags.ContainsKey(args[i])))
            {
                await error.WriteLineAsync($"bte-gateway: unknown or incomplete argument '{args[i]}'. Run 'bte-gateway --help' for usage.").ConfigureAwait(false);
                return GatewayConstants.ExitUsage;
            }

            if (args[i] == "--config")
            {
                configPath = args[++i];
            }
            else
            {
                flags[s_flags[args[i]]] = args[++i];
            }
        }

        return await GatewayRunner.RunUntilSignalAsync(configPath, flags, error).ConfigureAwait(false);
    }

    private const string Usage = """
        bte-gateway: the Bittensor.Edge relay gateway (embedded MQTT broker, fleet join, device registry, admin API).

        Usage:
          bte-gateway [--config FILE] [flags]   run until SIGTERM or Ctrl-C
          bte-gateway --help | --version

        Flags (override the settings file and BTE_<section>__<key> environment variables):
          --config FILE          settings file (JSON with comments; see gateway.settings.jsonc)
          --data-dir DIR         gateway:dataDir (fleet.db, gateway.key, admin.token, admin.url)
          --fleet ID             gateway:fleetId
          --gateway-id ID        gateway:gatewayId
          --log-level LEVEL      gateway:logLevel
          --mqtt-address IP      mqtt:listenAddress
          --mqtt-port PORT       mqtt:port (0 picks a free port)
          --admin-port PORT      admin:port (0 picks a free port; written to DIR/admin.url)

        Manage the fleet with 'bte fleet' (token create|list|revoke, preauth, devices, revoke, probe).
        Exit codes: 0 stopped cleanly, 1 a service failed, 2 bad command line or settings,
        3 data folder, database, key or a listener unusable.

        """;
}
