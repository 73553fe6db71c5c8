// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Tests.Builders;

public static class StateAssert
{
    /// <summary>The state root of <paramref name="store"/> with <paramref name="overlay"/>'s changes, without touching either.</summary>
    public static Hash256 RootWith(IStateStore store, StateOverlay overlay)
    {
        MemoryStateStore copy = new();
        List<KeyValuePair<byte[], byte[]?>> entries = [];
        foreach (KeyValuePair<byte[], byte[]> entry in store.EnumerateSorted())
        {
            entries.Add(new KeyValuePair<byte[], byte[]?>(entry.Key, entry.Value));
        }

        copy.Apply(entries);
        copy.Apply(overlay.Changes);
        return copy.ComputeStateRoot();
    }

    /// <summary>Applies only what a failed transaction may change: the nonce and, for a paid call, the fee.</summary>
    public static void ChargeNonceAndFee(StateOverlay overlay, in PublicKey signer, bool paid)
    {
        ChainState state = new(overlay);
        AccountInfo account = state.GetAccount(signer);
        account = account with { Nonce = account.Nonce + 1 };
        if (paid)
        {
            account = account with { Free = account.Free - new Rao(ChainConstants.TransactionFee) };
            state.TotalIssuance -= new Rao(ChainConstants.TransactionFee);
        }

        state.SetAccount(signer, account);
    }
}
