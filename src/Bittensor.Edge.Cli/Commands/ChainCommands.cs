// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands.Chain;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte chain ...</c>.</summary>
internal static class ChainCommands
{
    public static Command Create()
    {
        Command chain = new("chain", "Chain tools: benchmark transaction apply and the metagraph RPC.");
        chain.Subcommands.Add(ChainBenchCommand.Create());
        return chain;
    }
}
