// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Cli.Commands.Chain;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Cli.Commands.Register;

/// <summary>The body of <c>bte register</c>.</summary>
internal static class RegisterAction
{
    public static async Task<int> RunAsync(ChainCliContext context, ushort netuid, CancellationToken cancellationToken)
    {
        PublicKey hotkey = context.HotkeyPublic();
        Rao burn = await context.Client.GetBurnAsync(netuid, cancellationToken).ConfigureAwait(false);
        if (!context.Json)
        {
            await context.Output.WriteLineAsync($"Registering {hotkey.ToSs58()} on subnet {netuid} for {TaoAmount.Format(burn)} TAO (the burn price in the next block) plus the 0.0001 TAO fee.").ConfigureAwait(false);
        }

        using WalletKey coldkey = context.LoadColdkey();
        return await context.SubmitAsync(coldkey.KeyPair, new BurnedRegisterCall(new Netuid(netuid), hotkey), "burned_register", cancellationToken, w =>
        {
            w.WriteString("hotkey", hotkey.ToSs58());
            w.WriteString("burn", burn.ToString());
        }).ConfigureAwait(false);
    }
}
