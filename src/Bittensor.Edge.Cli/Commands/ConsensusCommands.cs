// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands.Consensus;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte consensus ...</c>.</summary>
internal static class ConsensusCommands
{
    public static Command Create()
    {
        Command consensus = new("consensus", "Replay Yuma consensus scenarios and benchmark the epoch.");
        consensus.Subcommands.Add(ReplayCommand.Create());
        consensus.Subcommands.Add(ConsensusBenchCommand.Create());
        return consensus;
    }
}
