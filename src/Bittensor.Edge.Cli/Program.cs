// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands;

namespace Bittensor.Edge.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) => BuildRoot().Parse(args).InvokeAsync();

    /// <summary>The whole command tree; each area adds its commands from its own file.</summary>
    internal static RootCommand BuildRoot()
    {
        RootCommand root = new("bte: mine, validate and simulate Bittensor.Edge networks.");
        root.Subcommands.Add(WalletCommands.Create());
        root.Subcommands.Add(ConsensusCommands.Create());
        return root;
    }
}
