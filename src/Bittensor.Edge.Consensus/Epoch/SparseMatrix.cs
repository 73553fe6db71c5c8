// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>
/// A compressed sparse row (CSR) matrix of raw I32F32 values over pooled arrays: row <c>i</c> holds the entries
/// <c>[RowStart[i], RowStart[i + 1])</c> of <see cref="Cols"/> (ascending) and <see cref="Vals"/>. It plays the
/// role of subtensor's <c>Vec&lt;Vec&lt;(u16, I32F32)&gt;&gt;</c> sparse matrices in <c>epoch/math.rs</c>.
/// </summary>
/// <remarks>Built row by row with <see cref="Append"/> and <see cref="EndRow"/>; disposing returns the arrays.
/// Not thread-safe while being built; once built, concurrent reads are safe.</remarks>
internal sealed class SparseMatrix : IDisposable
{
    private int _count;
    private int _builtRows;

    public SparseMatrix(int rows, int capacity)
    {
        Rows = rows;
        RowStart = ArrayPool<int>.Shared.Rent(rows + 1);
        Cols = ArrayPool<int>.Shared.Rent(Math.Max(capacity, 1));
        Vals = ArrayPool<long>.Shared.Rent(Math.Max(capacity, 1));
        RowStart[0] = 0;
    }

    public int Rows { get; }

    public int[] RowStart { get; }

    public int[] Cols { get; }

    public long[] Vals { get; }

    /// <summary>Number of stored entries.</summary>
    public int Count => _count;

    public void Append(int col, long value)
    {
        Cols[_count] = col;
        Vals[_count] = value;
        _count++;
    }

    /// <summary>Closes the current row; call once per row, in order.</summary>
    public void EndRow()
    {
        _builtRows++;
        RowStart[_builtRows] = _count;
    }

    /// <summary>
    /// Marks every row built after <see cref="RowStart"/> (length rows + 1), <see cref="Cols"/> and
    /// <see cref="Vals"/> were filled directly, as <see cref="YumaEpoch"/>'s parallel compaction does.
    /// </summary>
    public void CompleteRows()
    {
        _builtRows = Rows;
        _count = RowStart[Rows];
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(RowStart);
        ArrayPool<int>.Shared.Return(Cols);
        ArrayPool<long>.Shared.Return(Vals);
    }
}
