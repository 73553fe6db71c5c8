// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte wallet ...</c>.</summary>
internal static class WalletCommands
{
    public static Command Create() => new("wallet", "Create, list and show wallets (coldkeys and hotkeys).");
}
