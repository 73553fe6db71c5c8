// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Node;

/// <summary>
/// <c>bte-node</c>: runs the node (flags override the settings file), or <c>bte-node init</c> for a dev network.
/// Exit codes: 0 stopped cleanly, 1 a service failed, 2 bad command line or settings, 3 genesis, key or data directory unusable.
/// </summary>
internal static class Program
{
    // flag → settings key
    private static readonly Dictionary<string, string> s_runFlags = new(StringComparer.Ordinal)
    {
        ["--data-dir"] = "node:dataDir",
        ["--genesis"] = "node:genesisPath",
        ["--author-key"] = "node:authorKeyUri",
        ["--log-level"] = "node:logLevel",
        ["--rpc-address"] = "rpc:listenAddress",
        ["--rpc-port"] = "rpc:port",
    };

    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length > 0 && args[0] is "-h" or "--help" or "help")
        {
            await output.WriteAsync(Usage).ConfigureAwait(false);
            return NodeConstants.ExitOk;
        }

        if (args.Length > 0 && args[0] == "--version")
        {
            await output.WriteLineAsync(NodeRunner.Version).ConfigureAwait(false);
            return NodeConstants.ExitOk;
        }

        if (args.Length > 0 && args[0] == "init")
        {
            return await InitAsync(args[1..], output, error).ConfigureAwait(false);
        }

        string? configPath = null;
        Dictionary<string, string?> flags = new(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
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

        return await NodeRunner.RunUntilSignalAsync(configPath, flags, error).ConfigureAwait(false);
    }

    private static async Task<int> InitAsync(string[] args, TextWriter output, TextWriter error)
    {
        string directory = "bte-dev";
        string walletRoot = Wallet.DefaultRootPath();
        int accounts = 3;
        ushort? tempo = null;
        ulong blockTimeMs = Chain.ChainConstants.DefaultBlockTimeMs;
        bool force = false;
        for (int i = 0; i < args.Length; i++)
        {
            string flag = args[i];
            if (flag == "--force")
            {
                force = true;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                return await UsageErrorAsync(error, $"'{flag}' needs a value").ConfigureAwait(false);
            }

            string value = args[++i];
            bool ok = flag switch
            {
                "--dir" => (directory = value).Length > 0,
                "--wallet-path" => (walletRoot = value).Length > 0,
                "--accounts" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out accounts),
                "--tempo" => ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ushort t) && (tempo = t) > 0,
                "--block-time-ms" => ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out blockTimeMs),
                _ => false,
            };
            if (!ok)
            {
                return await UsageErrorAsync(error, $"bad argument '{flag} {value}'").ConfigureAwait(false);
            }
        }

        if (!DevNetwork.TryInit(new DevNetworkOptions(directory, walletRoot, accounts, tempo, blockTimeMs, force), SystemClock.Instance, out DevNetworkResult? result, out string? problem))
        {
            await error.WriteLineAsync($"bte-node init: {problem}").ConfigureAwait(false);
            return NodeConstants.ExitFailure;
        }

        await output.WriteAsync(DevNetworkReport.Format(result, $"bte-node --config {result.SettingsPath}")).ConfigureAwait(false);
        return NodeConstants.ExitOk;
    }

    private static async Task<int> UsageErrorAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync($"bte-node: {message}. Run 'bte-node --help' for usage.").ConfigureAwait(false);
        return NodeConstants.ExitUsage;
    }

    private const string Usage = """
        bte-node: the Bittensor.Edge full node (ledger, block production, JSON-RPC on POST /rpc).

        Usage:
          bte-node [--config FILE] [flags]     run the node until SIGTERM or Ctrl-C
          bte-node init [--dir DIR] [--accounts N] [--tempo T] [--block-time-ms MS] [--wallet-path P] [--force]
                                               write a dev network (genesis, settings, authority key, dev wallets)
          bte-node --help | --version

        Run flags (override the settings file and BTE_<section>__<key> environment variables):
          --config FILE          settings file (JSON with comments; see node.settings.jsonc)
          --data-dir DIR         node:dataDir
          --genesis FILE         node:genesisPath
          --author-key URI       node:authorKeyUri (file:///path or wallet://NAME/HOTKEY)
          --log-level LEVEL      node:logLevel
          --rpc-address IP       rpc:listenAddress
          --rpc-port PORT        rpc:port (0 picks a free port)

        Exit codes: 0 stopped cleanly, 1 a service failed, 2 bad command line or settings,
        3 genesis, author key or data directory unusable.

        """;
}
