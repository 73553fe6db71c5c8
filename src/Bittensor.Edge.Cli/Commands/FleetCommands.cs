// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands.Fleet;

namespace Bittensor.Edge.Cli.Commands;

/// <summary>
/// <c>bte fleet token create|list|revoke</c>, <c>preauth</c>, <c>devices</c>, <c>revoke</c>, <c>probe</c>, <c>info</c>:
/// manage a fleet through a running bte-gateway's admin API (fleet.md §3). The gateway is found through its data folder
/// (<c>--gateway-dir</c>, else <c>$BTE_GATEWAY_DIR</c>, else <c>~/.bittensor-edge/gateway</c>), which holds the admin URL
/// and the bearer token.
/// </summary>
internal static class FleetCommands
{
    public static Command Create() => Create(Environment.GetEnvironmentVariable, null);

    /// <summary>The command tree over an environment and an optional HTTP client (tests pass their own).</summary>
    internal static Command Create(Func<string, string?> getEnvironmentVariable, HttpClient? http)
    {
        Command fleet = new("fleet", "Manage an edge fleet through its bte-gateway: join tokens, devices, revoke, probe.");
        Option<string?> gatewayDir = new("--gateway-dir")
        {
            Description = "The gateway's data folder (gateway:dataDir; holds admin.url and admin.token). Default: $BTE_GATEWAY_DIR, else ~/.bittensor-edge/gateway.",
            Recursive = true,
        };
        Option<bool> json = new("--json") { Description = "Print JSON for scripts.", Recursive = true };
        fleet.Options.Add(gatewayDir);
        fleet.Options.Add(json);
        FleetActions actions = new(gatewayDir, json, getEnvironmentVariable, http);
        Command token = new("token", "Create, list and revoke one-time join tokens.");
        token.Subcommands.Add(actions.TokenCreateCommand());
        token.Subcommands.Add(actions.TokenListCommand());
        token.Subcommands.Add(actions.TokenRevokeCommand());
        fleet.Subcommands.Add(token);
        fleet.Subcommands.Add(actions.PreauthCommand());
        fleet.Subcommands.Add(actions.DevicesCommand());
        fleet.Subcommands.Add(actions.RevokeCommand());
        fleet.Subcommands.Add(actions.ProbeCommand());
        fleet.Subcommands.Add(actions.InfoCommand());
        return fleet;
    }
}
