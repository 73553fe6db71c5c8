// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands.Chain;
using Bittensor.Edge.Cli.Commands.Subnet;
using Bittensor.Edge.Cli.Commands.Wallet;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte subnet ...</c>: create, list and inspect subnets, and set hyperparameters (protocol.md §2.3, §2.5).</summary>
internal static class SubnetCommands
{
    public static Command Create() => Create(WalletCliEnvironment.Default);

    internal static Command Create(WalletCliEnvironment environment)
    {
        Command subnet = new("subnet", "Create, list and inspect subnets; read and set hyperparameters.");

        ChainOptions createOptions = new(environment);
        Command create = new("create", "Register a new subnet owned by the wallet's coldkey, with the wallet's hotkey as uid 0 (burns the network cost).");
        createOptions.AddSigning(create);
        create.SetAction((result, ct) => ChainCliContext.RunAsync(result, createOptions, SubnetActions.CreateAsync, ct));
        subnet.Subcommands.Add(create);

        ChainOptions listOptions = new(environment);
        Command list = new("list", "List the subnets: netuid, owner, uids, tempo and registration burn.");
        listOptions.AddRead(list);
        list.SetAction((result, ct) => ChainCliContext.RunAsync(result, listOptions, SubnetActions.ListAsync, ct));
        subnet.Subcommands.Add(list);

        ChainOptions showOptions = new(environment);
        Argument<ushort> showNetuid = new("netuid") { Description = "The subnet." };
        Command show = new("show", "Show one subnet: owner, uids, burn, pending emission pools and the next epoch block.") { showNetuid };
        showOptions.AddRead(show);
        show.SetAction((result, ct) => ChainCliContext.RunAsync(result, showOptions, (c, t) => SubnetActions.ShowAsync(c, result.GetValue(showNetuid), t), ct));
        subnet.Subcommands.Add(show);

        ChainOptions hpOptions = new(environment);
        Argument<ushort> hpNetuid = new("netuid") { Description = "The subnet." };
        Option<string[]> set = new("--set") { Description = "NAME=VALUE to set (repeatable); names as in protocol.md §2.3, e.g. tempo=100.", AllowMultipleArgumentsPerToken = false };
        Option<bool> sudo = new("--sudo") { Description = "Sign with the wallet's coldkey as the genesis sudo key (sudo_set_hyperparameter) instead of as the subnet owner." };
        Command hparams = new("hparams", "Show a subnet's hyperparameters, or set them with --set NAME=VALUE (the owner's coldkey signs; --sudo for the dev sudo key).") { hpNetuid };
        hpOptions.AddSigning(hparams);
        hparams.Options.Add(set);
        hparams.Options.Add(sudo);
        hparams.SetAction((result, ct) => ChainCliContext.RunAsync(
            result, hpOptions, (c, t) => SubnetActions.HyperparametersAsync(c, result.GetValue(hpNetuid), result.GetValue(set) ?? [], result.GetValue(sudo), t), ct));
        subnet.Subcommands.Add(hparams);
        return subnet;
    }
}
