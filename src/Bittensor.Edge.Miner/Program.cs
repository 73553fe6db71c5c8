// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Miner.Hosting;

namespace Bittensor.Edge.Miner;

/// <summary>
/// <c>bte-miner</c>: runs the device host (flags override the settings file), or <c>bte-miner self-test</c>.
/// Exit codes: see <see cref="MinerConstants"/>.
/// </summary>
internal static class Program
{
    // flag → settings key
    private static readonly Dictionary<string, string> s_runFlags = new(StringComparer.Ordinal)
    {
        ["--board"] = "device:board",
        ["--data-dir"] = "device:dataDir",
        ["--state-dir"] = "device:stateDir",
        ["--log-level"] = "device:logLevel",
    };

    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length > 0 && args[0] is "-h" or "--help" or "help")
        {
            await output.WriteAsync(Usage).ConfigureAwait(false);
            return MinerConstants.ExitOk;
        }

        if (args.Length > 0 && args[0] == "--version")
        {
            await output.WriteLineAsync(MinerVersion.Current).ConfigureAwait(false);
            return MinerConstants.ExitOk;
        }

        if (args.Length > 0 && args[0] == "self-test")
        {
            bool json = args.Length == 2 && args[1] == "--json";
            if (args.Length > 2 || (args.Length == 2 && !json))
            {
                return await UsageErrorAsync(error, $"self-test takes only --json").ConfigureAwait(false);
            }

            return SelfTest.Run(output, json) ? MinerConstants.ExitOk : MinerConstants.ExitFailure;
        }

        string? configPath = null;
        Dictionary<string, string?> flags = new(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--trust-clock")
            {
                flags["device:trustClock"] = "true";
                continue;
            }

            if (i + 1 >= args.Length || !(args[i] == "--config" || s_runFlags.ContainsKey(args[i])))
            {
                return await UsageErrorAsync(error, $"unknown or incomplete argument '{args[i]}'").ConfigureAwait(false);
            }

            if (args[i] == "--config")
            {
                configPath = args[++i];
            }
            else
            {
                flags[s_runFlags[args[i]]] = args[++i];
            }
        }

        return await MinerRunner.RunUntilSignalAsync(configPath, flags, error).ConfigureAwait(false);
    }

    private static async Task<int> UsageErrorAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync($"bte-miner: {message}. Run 'bte-miner --help' for usage.").ConfigureAwait(false);
        return MinerConstants.ExitUsage;
    }

    private const string Usage = """
        bte-miner: the Bittensor.Edge device host (storage and inference for a fleet gateway over MQTT).

        Usage:
          bte-miner [--config FILE] [flags]    run until SIGTERM or Ctrl-C (systemd Type=notify)
          bte-miner self-test [--json]         keys, signatures and a k=32 storage proof in memory; exit 0 or 1
          bte-miner --help | --version

        Run flags (override the settings file and BTE_<section>__<key> environment variables):
          --config FILE          settings file (JSON with comments; see miner.settings.jsonc)
          --board ID             device:board (rpi4, rpi5, jetson-orin-nano, x64-sim; default: detect)
          --data-dir DIR         device:dataDir (device key, sector store, models)
          --state-dir DIR        device:stateDir (firstboot.json, enrollment.json, bdseq)
          --log-level LEVEL      device:logLevel
          --trust-clock          device:trustClock = true (skip the waiting-for-time gate)

        Exit codes: 0 stopped cleanly, 1 a service failed or the self-test failed, 2 bad command line or
        settings, 3 data folder, key, first-boot file or store unusable, 4 join rejected or device revoked.

        """;
}
