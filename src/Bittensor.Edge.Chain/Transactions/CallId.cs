// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Chain.Transactions;

/// <summary>The <c>u16</c> call index of specs/protocol.md §2.5.</summary>
public enum CallId
{
    /// <summary>Moves free balance to another account (paid).</summary>
    Transfer = 0,

    /// <summary>Creates a subnet at the lowest free netuid (paid plus network cost).</summary>
    RegisterNetwork = 1,

    /// <summary>Registers a hotkey on a subnet for the burn price (paid plus burn).</summary>
    BurnedRegister = 2,

    /// <summary>Publishes a neuron's axon endpoint (free, signed by the hotkey).</summary>
    ServeAxon = 3,

    /// <summary>Moves free balance into stake (paid).</summary>
    AddStake = 4,

    /// <summary>Moves stake back to free balance (paid).</summary>
    RemoveStake = 5,

    /// <summary>Sets a validator's weights row (free, signed by the hotkey).</summary>
    SetWeights = 6,

    /// <summary>Commits to a weights row by hash (free).</summary>
    CommitWeights = 7,

    /// <summary>Reveals a committed weights row (free).</summary>
    RevealWeights = 8,

    /// <summary>The subnet owner sets a hyperparameter (paid).</summary>
    SetHyperparameter = 9,

    /// <summary>The genesis sudo key sets a hyperparameter (paid).</summary>
    SudoSetHyperparameter = 10,
}
