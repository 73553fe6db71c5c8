// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.CommandLine.Parsing;
using Bittensor.Edge.Cli.Commands;

namespace Bittensor.Edge.Cli;

internal static class Program
{
    /// <summary>Exit codes: 0 success, 1 the command failed, 2 a usage error.</summary>
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>Parses and runs one command line; a parse error is a usage error (exit 2) with a hint.</summary>
    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ParseResult result = BuildRoot().Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (ParseError parseError in result.Errors)
            {
                await error.WriteLineAsync($"bte: {parseError.Message}").ConfigureAwait(false);
            }
            string command = string.Join(' ', result.CommandResult.Command.Name == "bte" ? [] : CommandPath(result.CommandResult));
            await error.WriteLineAsync($"Run 'bte {command}{(command.Length > 0 ? " " : "")}--help' for usage.").ConfigureAwait(false);
            return 2;
        }
        return await result.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }).ConfigureAwait(false);
    }

    private static List<string> CommandPath(CommandResult? commandResult)
    {
        List<string> names = [];
        for (SymbolResult? s = commandResult; s is not null; s = s.Parent)
        {
            if (s is CommandResult c && c.Parent is not null)
            {
                names.Insert(0, c.Command.Name);
            }
        }
        return names;
    }

    /// <summary>The whole command tree; each area adds its commands from its own file.</summary>
    internal static RootCommand BuildRoot()
    {
        RootCommand root = new("bte: mine, validate and simulate Bittensor.Edge networks.");
        root.Subcommands.Add(WalletCommands.Create());
        root.Subcommands.Add(ConsensusCommands.Create());
        root.Subcommands.Add(NodeCommands.Create());
        root.Subcommands.Add(StorageCommands.Create());
        root.Subcommands.Add(ChainCommands.Create());
        root.Subcommands.Add(SubnetCommands.Create());
        root.Subcommands.Add(RegisterCommands.Create());
        root.Subcommands.Add(StakeCommands.Create());
        root.Subcommands.Add(WeightsCommands.Create());
        root.Subcommands.Add(MetagraphCommands.Create());
        root.Subcommands.Add(AxonCommands.Create());
        root.Subcommands.Add(InferenceCommands.Create());
        root.Subcommands.Add(FleetCommands.Create());
        return root;
    }
}
