// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.CompilerServices;
using Bittensor.Edge.Consensus.FixedPoint;

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>Steps 10–12 of <c>specs/consensus.md</c> §3: the bond mask, Yuma2 and Yuma3 bonds and dividends.</summary>
public static partial class YumaEpoch
{
    /// <summary>
    /// Reads the stored bonds (subtensor <c>get_bonds_sparse</c> / <c>get_bonds_sparse_fixed_proportion</c>) with the
    /// step 10 mask applied (<c>scalar_vec_mask_sparse_matrix</c>): entries on uids registered at or after
    /// <c>block − tempo</c> are skipped. Values are <c>fix(b)</c> (Yuma2) or <c>prop(b)</c> (Yuma3).
    /// </summary>
    private static SparseMatrix ReadBonds(SubnetState state, ulong lastTempo, bool proportion, Span<long> columnSums = default)
    {
        bool sum = !columnSums.IsEmpty;
        int n = state.Count;
        ReadOnlySpan<SparseRow> rows = state.BondRows;
        ReadOnlySpan<ulong> registered = state.BlockAtRegistration;
        int capacity = 0;
        for (int i = 0; i < n; i++)
        {
            capacity += rows[i].Count;
        }

        SparseMatrix bonds = new(n, capacity);
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<ushort> uids = rows[i].Uids;
            ReadOnlySpan<ushort> values = rows[i].Values;
            for (int t = 0; t < uids.Length; t++)
            {
                int j = uids[t];
                if (j >= n || lastTempo <= registered[j])
                {
                    continue;
                }

                long value = proportion ? I32F32.Prop(values[t]).Raw : (long)values[t] << 32;
                bonds.Append(j, value);
                if (sum)
                {
                    columnSums[j] = I32F32.SaturatingAdd(columnSums[j], value);
                }
            }

            bonds.EndRow();
        }

        return bonds;
    }

    /// <summary>
    /// Step 11, Yuma2 (subtensor <c>epoch_mechanism</c> with <c>compute_ema_bonds_normal_sparse</c>): column-normalized
    /// bonds, bonds delta <c>mul(Wb, A)</c> column-normalized, EMA with <c>alpha_fixed</c>, column-normalized again;
    /// dividends <c>Σ_j mul(I_j, B'_ij)</c>; stored bonds column max-upscaled.
    /// </summary>
    /// <remarks>The column normalizations (<c>inplace_col_normalize_sparse</c>) are fused into the passes that read
    /// the values: each pass first has the column sums the values are divided by. Sums of non-negative values
    /// saturate to the same result in any order, so they may be accumulated row by row.</remarks>
    private static void Yuma2Bonds(
        SubnetState state,
        ulong lastTempo,
        long alphaFixed,
        SparseMatrix forBonds,
        long[] activeStake,
        long[] incentive,
        long[] dividends,
        bool parallel,
        EpochResult result)
    {
        int n = state.Count;
        using PooledArray<long> bondSums = new(n);
        using PooledArray<long> deltaSums = new(n);
        using PooledArray<long> emaSums = new(n);
        using SparseMatrix bonds = ReadBonds(state, lastTempo, proportion: false, bondSums.Span);

        // Bonds delta (row_hadamard_sparse): mul(Wb_ij, A_i) for every Wb entry; only its column sums are kept here,
        // the values are recomputed in the EMA pass.
        AccumulateColumns(forBonds.RowStart, n, parallel, deltaSums.Array, n, max: false, (from, to, deltaSum) =>
        {
            for (int i = from; i < to; i++)
            {
                long a = activeStake[i];
                for (int q = forBonds.RowStart[i]; q < forBonds.RowStart[i + 1]; q++)
                {
                    int j = forBonds.Cols[q];
                    deltaSum[j] = I32F32.SaturatingAdd(deltaSum[j], I32F32.MulRaw(forBonds.Vals[q], a));
                }
            }
        });

        using SparseMatrix ema = BuildRows(
            forBonds,
            bonds,
            new Yuma2EmaRow(forBonds, bonds, activeStake, deltaSums.Array, bondSums.Array, alphaFixed),
            emaSums.Span,
            parallel);

        // B' = column-normalized EMA, and dividends Σ_j mul(I_j, B'_ij) (matmul_transpose_sparse), row by row.
        long[] emaSum = emaSums.Array;
        void NormalizeRow(int i)
        {
            long d = 0;
            for (int q = ema.RowStart[i]; q < ema.RowStart[i + 1]; q++)
            {
                int j = ema.Cols[q];
                long v = Normalized(ema.Vals[q], emaSum[j]);
                ema.Vals[q] = v;
                d = I32F32.SaturatingAdd(d, I32F32.MulRaw(incentive[j], v));
            }

            dividends[i] = d;
        }

        ForEachRow(ema.RowStart, n, parallel, NormalizeRow);
        NormalizeInPlace(dividends.AsSpan(0, n));

        // Stored bonds: inplace_col_max_upscale_sparse, then fixed_proportion_to_u16, for uids with a new permit.
        bondSums.Span.Clear();
        AccumulateColumns(ema.RowStart, n, parallel, bondSums.Array, n, max: true, (from, to, columnMax) =>
        {
            for (int q = ema.RowStart[from]; q < ema.RowStart[to]; q++)
            {
                int j = ema.Cols[q];
                if (columnMax[j] < ema.Vals[q])
                {
                    columnMax[j] = ema.Vals[q];
                }
            }
        });

        StoreBonds(ema, bondSums.Array, upscale: true, parallel, result);
    }

    /// <summary>One entry of <c>inplace_col_normalize_sparse</c>: divided by its column sum unless that is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Normalized(long value, long columnSum) => columnSum != 0 ? I32F32.SafeDivRaw(value, columnSum) : value;

    /// <summary>
    /// Step 12, Yuma3 (subtensor <c>compute_bonds</c> with <c>mat_ema_alpha_sparse</c>, or the fixed-alpha EMA):
    /// absolute bonds updated from Wb, dividends <c>mul(Σ_j mul(Bn_ij, I_j), A_i)</c>, stored bonds <c>u16(B')</c>.
    /// </summary>
    private static void Yuma3Bonds(
        SubnetState state,
        SubnetHyperparameters parameters,
        ulong lastTempo,
        long alphaFixed,
        SparseMatrix forBonds,
        long[] activeStake,
        long[] consensus,
        long[] incentive,
        long[] dividends,
        bool parallel,
        EpochResult result)
    {
        int n = state.Count;
        using SparseMatrix bonds = ReadBonds(state, lastTempo, proportion: true);
        bool anyConsensus = false;
        for (int j = 0; j < n; j++)
        {
            anyConsensus |= consensus[j] != 0;
        }

        using PooledArray<long> sums = new(n);
        using SparseMatrix updated = parameters.LiquidAlpha && anyConsensus
            ? LiquidAlphaEma(
                forBonds,
                bonds,
                consensus,
                new LiquidAlpha(parameters.AlphaLow, parameters.AlphaHigh, parameters.AlphaSigmoidSteepness),
                sums.Span,
                parallel)
            : BuildRows(forBonds, bonds, new FixedAlphaEmaRow(forBonds, bonds, alphaFixed, withUnion: true), sums.Span, parallel);

        long[] columnSum = sums.Array;
        void DividendRow(int i)
        {
            long t = 0;
            for (int q = updated.RowStart[i]; q < updated.RowStart[i + 1]; q++)
            {
                int j = updated.Cols[q];
                t = I32F32.SaturatingAdd(t, I32F32.MulRaw(Normalized(updated.Vals[q], columnSum[j]), incentive[j]));
            }

            dividends[i] = I32F32.MulRaw(t, activeStake[i]);
        }

        ForEachRow(updated.RowStart, n, parallel, DividendRow);
        NormalizeInPlace(dividends.AsSpan(0, n));
        StoreBonds(updated, [], upscale: false, parallel, result);
    }

    /// <summary>
    /// Liquid alpha (subtensor <c>compute_liquid_alpha_values_sparse</c> + <c>mat_ema_alpha_sparse</c>): for the
    /// columns present in row i of Wb only, <c>B'_ij = min(1, mul(1 − α_ij, B_ij) + max(mul(α_ij, Wb_ij), 0))</c>
    /// with <c>α_ij = sigmoid(C_j, Wb_ij, B_ij)</c>, kept when &gt; 0. Bonds on other columns are dropped. The
    /// sigmoid is computed only where it is used.
    /// </summary>
    internal static SparseMatrix LiquidAlphaEma<TAlpha>(
        SparseMatrix forBonds,
        SparseMatrix bonds,
        long[] consensus,
        TAlpha sigmoid,
        Span<long> columnSums,
        bool parallel)
        where TAlpha : struct, IEntryAlpha =>
        BuildRows(forBonds, bonds, new AlphaEmaRow<TAlpha>(forBonds, bonds, consensus, sigmoid), columnSums, parallel);

    /// <summary>
    /// Builds a matrix row by row from a per-row kernel. Each row writes into its own slot (sized by the two input
    /// rows), in parallel for large inputs; the rows are then appended in order, accumulating the column sums. The
    /// result is the same whether rows ran in parallel or not.
    /// </summary>
    private static SparseMatrix BuildRows<TRow>(SparseMatrix first, SparseMatrix second, TRow kernel, Span<long> columnSums, bool parallel)
        where TRow : struct, IRowKernel
    {
        int n = first.Rows;
        int capacity = first.Count + (kernel.UsesSecondRowCapacity ? second.Count : 0);
        using PooledArray<int> slot = new(n + 1, clear: false);
        using PooledArray<int> kept = new(n, clear: false);
        using PooledArray<int> cols = new(capacity, clear: false);
        using PooledArray<long> vals = new(capacity, clear: false);
        int[] slots = slot.Array;
        slots[0] = 0;
        for (int i = 0; i < n; i++)
        {
            int rowCapacity = first.RowStart[i + 1] - first.RowStart[i];
            if (kernel.UsesSecondRowCapacity)
            {
                rowCapacity += second.RowStart[i + 1] - second.RowStart[i];
            }

            slots[i + 1] = slots[i] + rowCapacity;
        }

        int[] outCols = cols.Array;
        long[] outVals = vals.Array;
        int[] keptCount = kept.Array;
        ForEachRow(slots, n, parallel, i => keptCount[i] = kernel.Write(i, outCols, outVals, slots[i]));

        return CompactRows(n, slots, keptCount, outCols, outVals, columnSums, parallel);
    }

    /// <summary>Step 14's bonds: <c>u16</c> rows for uids with a new permit (max-upscaled for Yuma2), empty otherwise.</summary>
    private static void StoreBonds(SparseMatrix bonds, long[] columnMax, bool upscale, bool parallel, EpochResult result)
    {
        void Row(int i)
        {
            int begin = bonds.RowStart[i];
            int length = bonds.RowStart[i + 1] - begin;
            if (!result.ValidatorPermitArray[i] || length == 0)
            {
                result.BondsArray[i] = SparseRow.Empty;
                return;
            }

            ushort[] uids = new ushort[length];
            ushort[] values = new ushort[length];
            for (int t = 0; t < length; t++)
            {
                int j = bonds.Cols[begin + t];
                long v = bonds.Vals[begin + t];
                if (upscale && columnMax[j] != 0)
                {
                    v = I32F32.SafeDivRaw(v, columnMax[j]);
                }

                uids[t] = (ushort)j;
                values[t] = new I32F32(v).ToU16();
            }

            result.BondsArray[i] = SparseRow.FromOwned(uids, values);
        }

        ForEachRow(bonds.RowStart, bonds.Rows, parallel, Row);
    }

    /// <summary>Writes one output row at <c>at</c> and returns how many entries it kept.</summary>
    private interface IRowKernel
    {
        /// <summary>Whether a row's output can hold entries of both input rows (a union) or only of the first.</summary>
        bool UsesSecondRowCapacity { get; }

        int Write(int i, int[] cols, long[] vals, int at);
    }

    /// <summary>
    /// One row of subtensor's <c>mat_ema_sparse</c> for Yuma2: over the union of the Wb and bond rows' columns,
    /// <c>mul(alpha, ΔBn_ij) + mul(1 − alpha, Bn_ij)</c> with ΔBn and Bn column-normalized and absent entries 0
    /// (dense per row in subtensor: an absent entry contributes mul(x, 0) = 0), kept when &gt; 0.
    /// </summary>
    private readonly struct Yuma2EmaRow(SparseMatrix forBonds, SparseMatrix bonds, long[] activeStake, long[] deltaSum, long[] bondSum, long alpha)
        : IRowKernel
    {
        private readonly long _oneMinusAlpha = I32F32.SaturatingSub(One, alpha);

        public bool UsesSecondRowCapacity => true;

        public int Write(int i, int[] cols, long[] vals, int at)
        {
            long a = activeStake[i];
            int count = 0;
            int p = forBonds.RowStart[i];
            int pEnd = forBonds.RowStart[i + 1];
            int q = bonds.RowStart[i];
            int qEnd = bonds.RowStart[i + 1];
            while (p < pEnd || q < qEnd)
            {
                int pj = p < pEnd ? forBonds.Cols[p] : int.MaxValue;
                int qj = q < qEnd ? bonds.Cols[q] : int.MaxValue;
                int j = Math.Min(pj, qj);
                long delta = pj == j ? Normalized(I32F32.MulRaw(forBonds.Vals[p++], a), deltaSum[j]) : 0;
                long old = qj == j ? Normalized(bonds.Vals[q++], bondSum[j]) : 0;
                long acc = I32F32.SaturatingAdd(I32F32.MulRaw(alpha, delta), I32F32.MulRaw(_oneMinusAlpha, old));
                if (acc > 0)
                {
                    cols[at + count] = j;
                    vals[at + count] = acc;
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>
    /// One row of the fixed-alpha EMA of step 12 (subtensor <c>mat_ema_sparse</c> on Wb):
    /// <c>mul(alpha, Wb_ij) + mul(1 − alpha, B_ij)</c> over the union of columns, kept when &gt; 0.
    /// </summary>
    private readonly struct FixedAlphaEmaRow(SparseMatrix forBonds, SparseMatrix bonds, long alpha, bool withUnion) : IRowKernel
    {
        private readonly long _oneMinusAlpha = I32F32.SaturatingSub(One, alpha);

        public bool UsesSecondRowCapacity => withUnion;

        public int Write(int i, int[] cols, long[] vals, int at)
        {
            int count = 0;
            int p = forBonds.RowStart[i];
            int pEnd = forBonds.RowStart[i + 1];
            int q = bonds.RowStart[i];
            int qEnd = bonds.RowStart[i + 1];
            while (p < pEnd || q < qEnd)
            {
                int pj = p < pEnd ? forBonds.Cols[p] : int.MaxValue;
                int qj = q < qEnd ? bonds.Cols[q] : int.MaxValue;
                int j = Math.Min(pj, qj);
                long next = pj == j ? forBonds.Vals[p++] : 0;
                long old = qj == j ? bonds.Vals[q++] : 0;
                long acc = I32F32.SaturatingAdd(I32F32.MulRaw(alpha, next), I32F32.MulRaw(_oneMinusAlpha, old));
                if (acc > 0)
                {
                    cols[at + count] = j;
                    vals[at + count] = acc;
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>One row of <c>mat_ema_alpha_sparse</c>: only the columns of the Wb row, each with its own alpha.</summary>
    private readonly struct AlphaEmaRow<TAlpha>(SparseMatrix forBonds, SparseMatrix bonds, long[] consensus, TAlpha sigmoid) : IRowKernel
        where TAlpha : struct, IEntryAlpha
    {
        public bool UsesSecondRowCapacity => false;

        public int Write(int i, int[] cols, long[] vals, int at)
        {
            int count = 0;
            int q2 = bonds.RowStart[i];
            int end2 = bonds.RowStart[i + 1];
            for (int q = forBonds.RowStart[i]; q < forBonds.RowStart[i + 1]; q++)
            {
                int j = forBonds.Cols[q];
                long w = forBonds.Vals[q];
                while (q2 < end2 && bonds.Cols[q2] < j)
                {
                    q2++;
                }

                long b = q2 < end2 && bonds.Cols[q2] == j ? bonds.Vals[q2] : 0;
                long value = LiquidAlpha.EmaEntry(sigmoid.Alpha(consensus[j], w, b), b, w);
                if (value > 0)
                {
                    cols[at + count] = j;
                    vals[at + count] = value;
                    count++;
                }
            }

            return count;
        }
    }
}
