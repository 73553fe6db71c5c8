// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.FixedPoint;

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>
/// How row passes run on several cores without changing a single bit of the result. Rows are split into
/// contiguous chunks of about equal entries; a row writes only its own output slot; column vectors are accumulated
/// per chunk and merged, which is exact because every accumulated value is non-negative, so saturating sums (and
/// maxima) are the same in any order; rows are then compacted in row order.
/// </summary>
public static partial class YumaEpoch
{
    /// <summary>Row passes over at least this many entries run in parallel.</summary>
    private const int ParallelRowEntries = 1 << 15;

    /// <summary>Runs <paramref name="row"/> for every row, in parallel when allowed and the pass is large enough.</summary>
    /// <param name="rowStart">Entry offsets by row (length rows + 1), used to give each worker an equal share of entries.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="parallel">Whether the caller allows parallel passes.</param>
    /// <param name="row">The work for one row; it may only write state that belongs to its row.</param>
    private static void ForEachRow(int[] rowStart, int rows, bool parallel, Action<int> row) =>
        ForEachChunk(rowStart, rows, ChunkCount(rowStart, rows, parallel), (_, from, to) =>
        {
            for (int i = from; i < to; i++)
            {
                row(i);
            }
        });

    /// <summary>How many chunks a pass over these rows runs in: 1 unless parallel is allowed and the pass is large.</summary>
    private static int ChunkCount(int[] rowStart, int rows, bool parallel) =>
        parallel && rowStart[rows] - rowStart[0] >= ParallelRowEntries && Environment.ProcessorCount > 1
            ? Math.Min(Environment.ProcessorCount, 8)
            : 1;

    /// <summary>
    /// Splits rows into <paramref name="chunks"/> contiguous ranges holding about the same number of entries
    /// (validators' rows carry all the weight, so an even split by row index would leave one worker with everything)
    /// and runs <paramref name="chunk"/>(index, from, to) on each, in parallel when there is more than one.
    /// </summary>
    private static void ForEachChunk(int[] rowStart, int rows, int chunks, Action<int, int, int> chunk)
    {
        if (chunks == 1)
        {
            chunk(0, 0, rows);
            return;
        }

        int entries = rowStart[rows] - rowStart[0];
        int[] bounds = new int[chunks + 1];
        bounds[chunks] = rows;
        for (int c = 1; c < chunks; c++)
        {
            int target = (int)(rowStart[0] + ((long)entries * c / chunks));
            int index = Array.BinarySearch(rowStart, 0, rows + 1, target);
            bounds[c] = Math.Clamp(index >= 0 ? index : ~index, bounds[c - 1], rows);
        }

        Parallel.For(0, chunks, c => chunk(c, bounds[c], bounds[c + 1]));
    }

    /// <summary>
    /// Runs a pass that accumulates non-negative values into a column vector: each chunk of rows gets its own vector
    /// (the target itself when there is one chunk), merged afterwards with saturating sums or maxima.
    /// </summary>
    /// <param name="rowStart">Entry offsets by row.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="parallel">Whether the caller allows parallel passes.</param>
    /// <param name="target">The column vector to accumulate into (length at least the number of columns).</param>
    /// <param name="columns">Number of columns.</param>
    /// <param name="max">Merge by maximum instead of saturating sum.</param>
    /// <param name="body">(from, to, accumulator) for one chunk of rows.</param>
    private static void AccumulateColumns(int[] rowStart, int rows, bool parallel, long[] target, int columns, bool max, Action<int, int, long[]> body)
    {
        int chunks = ChunkCount(rowStart, rows, parallel);
        if (chunks == 1)
        {
            body(0, rows, target);
            return;
        }

        long[][] partial = new long[chunks][];
        for (int c = 0; c < chunks; c++)
        {
            partial[c] = System.Buffers.ArrayPool<long>.Shared.Rent(Math.Max(columns, 1));
            Array.Clear(partial[c], 0, columns);
        }

        try
        {
            ForEachChunk(rowStart, rows, chunks, (c, from, to) => body(from, to, partial[c]));
            for (int c = 0; c < chunks; c++)
            {
                long[] part = partial[c];
                for (int j = 0; j < columns; j++)
                {
                    target[j] = max ? Math.Max(target[j], part[j]) : I32F32.SaturatingAdd(target[j], part[j]);
                }
            }
        }
        finally
        {
            foreach (long[] part in partial)
            {
                System.Buffers.ArrayPool<long>.Shared.Return(part);
            }
        }
    }

    /// <summary>
    /// Compacts rows written into slots (row i's <paramref name="kept"/>[i] entries at <paramref name="slots"/>[i])
    /// into a matrix, in row order, accumulating the column sums of the kept values when asked.
    /// </summary>
    private static SparseMatrix CompactRows(int rows, int[] slots, int[] kept, int[] cols, long[] vals, Span<long> columnSums, bool parallel)
    {
        int total = 0;
        for (int i = 0; i < rows; i++)
        {
            total += kept[i];
        }

        SparseMatrix result = new(rows, total);
        int[] rowStart = result.RowStart;
        rowStart[0] = 0;
        for (int i = 0; i < rows; i++)
        {
            rowStart[i + 1] = rowStart[i] + kept[i];
        }

        int[] outCols = result.Cols;
        long[] outVals = result.Vals;
        void Copy(int from, int to, long[]? sums)
        {
            for (int i = from; i < to; i++)
            {
                int count = kept[i];
                Array.Copy(cols, slots[i], outCols, rowStart[i], count);
                Array.Copy(vals, slots[i], outVals, rowStart[i], count);
                if (sums is not null)
                {
                    for (int t = slots[i]; t < slots[i] + count; t++)
                    {
                        sums[cols[t]] = I32F32.SaturatingAdd(sums[cols[t]], vals[t]);
                    }
                }
            }
        }

        if (columnSums.IsEmpty)
        {
            ForEachChunk(rowStart, rows, ChunkCount(rowStart, rows, parallel), (_, from, to) => Copy(from, to, null));
        }
        else
        {
            using PooledArray<long> sums = new(columnSums.Length);
            AccumulateColumns(rowStart, rows, parallel, sums.Array, columnSums.Length, max: false, Copy);
            for (int j = 0; j < columnSums.Length; j++)
            {
                columnSums[j] = I32F32.SaturatingAdd(columnSums[j], sums.Array[j]);
            }
        }

        result.CompleteRows();
        return result;
    }
}
