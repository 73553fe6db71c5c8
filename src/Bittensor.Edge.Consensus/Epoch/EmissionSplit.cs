// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.FixedPoint;

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>A block's emission split into the three pending pools (<c>specs/consensus.md</c> §8), in rao.</summary>
/// <param name="Owner">Added to the subnet owner's pool.</param>
/// <param name="Server">Added to the miners' pool.</param>
/// <param name="Validator">Added to the validators' pool (including the 0–2 rao the floors drop).</param>
public readonly record struct BlockEmissionSplit(ulong Owner, ulong Server, ulong Validator);

/// <summary>
/// The emission split of <c>specs/consensus.md</c> §8: per block, the owner cut and the 50/50 miner/validator split
/// (subtensor <c>run_coinbase</c>'s I96F32 arithmetic), and at the epoch the validators' payout with its carried
/// remainder, so issuance is conserved exactly.
/// </summary>
public static class EmissionSplit
{
    /// <summary>subtensor's <c>SubnetOwnerCut</c> as a u16 ratio (≈ 18 %).</summary>
    public const ushort SubnetOwnerCut = 11796;

    /// <summary>The owner cut as raw 32-fraction-bit value: <c>(11796 &lt;&lt; 32) / 65535</c>.</summary>
    public const ulong OwnerCutRaw = ((ulong)SubnetOwnerCut << 32) / 65535;

    /// <summary>
    /// Splits one block's emission <paramref name="amount"/>: <c>owner = a · cut</c>, <c>rest = (a &lt;&lt; 32) − owner</c>,
    /// <c>server = rest &gt;&gt; 1</c>; the pools grow by <c>owner &gt;&gt; 32</c>, <c>server &gt;&gt; 32</c> and the
    /// remainder of <c>a</c>, so the three parts add up to <paramref name="amount"/> exactly.
    /// </summary>
    /// <param name="amount">The subnet's block emission in rao.</param>
    /// <returns>The parts.</returns>
    public static BlockEmissionSplit SplitBlock(ulong amount)
    {
        UInt128 owner = (UInt128)amount * OwnerCutRaw;
        UInt128 rest = ((UInt128)amount << 32) - owner;
        UInt128 server = rest >> 1;
        ulong ownerRao = (ulong)(owner >> 32);
        ulong serverRao = (ulong)(server >> 32);
        return new(ownerRao, serverRao, amount - ownerRao - serverRao);
    }

    /// <summary>
    /// Pays the validators at an epoch (§8): <c>V = E − Σ server_emission</c>, and validator i receives
    /// <c>floor(V · share_i / Σ share)</c> in 128-bit integers, from the raw I32F32 shares <c>ve</c>
    /// (<see cref="EpochResult.ValidatorShare"/>). Returns what is carried to the next epoch's validator pool: the
    /// rounding remainder, or all of V when every share is 0.
    /// </summary>
    /// <param name="epochEmission">E: the pending server plus validator pools, as passed to <see cref="YumaEpoch.Run"/>.</param>
    /// <param name="serverEmission">The epoch's <see cref="EpochResult.ServerEmission"/>, paid to miners.</param>
    /// <param name="validatorShares">The epoch's <see cref="EpochResult.ValidatorShare"/>.</param>
    /// <param name="validatorAmounts">Receives each validator's payout; as long as <paramref name="validatorShares"/>.</param>
    /// <returns>The rao carried to the next epoch.</returns>
    /// <exception cref="ArgumentException">Lengths differ, a share is negative, or the miners' part exceeds E.</exception>
    public static ulong PayValidators(
        ulong epochEmission,
        ReadOnlySpan<ulong> serverEmission,
        ReadOnlySpan<I32F32> validatorShares,
        Span<ulong> validatorAmounts)
    {
        if (validatorAmounts.Length != validatorShares.Length)
        {
            ThrowHelper.ThrowArgument(nameof(validatorAmounts), "Give one amount slot per share.");
        }

        ulong miners = 0;
        foreach (ulong se in serverEmission)
        {
            if (se > epochEmission - miners)
            {
                ThrowHelper.ThrowArgument(nameof(serverEmission), "The miners' emission exceeds the epoch emission.");
            }

            miners += se;
        }

        ulong pool = epochEmission - miners;
        ulong shareSum = 0;
        foreach (I32F32 share in validatorShares)
        {
            if (share.Raw < 0)
            {
                ThrowHelper.ThrowArgument(nameof(validatorShares), "Validator shares are never negative.");
            }

            shareSum += (ulong)share.Raw;
        }

        validatorAmounts.Clear();
        if (shareSum == 0)
        {
            return pool;
        }

        ulong paid = 0;
        for (int i = 0; i < validatorShares.Length; i++)
        {
            ulong amount = (ulong)((UInt128)pool * (ulong)validatorShares[i].Raw / shareSum);
            validatorAmounts[i] = amount;
            paid += amount;
        }

        return pool - paid;
    }
}
