// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Chain;
using Bittensor.Edge.Core;
using Bittensor.Edge.Node;

namespace Bittensor.Edge.Cli.Commands.Node;

/// <summary><c>bte node init</c>: genesis with funded dev wallets, node settings and an authority key (<see cref="DevNetwork"/>).</summary>
internal static class NodeInitCommand
{
    public static Command Create(Func<string, string?> getEnvironmentVariable, IClock clock)
    {
        Command init = new("init", "Write a dev network into a folder: genesis.json (funded dev wallets, a sudo key, loopback axons, optionally subnet 1), node.settings.jsonc and authority.key.");
        Option<string> dir = new("--dir") { Description = "The node folder (default ~/.bittensor-edge/node).", DefaultValueFactory = _ => NodeCommands.DefaultDirectory() };
        Option<int> accounts = new("--accounts") { Description = "Funded dev wallets dev1..devN, 1000 TAO each (default 3).", DefaultValueFactory = _ => 3 };
        Option<ushort?> tempo = new("--tempo") { Description = "Create subnet 1 at genesis with this tempo, owned by dev1 (default: no subnet)." };
        Option<ulong> blockTime = new("--block-time-ms") { Description = $"Block time in ms (default {ChainConstants.DefaultBlockTimeMs}).", DefaultValueFactory = _ => ChainConstants.DefaultBlockTimeMs };
        Option<bool> force = new("--force") { Description = "Replace an existing node in the folder, its chain data included." };
        Option<string?> walletPath = new("--wallet-path") { Description = "Wallet root for the dev wallets (default: $BTE_WALLET_PATH, else ~/.bittensor-edge/wallets)." };
        foreach (Option option in new Option[] { dir, accounts, tempo, blockTime, force, walletPath })
        {
            init.Options.Add(option);
        }

        init.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
        {
            DevNetworkOptions options = new(
                result.GetValue(dir)!,
                result.GetValue(walletPath) ?? Core.Wallets.Wallet.DefaultRootPath(getEnvironmentVariable),
                result.GetValue(accounts),
                result.GetValue(tempo),
                result.GetValue(blockTime),
                result.GetValue(force));
            TextWriter output = result.InvocationConfiguration.Output;
            if (!DevNetwork.TryInit(options, clock, out DevNetworkResult? written, out string? error))
            {
                await result.InvocationConfiguration.Error.WriteLineAsync($"bte node init: {error}").ConfigureAwait(false);
                return 1;
            }

            string next = $"bte node run --dir {Path.GetDirectoryName(written.SettingsPath)}";
            await output.WriteAsync(DevNetworkReport.Format(written, next)).ConfigureAwait(false);
            return 0;
        });
        return init;
    }
}
