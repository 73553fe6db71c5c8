// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Cli.Commands.Chain;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Cli.Commands.Stake;

/// <summary>The body of <c>bte stake add|remove</c>.</summary>
internal static class StakeActions
{
    public static async Task<int> RunAsync(ChainCliContext context, bool add, ushort netuid, string amountText, string hotkeyText, CancellationToken cancellationToken)
    {
        if (!TaoAmount.TryParse(amountText, out Rao amount, out string error))
        {
            await context.Error.WriteLineAsync($"error: --amount: {error}").ConfigureAwait(false);
            return ChainCliContext.Usage;
        }

        // An SS58 address names any hotkey; anything else is a hotkey name in the wallet.
        PublicKey hotkey = Ss58.TryDecode(hotkeyText, out PublicKey address) ? address : context.Wallet().ReadHotkeyPublic(hotkeyText);
        using WalletKey coldkey = context.LoadColdkey();
        RuntimeCall call = add ? new AddStakeCall(hotkey, new Netuid(netuid), amount) : new RemoveStakeCall(hotkey, new Netuid(netuid), amount);
        string what = $"{(add ? "add_stake" : "remove_stake")} {TaoAmount.Format(amount)} TAO on {hotkey.ToSs58()} (subnet {netuid})";
        return await context.SubmitAsync(coldkey.KeyPair, call, what, cancellationToken).ConfigureAwait(false);
    }
}
