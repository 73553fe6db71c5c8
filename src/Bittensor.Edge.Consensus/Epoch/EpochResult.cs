// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.FixedPoint;

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>
/// Everything one Yuma epoch produces (<c>specs/consensus.md</c> §3; the keys of <c>specs/consensus-scenario.md</c>'s
/// output), every vector indexed by uid. Store it with <see cref="SubnetState.Apply"/>.
/// </summary>
/// <remarks>Immutable once returned; safe to read from several threads.</remarks>
public sealed class EpochResult
{
    internal EpochResult(int count, ulong block, ulong raoEmission)
    {
        Count = count;
        Block = block;
        RaoEmission = raoEmission;
        ActiveArray = new bool[count];
        StakeWeightArray = new ushort[count];
        ConsensusArray = new ushort[count];
        IncentiveArray = new ushort[count];
        DividendsArray = new ushort[count];
        ValidatorTrustArray = new ushort[count];
        ValidatorPermitArray = new bool[count];
        EmissionArray = new ulong[count];
        ServerEmissionArray = new ulong[count];
        ValidatorEmissionArray = new ulong[count];
        ServerShareArray = new I32F32[count];
        ValidatorShareArray = new I32F32[count];
        BondsArray = new SparseRow[count];
    }

    /// <summary>Number of uids.</summary>
    public int Count { get; }

    /// <summary>The block the epoch ran at.</summary>
    public ulong Block { get; }

    /// <summary>E, the rao the epoch distributed (the outputs are rounded-down shares of it).</summary>
    public ulong RaoEmission { get; }

    /// <summary>Step 1: whether the uid's weights are recent enough.</summary>
    public ReadOnlySpan<bool> Active => ActiveArray;

    /// <summary>Step 2: <c>u16</c> of the normalized stake.</summary>
    public ReadOnlySpan<ushort> StakeWeight => StakeWeightArray;

    /// <summary>Step 6: the consensus weight of each uid as a miner.</summary>
    public ReadOnlySpan<ushort> Consensus => ConsensusArray;

    /// <summary>Step 8: normalized miner rank.</summary>
    public ReadOnlySpan<ushort> Incentive => IncentiveArray;

    /// <summary>Steps 11/12: normalized validator dividends.</summary>
    public ReadOnlySpan<ushort> Dividends => DividendsArray;

    /// <summary>Step 7: sum of the validator's clipped weights.</summary>
    public ReadOnlySpan<ushort> ValidatorTrust => ValidatorTrustArray;

    /// <summary>Step 3: the new permits P', stored for the next epoch.</summary>
    public ReadOnlySpan<bool> ValidatorPermit => ValidatorPermitArray;

    /// <summary>Step 13: combined emission in rao, <c>rao(ce, E)</c>.</summary>
    public ReadOnlySpan<ulong> Emission => EmissionArray;

    /// <summary>Step 13: the incentive (miner) part in rao, <c>rao(se, E)</c>.</summary>
    public ReadOnlySpan<ulong> ServerEmission => ServerEmissionArray;

    /// <summary>Step 13: the dividend (validator) part in rao, <c>rao(ve, E)</c>.</summary>
    public ReadOnlySpan<ulong> ValidatorEmission => ValidatorEmissionArray;

    /// <summary>Step 13: the raw server shares <c>se</c> (what <see cref="ServerEmission"/> rounds).</summary>
    public ReadOnlySpan<I32F32> ServerShare => ServerShareArray;

    /// <summary>Step 13: the raw validator shares <c>ve</c>, which <see cref="EmissionSplit.PayValidators"/> uses (§8).</summary>
    public ReadOnlySpan<I32F32> ValidatorShare => ValidatorShareArray;

    /// <summary>Step 14: the bonds rows as stored after the epoch (empty for uids without a new permit).</summary>
    public ReadOnlySpan<SparseRow> Bonds => BondsArray;

    internal bool[] ActiveArray { get; }

    internal ushort[] StakeWeightArray { get; }

    internal ushort[] ConsensusArray { get; }

    internal ushort[] IncentiveArray { get; }

    internal ushort[] DividendsArray { get; }

    internal ushort[] ValidatorTrustArray { get; }

    internal bool[] ValidatorPermitArray { get; }

    internal ulong[] EmissionArray { get; }

    internal ulong[] ServerEmissionArray { get; }

    internal ulong[] ValidatorEmissionArray { get; }

    internal I32F32[] ServerShareArray { get; }

    internal I32F32[] ValidatorShareArray { get; }

    internal SparseRow[] BondsArray { get; }
}
