// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.State;

namespace Bittensor.Edge.Chain.Genesis;

/// <summary>Builds the state at block 0 from a genesis (specs/protocol.md §2.9).</summary>
public static class GenesisState
{
    /// <summary>
    /// Writes the genesis state into <paramref name="store"/>, which must be empty: balances (total issuance is
    /// their sum) and the preset subnets, each as if register_network had run at no cost.
    /// </summary>
    public static void Initialize(IStateStore store, GenesisConfig genesis)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(genesis);
        if (store.Count != 0)
        {
            ThrowHelper.ThrowArgument(nameof(store), "The genesis state goes into an empty store.");
        }

        StateOverlay overlay = new(store);
        ChainState state = new(overlay);
        state.TotalIssuance = Primitives.Rao.Zero;
        foreach (GenesisBalance balance in genesis.Balances)
        {
            state.Mint(balance.Account, balance.Amount);
        }

        foreach (GenesisSubnet subnet in genesis.Subnets)
        {
            Registration.CreateSubnet(state, subnet.Netuid, subnet.Owner, subnet.OwnerHotkey, subnet.Hyperparameters.Clone(), 0);
        }

        store.Apply(overlay.Changes);
    }
}
