// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.FixedPoint;

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>Steps 5–9 of <c>specs/consensus.md</c> §3: weights, consensus, clipping, incentive, weights for bonds.</summary>
public static partial class YumaEpoch
{
    /// <summary>
    /// Step 5: <c>fix(w)</c> of the stored rows of permitted uids, without self-weights (the owner's excepted),
    /// outdated entries (subtensor <c>vec_mask_sparse_matrix</c> on <c>last_update ≤ block_at_registration</c>) and,
    /// with commit-reveal, entries newer than the earliest commit; then row-normalized
    /// (<c>inplace_row_normalize_sparse</c>).
    /// </summary>
    private static SparseMatrix BuildWeights(
        SubnetState state,
        ReadOnlySpan<bool> permit,
        int owner,
        ReadOnlySpan<ulong?> earliestCommitBlocks)
    {
        int n = state.Count;
        ReadOnlySpan<SparseRow> rows = state.WeightRows;
        ReadOnlySpan<ulong> lastUpdate = state.LastUpdate;
        ReadOnlySpan<ulong> registered = state.BlockAtRegistration;
        int capacity = 0;
        for (int i = 0; i < n; i++)
        {
            capacity += permit[i] ? rows[i].Count : 0;
        }

        SparseMatrix w = new(n, capacity);
        long[] vals = w.Vals;
        for (int i = 0; i < n; i++)
        {
            if (permit[i])
            {
                SparseRow row = rows[i];
                ReadOnlySpan<ushort> uids = row.Uids;
                ReadOnlySpan<ushort> values = row.Values;
                ulong updated = lastUpdate[i];
                ulong? commit = earliestCommitBlocks.IsEmpty ? null : earliestCommitBlocks[i];
                int begin = w.Count;
                long sum = 0;
                for (int t = 0; t < uids.Length; t++)
                {
                    int j = uids[t];
                    if (j >= n || (j == i && i != owner) || updated <= registered[j] || commit < registered[j])
                    {
                        continue;
                    }

                    long v = (long)values[t] << 32;
                    w.Append(j, v);
                    sum = I32F32.SaturatingAdd(sum, v);
                }

                if (sum != 0)
                {
                    for (int q = begin; q < w.Count; q++)
                    {
                        vals[q] = I32F32.SafeDivRaw(vals[q], sum);
                    }
                }
            }

            w.EndRow();
        }

        return w;
    }

    /// <summary>
    /// Step 6: <c>C_j</c> = the stake-weighted median of column j over the uids with active stake
    /// (subtensor <c>weighted_median_col_sparse</c>), reading a CSC copy of those rows.
    /// </summary>
    private static void ComputeConsensus(SparseMatrix w, ReadOnlySpan<long> activeStake, long kappa, Span<long> consensus)
    {
        int n = w.Rows;
        consensus.Clear();
        int m = 0;
        for (int i = 0; i < n; i++)
        {
            m += activeStake[i] > 0 ? 1 : 0;
        }

        if (m == 0)
        {
            return;
        }

        using PooledArray<long> useStake = new(m, clear: false);
        using PooledArray<int> validator = new(m, clear: false);
        int k = 0;
        int entries = 0;
        for (int i = 0; i < n; i++)
        {
            if (activeStake[i] > 0)
            {
                useStake.Array[k] = activeStake[i];
                validator.Array[k++] = i;
                entries += w.RowStart[i + 1] - w.RowStart[i];
            }
        }

        Span<long> u = useStake.Span;
        NormalizeInPlace(u);
        long stakeSum = Sum(u);
        long minority = I32F32.SaturatingSub(stakeSum, kappa);

        // Transpose the validators' rows: column j's entries, ascending by validator rank k.
        using PooledArray<int> columnStart = new(n + 1);
        Span<int> start = columnStart.Span;
        for (k = 0; k < m; k++)
        {
            int i = validator.Array[k];
            for (int q = w.RowStart[i]; q < w.RowStart[i + 1]; q++)
            {
                start[w.Cols[q] + 1]++;
            }
        }

        for (int j = 0; j < n; j++)
        {
            start[j + 1] += start[j];
        }

        using PooledArray<int> next = new(n, clear: false);
        start[..n].CopyTo(next.Span);
        using PooledArray<int> rowOf = new(entries, clear: false);
        using PooledArray<long> valueOf = new(entries, clear: false);
        for (k = 0; k < m; k++)
        {
            int i = validator.Array[k];
            for (int q = w.RowStart[i]; q < w.RowStart[i + 1]; q++)
            {
                int at = next.Array[w.Cols[q]]++;
                rowOf.Array[at] = k;
                valueOf.Array[at] = w.Vals[q];
            }
        }

        using PooledArray<long> score = new(m);
        using PooledArray<int> partition = new(m, clear: false);
        using PooledArray<int> scratch = new(3 * m, clear: false);
        for (k = 0; k < m; k++)
        {
            partition.Array[k] = k;
        }

        Span<long> columnScore = score.Span;
        for (int j = 0; j < n; j++)
        {
            int begin = start[j];
            int end = start[j + 1];
            if (begin == end)
            {
                // Every score is 0: the median returns 0 (empty, single or all-equal partition).
                continue;
            }

            for (int t = begin; t < end; t++)
            {
                columnScore[rowOf.Array[t]] = valueOf.Array[t];
            }

            consensus[j] = WeightedMedian.Median(u, columnScore, partition.Span, minority, 0, stakeSum, scratch.Span);
            for (int t = begin; t < end; t++)
            {
                columnScore[rowOf.Array[t]] = 0;
            }
        }
    }

    /// <summary>
    /// Step 7 (subtensor <c>col_clip_sparse</c>): entries above <c>C_j</c> become <c>C_j</c>, or are removed when
    /// <c>C_j ≤ 0</c>; entries at or below it stay.
    /// </summary>
    private static SparseMatrix Clip(SparseMatrix w, ReadOnlySpan<long> consensus)
    {
        SparseMatrix clipped = new(w.Rows, w.Count);
        for (int i = 0; i < w.Rows; i++)
        {
            for (int q = w.RowStart[i]; q < w.RowStart[i + 1]; q++)
            {
                int j = w.Cols[q];
                long v = w.Vals[q];
                long c = consensus[j];
                if (c < v)
                {
                    if (c > 0)
                    {
                        clipped.Append(j, c);
                    }
                }
                else
                {
                    clipped.Append(j, v);
                }
            }

            clipped.EndRow();
        }

        return clipped;
    }

    /// <summary>Step 8: <c>R_j = Σ_i mul(A_i, Wc_ij)</c> (subtensor <c>matmul_sparse</c>), then normalized.</summary>
    private static void ComputeIncentive(SparseMatrix clipped, ReadOnlySpan<long> activeStake, Span<long> incentive)
    {
        incentive.Clear();
        for (int i = 0; i < clipped.Rows; i++)
        {
            long a = activeStake[i];
            if (a == 0)
            {
                continue;
            }

            for (int q = clipped.RowStart[i]; q < clipped.RowStart[i + 1]; q++)
            {
                int j = clipped.Cols[q];
                incentive[j] = I32F32.SaturatingAdd(incentive[j], I32F32.MulRaw(a, clipped.Vals[q]));
            }
        }

        NormalizeInPlace(incentive);
    }

    /// <summary>
    /// Step 9 for 0 &lt; beta &lt; 1 (subtensor <c>interpolate_sparse</c>): per row over the union of columns,
    /// <c>x = W + mul(beta, Wc − W)</c> with absent entries 0, kept when x &gt; 0. Wc's columns are a subset of W's,
    /// so the union is W's row.
    /// </summary>
    private static SparseMatrix Interpolate(SparseMatrix w, SparseMatrix clipped, long beta)
    {
        SparseMatrix result = new(w.Rows, w.Count);
        for (int i = 0; i < w.Rows; i++)
        {
            int q2 = clipped.RowStart[i];
            int end2 = clipped.RowStart[i + 1];
            for (int q = w.RowStart[i]; q < w.RowStart[i + 1]; q++)
            {
                int j = w.Cols[q];
                long v1 = w.Vals[q];
                long v2 = 0;
                if (q2 < end2 && clipped.Cols[q2] == j)
                {
                    v2 = clipped.Vals[q2++];
                }

                long x = I32F32.SaturatingAdd(v1, I32F32.MulRaw(beta, I32F32.SaturatingSub(v2, v1)));
                if (x > 0)
                {
                    result.Append(j, x);
                }
            }

            result.EndRow();
        }

        return result;
    }
}
