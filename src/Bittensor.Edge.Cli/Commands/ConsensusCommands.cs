// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte consensus ...</c>.</summary>
internal static class ConsensusCommands
{
    public static Command Create() => new("consensus", "Replay Yuma consensus scenarios and benchmark the epoch.");
}
