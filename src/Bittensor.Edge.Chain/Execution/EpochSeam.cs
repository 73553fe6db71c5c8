// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.State;

namespace Bittensor.Edge.Chain.Execution;

/// <summary>What the chain hands the epoch of one subnet (consensus.md §2): per uid 0..n−1, in uid order.</summary>
internal sealed record EpochInput(
    ulong Block,
    Hyperparameters Hyperparameters,
    ushort OwnerUid,
    ulong[] Stake,
    ulong[] BlockAtRegistration,
    ulong[] LastUpdate,
    bool[] ValidatorPermit,
    RowEntry[][] Weights,
    RowEntry[][] Bonds,
    ulong?[] EarliestCommitBlock,
    ulong Emission);

/// <summary>What the epoch gives back (consensus.md §3 steps 13 and 14), per uid.</summary>
internal sealed record EpochOutput(
    bool[] Active,
    ushort[] StakeWeight,
    ushort[] Consensus,
    ushort[] Incentive,
    ushort[] Dividends,
    ushort[] ValidatorTrust,
    ulong[] Emission,
    ulong[] ServerEmission,
    long[] ValidatorShare,
    bool[] NewValidatorPermit,
    RowEntry[][] NewBonds);

/// <summary>The seam between the chain and the Yuma epoch of Bittensor.Edge.Consensus.</summary>
internal interface IEpochRunner
{
    EpochOutput Run(EpochInput input);
}
