// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands.Chain;
using Bittensor.Edge.Cli.Commands.Metagraph;
using Bittensor.Edge.Cli.Commands.Wallet;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte metagraph NETUID</c>: the subnet's neurons, like the Bittensor SDK's metagraph view.</summary>
internal static class MetagraphCommands
{
    public static Command Create() => Create(WalletCliEnvironment.Default);

    internal static Command Create(WalletCliEnvironment environment)
    {
        ChainOptions options = new(environment);
        Argument<ushort> netuid = new("netuid") { Description = "The subnet." };
        Command metagraph = new("metagraph", "Show a subnet's metagraph: per uid its hotkey, stake, validator trust, consensus, incentive, dividends, emission, activity, permit and axon.") { netuid };
        options.AddRead(metagraph);
        metagraph.SetAction((result, ct) => ChainCliContext.RunAsync(result, options, (c, t) => MetagraphView.RunAsync(c, result.GetValue(netuid), t), ct));
        return metagraph;
    }
}
