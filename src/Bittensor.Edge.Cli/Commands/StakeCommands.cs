// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands.Chain;
using Bittensor.Edge.Cli.Commands.Stake;
using Bittensor.Edge.Cli.Commands.Wallet;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte stake add|remove</c>: move TAO between the coldkey's free balance and stake on a hotkey (protocol.md §2.5.5).</summary>
internal static class StakeCommands
{
    public static Command Create() => Create(WalletCliEnvironment.Default);

    internal static Command Create(WalletCliEnvironment environment)
    {
        Command stake = new("stake", "Add or remove stake: the wallet's coldkey stakes on a hotkey of a subnet.");
        stake.Subcommands.Add(Build(environment, "add", "Stake TAO from the coldkey's free balance on a hotkey.", add: true));
        stake.Subcommands.Add(Build(environment, "remove", "Unstake TAO from a hotkey back to the coldkey's free balance.", add: false));
        return stake;
    }

    private static Command Build(WalletCliEnvironment environment, string name, string description, bool add)
    {
        ChainOptions options = new(environment);
        Option<ushort> netuid = new("--netuid") { Description = "The subnet.", Required = true };
        Option<string> amount = new("--amount") { Description = "TAO, up to 9 decimals (e.g. 1.5).", Required = true };
        Command command = new(name, description) { netuid, amount };
        options.AddSigning(command);
        options.Hotkey.Description = "The hotkey to stake on: an SS58 address, or a hotkey name of the wallet (default: $BTE_WALLET_HOTKEY, else \"default\").";
        command.SetAction((result, ct) => ChainCliContext.RunAsync(
            result, options, (c, t) => StakeActions.RunAsync(c, add, result.GetValue(netuid), result.GetValue(amount)!, result.GetValue(options.Hotkey)!, t), ct));
        return command;
    }
}
