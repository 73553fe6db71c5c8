// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Node;

namespace Bittensor.Edge.Cli.Commands.Node;

/// <summary><c>bte node run</c>: the bte-node host in this process (<see cref="NodeRunner"/>), until Ctrl-C or SIGTERM.</summary>
internal static class NodeRunCommand
{
    public static Command Create(Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        Command run = new("run", "Run the full node in this process until Ctrl-C (same host as bte-node; exit codes as bte-node).");
        Option<string> dir = new("--dir") { Description = "The node folder written by 'bte node init' (default ~/.bittensor-edge/node).", DefaultValueFactory = _ => NodeCommands.DefaultDirectory() };
        Option<string?> config = new("--config") { Description = "A settings file (default DIR/node.settings.jsonc)." };
        run.Options.Add(dir);
        run.Options.Add(config);
        run.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
        {
            string configPath = result.GetValue(config) ?? Path.Combine(result.GetValue(dir)!, NodeConstants.SettingsFileName);
            return await NodeRunner.RunUntilSignalAsync(configPath, new Dictionary<string, string?>(), result.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
        });
        return run;
    }
}
