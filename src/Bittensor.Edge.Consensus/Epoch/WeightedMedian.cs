// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.FixedPoint;

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>
/// subtensor's stake-weighted median (<c>weighted_median</c> and <c>weighted_median_col</c> in <c>epoch/math.rs</c>;
/// <c>specs/consensus.md</c> §3.6), on raw I32F32 values.
/// </summary>
internal static class WeightedMedian
{
    /// <summary>
    /// The median of §3.6, exactly as its pseudocode: quickselect on the partition <paramref name="partition"/>,
    /// pivot at <c>|cur| / 2</c>, and a bailout to 0 once the step count exceeds <c>|partition|</c>.
    /// </summary>
    /// <param name="stake">Stake per index.</param>
    /// <param name="score">Score per index.</param>
    /// <param name="partition">The indices to consider, in order.</param>
    /// <param name="minority">Stake sum minus kappa.</param>
    /// <param name="lo">Lower stake bound of the partition.</param>
    /// <param name="hi">Upper stake bound of the partition.</param>
    /// <param name="scratch">At least <c>3 * partition.Length</c> ints.</param>
    /// <returns>The median score, raw.</returns>
    public static long Median(
        ReadOnlySpan<long> stake,
        ReadOnlySpan<long> score,
        ReadOnlySpan<int> partition,
        long minority,
        long lo,
        long hi,
        Span<int> scratch)
    {
        int total = partition.Length;
        Span<int> cur = scratch[..total];
        Span<int> lower = scratch.Slice(total, total);
        Span<int> upper = scratch.Slice(2 * total, total);
        partition.CopyTo(cur);
        int curLength = total;
        int steps = 0;
        while (true)
        {
            if (curLength == 0)
            {
                return 0;
            }

            if (curLength == 1)
            {
                return score[cur[0]];
            }

            long pivot = score[cur[curLength / 2]];
            int lowerLength = 0;
            int upperLength = 0;
            long lowStake = 0;
            long highStake = 0;
            // Branch-free partition: scores are effectively random, so a compare-and-branch would mispredict about
            // half the time. Each index is written to both sides and only the matching side's length advances;
            // the order within each side is the order of cur, as in the reference.
            for (int t = 0; t < curLength; t++)
            {
                int i = cur[t];
                long s = score[i];
                long w = stake[i];
                int below = s < pivot ? 1 : 0;
                int above = s > pivot ? 1 : 0;
                lower[lowerLength] = i;
                upper[upperLength] = i;
                lowerLength += below;
                upperLength += above;
                lowStake = I32F32.SaturatingAdd(lowStake, w & -(long)below);
                highStake = I32F32.SaturatingAdd(highStake, w & -(long)above);
            }

            if (minority < I32F32.SaturatingAdd(lo, lowStake) && lowerLength > 0)
            {
                hi = I32F32.SaturatingAdd(lo, lowStake);
                Span<int> swap = cur;
                cur = lower;
                lower = swap;
                curLength = lowerLength;
            }
            else if (I32F32.SaturatingSub(hi, highStake) <= minority && upperLength > 0)
            {
                lo = I32F32.SaturatingSub(hi, highStake);
                Span<int> swap = cur;
                cur = upper;
                upper = swap;
                curLength = upperLength;
            }
            else
            {
                return pivot;
            }

            steps++;
            if (steps > total)
            {
                return 0;
            }
        }
    }

    /// <summary>
    /// subtensor <c>weighted_median_col</c> on a dense score matrix (rows = validators): the positive stakes are
    /// renormalized and each column's median taken with <c>minority = sum − majority</c>.
    /// </summary>
    /// <param name="stake">Stake per row.</param>
    /// <param name="score">Dense rows of scores.</param>
    /// <param name="majority">Kappa.</param>
    /// <returns>One median per column.</returns>
    public static long[] MedianColumns(ReadOnlySpan<long> stake, long[][] score, long majority)
    {
        int columns = score.Length == 0 ? 0 : score[0].Length;
        List<long> useStake = [];
        List<int> rows = [];
        for (int r = 0; r < stake.Length; r++)
        {
            if (stake[r] > 0)
            {
                useStake.Add(stake[r]);
                rows.Add(r);
            }
        }

        long[] u = [.. useStake];
        YumaEpoch.NormalizeInPlace(u);
        long sum = 0;
        foreach (long v in u)
        {
            sum = I32F32.SaturatingAdd(sum, v);
        }

        long minority = I32F32.SaturatingSub(sum, majority);
        int[] partition = new int[u.Length];
        for (int k = 0; k < partition.Length; k++)
        {
            partition[k] = k;
        }

        int[] scratch = new int[3 * u.Length];
        long[] columnScore = new long[u.Length];
        long[] median = new long[columns];
        for (int c = 0; c < columns; c++)
        {
            for (int k = 0; k < rows.Count; k++)
            {
                columnScore[k] = score[rows[k]][c];
            }

            median[c] = Median(u, columnScore, partition, minority, 0, sum, scratch);
        }

        return median;
    }
}
