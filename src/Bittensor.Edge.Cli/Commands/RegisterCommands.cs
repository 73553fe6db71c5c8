// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands.Chain;
using Bittensor.Edge.Cli.Commands.Register;
using Bittensor.Edge.Cli.Commands.Wallet;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte register --netuid N</c>: burned registration of the wallet's hotkey (protocol.md §2.5.3).</summary>
internal static class RegisterCommands
{
    public static Command Create() => Create(WalletCliEnvironment.Default);

    internal static Command Create(WalletCliEnvironment environment)
    {
        ChainOptions options = new(environment);
        Option<ushort> netuid = new("--netuid") { Description = "The subnet to register on.", Required = true };
        Command register = new("register", "Register the wallet's hotkey on a subnet, paying the burn price (shown first) from the coldkey.") { netuid };
        options.AddSigning(register);
        register.SetAction((result, ct) => ChainCliContext.RunAsync(result, options, (c, t) => RegisterAction.RunAsync(c, result.GetValue(netuid), t), ct));
        return register;
    }
}
