// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Cli.Commands.Chain;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Cli.Commands.Wallet;

/// <summary>The body of <c>bte wallet transfer</c>.</summary>
internal static class TransferAction
{
    public static async Task<int> RunAsync(ChainCliContext context, string to, string amountText, CancellationToken cancellationToken)
    {
        if (!Ss58.TryDecode(to, out PublicKey dest))
        {
            await context.Error.WriteLineAsync($"error: --to '{to}' is not an SS58 address (prefix 42).").ConfigureAwait(false);
            return ChainCliContext.Usage;
        }

        if (!TaoAmount.TryParse(amountText, out Rao amount, out string error))
        {
            await context.Error.WriteLineAsync($"error: --amount: {error}").ConfigureAwait(false);
            return ChainCliContext.Usage;
        }

        using WalletKey coldkey = context.LoadColdkey();
        return await context.SubmitAsync(coldkey.KeyPair, new TransferCall(dest, amount), $"transfer {TaoAmount.Format(amount)} TAO to {to}", cancellationToken).ConfigureAwait(false);
    }
}
