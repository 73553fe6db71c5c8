// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.State;

namespace Bittensor.Edge.Chain.Execution;

/// <summary>
/// A stand-in for <c>YumaEpoch.Run</c> until Bittensor.Edge.Consensus is merged: the same inputs and outputs
/// in I32F32, with a simplified middle. Stake is normalized (§3 step 2), permits are the top
/// max_allowed_validators by stake (step 3, the old permits are used), active stake masks inactive and
/// unpermitted uids (step 4), rows are normalized without the diagonal (step 5), incentive is the active-stake
/// weighted column sum (step 8, no consensus clipping), dividends are the active stake itself (no bonds), and
/// step 13 splits E as the real epoch does. It is deterministic and conserves E, which is all the chain relies on.
/// </summary>
internal sealed class InterimEpochRunner : IEpochRunner
{
    private const long One = 1L << 32;

    public EpochOutput Run(EpochInput input)
    {
        int n = input.Stake.Length;
        ulong totalStake = 0;
        foreach (ulong s in input.Stake)
        {
            totalStake += s;
        }

        long[] stake = new long[n];
        for (int i = 0; i < n; i++)
        {
            stake[i] = totalStake == 0 ? 0 : (long)(((UInt128)input.Stake[i] << 32) / totalStake);
        }

        bool[] active = new bool[n];
        long[] activeStake = new long[n];
        ulong cutoff = input.Hyperparameters[HyperparameterId.ActivityCutoff];
        for (int i = 0; i < n; i++)
        {
            active[i] = !(input.LastUpdate[i] + cutoff < input.Block);
            bool permit = input.ValidatorPermit[i] || i == input.OwnerUid;
            activeStake[i] = active[i] && permit ? stake[i] : 0;
        }

        Normalize(activeStake);
        long[] rank = new long[n];
        for (int i = 0; i < n; i++)
        {
            if (activeStake[i] == 0)
            {
                continue;
            }

            long rowSum = 0;
            foreach (RowEntry entry in input.Weights[i])
            {
                if (entry.Uid < n && (entry.Uid != i || i == input.OwnerUid))
                {
                    rowSum += entry.Value;
                }
            }

            if (rowSum == 0)
            {
                continue;
            }

            foreach (RowEntry entry in input.Weights[i])
            {
                if (entry.Uid < n && (entry.Uid != i || i == input.OwnerUid))
                {
                    long weight = (long)(((Int128)entry.Value << 32) / rowSum);
                    rank[entry.Uid] += (long)(((Int128)activeStake[i] * weight) >> 32);
                }
            }
        }

        long[] incentive = (long[])rank.Clone();
        Normalize(incentive);
        long[] dividends = (long[])activeStake.Clone();
        long[] server = new long[n];
        long[] validator = new long[n];
        long[] combined = new long[n];
        long esum = 0;
        for (int i = 0; i < n; i++)
        {
            esum += incentive[i] + dividends[i];
        }

        if (esum != 0)
        {
            for (int i = 0; i < n; i++)
            {
                server[i] = Div(incentive[i], esum);
                validator[i] = Div(dividends[i], esum);
                combined[i] = incentive[i] + dividends[i];
            }

            Normalize(combined);
        }
        else
        {
            long[] fallback = HasNonZero(activeStake) ? activeStake : stake;
            Array.Copy(fallback, validator, n);
            Array.Copy(fallback, combined, n);
        }

        ulong[] emission = new ulong[n];
        ulong[] serverEmission = new ulong[n];
        for (int i = 0; i < n; i++)
        {
            emission[i] = ToRao(combined[i], input.Emission);
            serverEmission[i] = ToRao(server[i], input.Emission);
        }

        return new EpochOutput(
            active,
            ToU16(stake),
            new ushort[n],
            ToU16(incentive),
            ToU16(dividends),
            new ushort[n],
            emission,
            serverEmission,
            validator,
            TopStakePermits(input, stake),
            EmptyRows(n));
    }

    private static bool[] TopStakePermits(EpochInput input, long[] stake)
    {
        int n = stake.Length;
        int k = (int)Math.Min(input.Hyperparameters[HyperparameterId.MaxAllowedValidators], (ulong)n);
        int[] order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        // Stable descending by stake: ties keep uid order.
        Array.Sort(order, (a, b) => stake[a] != stake[b] ? stake[b].CompareTo(stake[a]) : a.CompareTo(b));
        bool[] permits = new bool[n];
        for (int r = 0; r < k; r++)
        {
            permits[order[r]] = stake[order[r]] != 0;
        }

        if (input.OwnerUid < n)
        {
            permits[input.OwnerUid] = true;
        }

        return permits;
    }

    private static RowEntry[][] EmptyRows(int n)
    {
        RowEntry[][] rows = new RowEntry[n][];
        Array.Fill(rows, []);
        return rows;
    }

    private static bool HasNonZero(long[] values)
    {
        foreach (long value in values)
        {
            if (value != 0)
            {
                return true;
            }
        }

        return false;
    }

    private static void Normalize(long[] values)
    {
        long sum = 0;
        foreach (long value in values)
        {
            sum += value;
        }

        if (sum == 0)
        {
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Div(values[i], sum);
        }
    }

    private static long Div(long a, long b) => b == 0 ? 0 : (long)(((Int128)a << 32) / b);

    private static ulong ToRao(long share, ulong amount)
    {
        if (share <= 0)
        {
            return 0;
        }

        UInt128 scaled = ((UInt128)(ulong)share * amount) >> 32;
        return scaled > ulong.MaxValue ? ulong.MaxValue : (ulong)scaled;
    }

    private static ushort[] ToU16(long[] values)
    {
        ushort[] result = new ushort[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            long scaled = (long)(((Int128)values[i] * (65535L << 32)) >> 32) >> 32;
            result[i] = (ushort)Math.Clamp(scaled, 0, ushort.MaxValue);
        }

        return result;
    }
}
