// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands.Chain;
using Bittensor.Edge.Cli.Commands.Wallet;
using Bittensor.Edge.Cli.Commands.Weights;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte weights set|commit|reveal</c>: a validator's weights, signed by the wallet's hotkey (protocol.md §2.5.6–7).</summary>
internal static class WeightsCommands
{
    public static Command Create() => Create(WalletCliEnvironment.Default);

    internal static Command Create(WalletCliEnvironment environment)
    {
        Command weights = new("weights", "Set weights, or commit them now and reveal them in the reveal window (commit-reveal subnets).");
        weights.Subcommands.Add(Build(environment, "set", "Set the hotkey's weights (set_weights).", WeightsMode.Set));
        weights.Subcommands.Add(Build(environment, "commit", "Commit to weights with a random salt kept under the wallet (commit_weights); reveal them later with `bte weights reveal`.", WeightsMode.Commit));
        weights.Subcommands.Add(Build(environment, "reveal", "Reveal the weights committed earlier from this wallet for the subnet (reveal_weights).", WeightsMode.Reveal));
        return weights;
    }

    private static Command Build(WalletCliEnvironment environment, string name, string description, WeightsMode mode)
    {
        ChainOptions options = new(environment);
        Option<ushort> netuid = new("--netuid") { Description = "The subnet.", Required = true };
        Option<string?> weights = new("--weights")
        {
            Description = "uid=weight pairs, comma-separated (e.g. 0=0.5,3=1); weights are scaled so the largest is 65535.",
            Required = mode != WeightsMode.Reveal,
        };
        Option<ulong> versionKey = new("--version-key") { Description = "The weights version key (the subnet's weights_version_key or above).", DefaultValueFactory = _ => 0 };
        Command command = new(name, description) { netuid, versionKey };
        if (mode != WeightsMode.Reveal)
        {
            command.Options.Add(weights);
        }

        options.AddSigning(command);
        command.SetAction((result, ct) => ChainCliContext.RunAsync(
            result, options, (c, t) => WeightsActions.RunAsync(c, mode, result.GetValue(netuid), result.GetValue(weights), result.GetValue(versionKey), result.GetValue(options.Hotkey)!, t), ct));
        return command;
    }
}
