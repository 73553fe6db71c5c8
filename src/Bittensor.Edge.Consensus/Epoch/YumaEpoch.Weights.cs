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
        ReadOnlySpan<ulong?> earliestCommitBlocks,
        bool parallel)
    {
        int n = state.Count;
        SparseRow[] rows = state.WeightRowArray;
        ulong[] lastUpdate = state.LastUpdateArray;
        ulong[] registered = state.BlockAtRegistrationArray;
        using PooledArray<int> slot = new(n + 1, clear: false);
        using PooledArray<int> kept = new(n, clear: false);
        using PooledArray<bool> permitted = new(n, clear: false);
        using PooledArray<ulong> commits = new(earliestCommitBlocks.IsEmpty ? 0 : n, clear: false);
        bool anyCommit = false;
        for (int i = 0; i < earliestCommitBlocks.Length; i++)
        {
            // No commit: nothing is masked, as with a commit block beyond every registration.
            commits.Array[i] = earliestCommitBlocks[i] ?? ulong.MaxValue;
            anyCommit |= earliestCommitBlocks[i].HasValue;
        }

        permit.CopyTo(permitted.Span);
        int[] slots = slot.Array;
        slots[0] = 0;
        for (int i = 0; i < n; i++)
        {
            slots[i + 1] = slots[i] + (permit[i] ? rows[i].Count : 0);
        }

        int capacity = slots[n];
        using PooledArray<int> cols = new(capacity, clear: false);
        using PooledArray<long> vals = new(capacity, clear: false);
        int[] outCols = cols.Array;
        long[] outVals = vals.Array;
        bool[] permits = permitted.Array;
        ulong[] commitBlocks = commits.Array;
        int[] keptCount = kept.Array;
        ForEachRow(slots, n, parallel, i =>
        {
            if (!permits[i])
            {
                keptCount[i] = 0;
                return;
            }

            ReadOnlySpan<ushort> uids = rows[i].Uids;
            ReadOnlySpan<ushort> values = rows[i].Values;
            ulong updated = lastUpdate[i];
            ulong commit = anyCommit ? commitBlocks[i] : ulong.MaxValue;
            int at = slots[i];
            int count = 0;
            long sum = 0;
            for (int t = 0; t < uids.Length; t++)
            {
                int j = uids[t];
                if (j >= n || (j == i && i != owner) || updated <= registered[j] || commit < registered[j])
                {
                    continue;
                }

                long v = (long)values[t] << 32;
                outCols[at + count] = j;
                outVals[at + count] = v;
                count++;
                sum = I32F32.SaturatingAdd(sum, v);
            }

            if (sum != 0)
            {
                for (int q = at; q < at + count; q++)
                {
                    outVals[q] = I32F32.SafeDivRaw(outVals[q], sum);
                }
            }

            keptCount[i] = count;
        });

        return CompactRows(n, slots, keptCount, outCols, outVals, [], parallel);
    }

    /// <summary>
    /// Step 6: <c>C_j</c> = the stake-weighted median of column j over the uids with active stake
    /// (subtensor <c>weighted_median_col_sparse</c>). Columns are independent: large matrices split them into
    /// chunks that run in parallel, each writing only its own columns, so the result does not depend on scheduling.
    /// </summary>
    private static void ComputeConsensus(SparseMatrix w, ReadOnlySpan<long> activeStake, long kappa, Span<long> consensus, bool parallel)
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

        using PooledArray<long> output = new(n);
        MedianColumns columns = new(w, validator.Array, useStake.Array, m, minority, stakeSum, output.Array);
        int chunks = parallel && entries >= ParallelConsensusEntries && Environment.ProcessorCount > 1
            ? Math.Min(Math.Min(Environment.ProcessorCount, 8), Math.Max(1, n / MedianColumns.Block))
            : 1;
        if (chunks == 1)
        {
            columns.Run(0, n);
        }
        else
        {
            int perChunk = (n + chunks - 1) / chunks;
            Parallel.For(0, chunks, chunk => columns.Run(chunk * perChunk, Math.Min(n, (chunk + 1) * perChunk)));
        }

        output.Span.CopyTo(consensus);
    }

    /// <summary>Matrices with at least this many validator weights compute the column medians in parallel.</summary>
    private const int ParallelConsensusEntries = 1 << 15;

    /// <summary>
    /// The column medians of step 6 over a range of columns. Instead of transposing W, each block of
    /// <see cref="Block"/> columns is gathered into a small dense score block (validators' rows are read with
    /// per-row cursors, sequentially), the median runs on each gathered column, and the block is cleared again.
    /// Columns without any entry have median 0 (every score is 0) and are skipped.
    /// </summary>
    private sealed class MedianColumns(SparseMatrix w, int[] validator, long[] stake, int m, long minority, long stakeSum, long[] output)
    {
        public const int Block = 64;

        public void Run(int from, int to)
        {
            using PooledArray<int> cursor = new(m, clear: false);
            using PooledArray<int> end = new(m, clear: false);
            using PooledArray<long> scores = new(Block * m);
            using PooledArray<bool> present = new(Block);
            using PooledArray<int> partition = new(m, clear: false);
            using PooledArray<int> scratch = new(3 * m, clear: false);
            int[] cols = w.Cols;
            long[] vals = w.Vals;
            for (int k = 0; k < m; k++)
            {
                int i = validator[k];
                int begin = w.RowStart[i];
                int stop = w.RowStart[i + 1];
                cursor.Array[k] = from == 0 ? begin : LowerBound(cols, begin, stop, from);
                end.Array[k] = stop;
                partition.Array[k] = k;
            }

            ReadOnlySpan<long> u = stake.AsSpan(0, m);
            long[] block = scores.Array;
            bool[] has = present.Array;
            for (int j0 = from; j0 < to; j0 += Block)
            {
                int j1 = Math.Min(j0 + Block, to);
                for (int k = 0; k < m; k++)
                {
                    int p = cursor.Array[k];
                    int stop = end.Array[k];
                    while (p < stop && cols[p] < j1)
                    {
                        int c = cols[p] - j0;
                        block[(c * m) + k] = vals[p];
                        has[c] = true;
                        p++;
                    }

                    cursor.Array[k] = p;
                }

                for (int c = 0; c < j1 - j0; c++)
                {
                    if (!has[c])
                    {
                        continue;
                    }

                    has[c] = false;
                    Span<long> column = block.AsSpan(c * m, m);
                    output[j0 + c] = WeightedMedian.Median(u, column, partition.Span, minority, 0, stakeSum, scratch.Span);
                    column.Clear();
                }
            }
        }

        private static int LowerBound(int[] cols, int begin, int end, int value)
        {
            int index = Array.BinarySearch(cols, begin, end - begin, value);
            return index >= 0 ? index : ~index;
        }
    }

    /// <summary>
    /// Steps 7 and 8 in one pass. Step 7 (subtensor <c>col_clip_sparse</c>): entries above <c>C_j</c> become
    /// <c>C_j</c>, or are removed when <c>C_j ≤ 0</c>; entries at or below it stay; validator trust is the row sum.
    /// Step 8: <c>R_j = Σ_i mul(A_i, Wc_ij)</c> (subtensor <c>matmul_sparse</c>), then normalized to I.
    /// </summary>
    private static SparseMatrix ClipAndRank(
        SparseMatrix w,
        ReadOnlySpan<long> consensus,
        ReadOnlySpan<long> activeStake,
        Span<long> incentive,
        Span<ushort> validatorTrust,
        bool parallel)
    {
        int rows = w.Rows;
        int[] cols = w.Cols;
        long[] vals = w.Vals;
        int[] rowStart = w.RowStart;
        using PooledArray<int> kept = new(rows, clear: false);
        using PooledArray<int> outCols = new(w.Count, clear: false);
        using PooledArray<long> outVals = new(w.Count, clear: false);
        using PooledArray<long> rank = new(rows);
        using PooledArray<long> c = new(rows, clear: false);
        using PooledArray<long> a = new(rows, clear: false);
        using PooledArray<ushort> trustOut = new(rows, clear: false);
        consensus.CopyTo(c.Span);
        activeStake.CopyTo(a.Span);
        long[] consensusArray = c.Array;
        long[] stakeArray = a.Array;
        int[] keptArray = kept.Array;
        int[] clippedCols = outCols.Array;
        long[] clippedVals = outVals.Array;
        ushort[] trust = trustOut.Array;
        AccumulateColumns(rowStart, rows, parallel, rank.Array, rows, max: false, (from, to, ranks) =>
        {
            for (int i = from; i < to; i++)
            {
                long stake = stakeArray[i];
                long rowTrust = 0;
                int at = rowStart[i];
                int count = 0;
                for (int q = rowStart[i]; q < rowStart[i + 1]; q++)
                {
                    int j = cols[q];
                    long v = vals[q];
                    long cj = consensusArray[j];
                    if (cj < v)
                    {
                        if (cj <= 0)
                        {
                            continue;
                        }

                        v = cj;
                    }

                    clippedCols[at + count] = j;
                    clippedVals[at + count] = v;
                    count++;
                    rowTrust = I32F32.SaturatingAdd(rowTrust, v);
                    ranks[j] = I32F32.SaturatingAdd(ranks[j], I32F32.MulRaw(stake, v));
                }

                keptArray[i] = count;
                trust[i] = new I32F32(rowTrust).ToU16();
            }
        });

        trustOut.Span.CopyTo(validatorTrust);
        rank.Span.CopyTo(incentive);
        NormalizeInPlace(incentive);
        return CompactRows(rows, rowStart, keptArray, clippedCols, clippedVals, [], parallel);
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
