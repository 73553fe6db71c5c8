// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands.Node;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Time;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte node init|run</c>: a dev network in a folder, and the node itself in-process (the bte-node host).</summary>
internal static class NodeCommands
{
    public static Command Create() => Create(Environment.GetEnvironmentVariable, SystemClock.Instance);

    /// <summary>The command tree over an environment and clock (tests pass their own).</summary>
    internal static Command Create(Func<string, string?> getEnvironmentVariable, IClock clock)
    {
        Command node = new("node", "Create a dev network and run the full node (bte-node) in-process.");
        node.Subcommands.Add(NodeInitCommand.Create(getEnvironmentVariable, clock));
        node.Subcommands.Add(NodeRunCommand.Create(getEnvironmentVariable));
        return node;
    }

    /// <summary>The default node folder: <c>~/.bittensor-edge/node</c>.</summary>
    internal static string DefaultDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".bittensor-edge", "node");
}
