// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.FixedPoint;

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>Steps 10–12 of <c>specs/consensus.md</c> §3: the bond mask, Yuma2 and Yuma3 bonds and dividends.</summary>
public static partial class YumaEpoch
{
    /// <summary>Rows with at least this many Wb entries in total run the liquid-alpha rows in parallel.</summary>
    private const int ParallelLiquidAlphaEntries = 1 << 14;

    /// <summary>
    /// Reads the stored bonds (subtensor <c>get_bonds_sparse</c> / <c>get_bonds_sparse_fixed_proportion</c>) with the
    /// step 10 mask applied (<c>scalar_vec_mask_sparse_matrix</c>): entries on uids registered at or after
    /// <c>block − tempo</c> are skipped. Values are <c>fix(b)</c> (Yuma2) or <c>prop(b)</c> (Yuma3).
    /// </summary>
    private static SparseMatrix ReadBonds(SubnetState state, ulong lastTempo, bool proportion)
    {
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

                bonds.Append(j, proportion ? I32F32.Prop(values[t]).Raw : (long)values[t] << 32);
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
    private static void Yuma2Bonds(
        SubnetState state,
        ulong lastTempo,
        long alphaFixed,
        SparseMatrix forBonds,
        ReadOnlySpan<long> activeStake,
        ReadOnlySpan<long> incentive,
        Span<long> dividends,
        EpochResult result)
    {
        int n = state.Count;
        using PooledArray<long> scratch = new(n, clear: false);
        using SparseMatrix bonds = ReadBonds(state, lastTempo, proportion: false);
        bonds.NormalizeColumns(scratch.Span);

        using SparseMatrix delta = new(n, forBonds.Count);
        for (int i = 0; i < n; i++)
        {
            long a = activeStake[i];
            for (int q = forBonds.RowStart[i]; q < forBonds.RowStart[i + 1]; q++)
            {
                delta.Append(forBonds.Cols[q], I32F32.MulRaw(forBonds.Vals[q], a));
            }

            delta.EndRow();
        }

        delta.NormalizeColumns(scratch.Span);

        // EMA (subtensor mat_ema_sparse): dense per row in subtensor; the union of the two rows' columns gives the
        // same entries, since an absent entry contributes mul(x, 0) = 0.
        long oneMinusAlpha = I32F32.SaturatingSub(One, alphaFixed);
        using SparseMatrix ema = new(n, delta.Count + bonds.Count);
        for (int i = 0; i < n; i++)
        {
            MergeEma(delta, bonds, i, alphaFixed, oneMinusAlpha, ema);
            ema.EndRow();
        }

        ema.NormalizeColumns(scratch.Span);

        for (int i = 0; i < n; i++)
        {
            long d = 0;
            for (int q = ema.RowStart[i]; q < ema.RowStart[i + 1]; q++)
            {
                d = I32F32.SaturatingAdd(d, I32F32.MulRaw(incentive[ema.Cols[q]], ema.Vals[q]));
            }

            dividends[i] = d;
        }

        NormalizeInPlace(dividends);

        // Stored bonds: inplace_col_max_upscale_sparse, then fixed_proportion_to_u16, for uids with a new permit.
        Span<long> columnMax = scratch.Span;
        columnMax.Clear();
        for (int q = 0; q < ema.Count; q++)
        {
            int j = ema.Cols[q];
            if (columnMax[j] < ema.Vals[q])
            {
                columnMax[j] = ema.Vals[q];
            }
        }

        StoreBonds(ema, columnMax, upscale: true, result);
    }

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
        ReadOnlySpan<long> activeStake,
        ReadOnlySpan<long> consensus,
        ReadOnlySpan<long> incentive,
        Span<long> dividends,
        EpochResult result)
    {
        int n = state.Count;
        using SparseMatrix bonds = ReadBonds(state, lastTempo, proportion: true);
        bool anyConsensus = false;
        foreach (long c in consensus)
        {
            anyConsensus |= c != 0;
        }

        using SparseMatrix updated = parameters.LiquidAlpha && anyConsensus
            ? LiquidAlphaEma(forBonds, bonds, consensus, new LiquidAlpha(parameters.AlphaLow, parameters.AlphaHigh, parameters.AlphaSigmoidSteepness))
            : FixedAlphaEma(forBonds, bonds, alphaFixed);

        using PooledArray<long> scratch = new(n, clear: false);
        Span<long> columnSum = scratch.Span;
        updated.ColumnSums(columnSum);
        for (int i = 0; i < n; i++)
        {
            long t = 0;
            for (int q = updated.RowStart[i]; q < updated.RowStart[i + 1]; q++)
            {
                int j = updated.Cols[q];
                long sum = columnSum[j];
                long normalized = sum != 0 ? I32F32.SafeDivRaw(updated.Vals[q], sum) : updated.Vals[q];
                t = I32F32.SaturatingAdd(t, I32F32.MulRaw(normalized, incentive[j]));
            }

            dividends[i] = I32F32.MulRaw(t, activeStake[i]);
        }

        NormalizeInPlace(dividends);
        StoreBonds(updated, default, upscale: false, result);
    }

    /// <summary>
    /// The fixed-alpha EMA of step 12 (subtensor <c>mat_ema_sparse</c> on Wb):
    /// <c>mul(alpha, Wb_ij) + mul(1 − alpha, B_ij)</c> over the union of columns, kept when &gt; 0.
    /// </summary>
    private static SparseMatrix FixedAlphaEma(SparseMatrix forBonds, SparseMatrix bonds, long alphaFixed)
    {
        long oneMinusAlpha = I32F32.SaturatingSub(One, alphaFixed);
        SparseMatrix ema = new(forBonds.Rows, forBonds.Count + bonds.Count);
        for (int i = 0; i < forBonds.Rows; i++)
        {
            MergeEma(forBonds, bonds, i, alphaFixed, oneMinusAlpha, ema);
            ema.EndRow();
        }

        return ema;
    }

    /// <summary>
    /// Liquid alpha (subtensor <c>compute_liquid_alpha_values_sparse</c> + <c>mat_ema_alpha_sparse</c>): for the
    /// columns present in row i of Wb only, <c>B'_ij = min(1, mul(1 − α_ij, B_ij) + max(mul(α_ij, Wb_ij), 0))</c>
    /// with <c>α_ij = sigmoid(C_j, Wb_ij, B_ij)</c>, kept when &gt; 0. Bonds on other columns are dropped. The
    /// sigmoid is computed only where it is used; rows are independent, so large matrices run rows in parallel,
    /// each writing its own slice, which keeps the result deterministic.
    /// </summary>
    internal static SparseMatrix LiquidAlphaEma<TAlpha>(SparseMatrix forBonds, SparseMatrix bonds, ReadOnlySpan<long> consensus, TAlpha sigmoid)
        where TAlpha : struct, IEntryAlpha
    {
        int n = forBonds.Rows;
        using PooledArray<int> cols = new(forBonds.Count, clear: false);
        using PooledArray<long> vals = new(forBonds.Count, clear: false);
        using PooledArray<int> kept = new(n, clear: false);
        using PooledArray<long> consensusCopy = new(n, clear: false);
        consensus.CopyTo(consensusCopy.Span);
        int[] outCols = cols.Array;
        long[] outVals = vals.Array;
        int[] keptCount = kept.Array;
        long[] c = consensusCopy.Array;

        void Row(int i)
        {
            int at = forBonds.RowStart[i];
            int q2 = bonds.RowStart[i];
            int end2 = bonds.RowStart[i + 1];
            int count = 0;
            for (int q = forBonds.RowStart[i]; q < forBonds.RowStart[i + 1]; q++)
            {
                int j = forBonds.Cols[q];
                long w = forBonds.Vals[q];
                while (q2 < end2 && bonds.Cols[q2] < j)
                {
                    q2++;
                }

                long b = q2 < end2 && bonds.Cols[q2] == j ? bonds.Vals[q2] : 0;
                long value = LiquidAlpha.EmaEntry(sigmoid.Alpha(c[j], w, b), b, w);
                if (value > 0)
                {
                    outCols[at + count] = j;
                    outVals[at + count] = value;
                    count++;
                }
            }

            keptCount[i] = count;
        }

        if (forBonds.Count >= ParallelLiquidAlphaEntries && Environment.ProcessorCount > 1)
        {
            Parallel.For(0, n, Row);
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                Row(i);
            }
        }

        SparseMatrix ema = new(n, forBonds.Count);
        for (int i = 0; i < n; i++)
        {
            int at = forBonds.RowStart[i];
            for (int t = 0; t < keptCount[i]; t++)
            {
                ema.Append(outCols[at + t], outVals[at + t]);
            }

            ema.EndRow();
        }

        return ema;
    }

    /// <summary>
    /// One row of subtensor's <c>mat_ema_sparse</c>: <c>mul(alpha, new_ij) + mul(1 − alpha, old_ij)</c> over the
    /// union of the two rows' columns (absent entries 0), appending the positive results in column order.
    /// </summary>
    private static void MergeEma(SparseMatrix next, SparseMatrix old, int i, long alpha, long oneMinusAlpha, SparseMatrix into)
    {
        int p = next.RowStart[i];
        int pEnd = next.RowStart[i + 1];
        int q = old.RowStart[i];
        int qEnd = old.RowStart[i + 1];
        while (p < pEnd || q < qEnd)
        {
            int pj = p < pEnd ? next.Cols[p] : int.MaxValue;
            int qj = q < qEnd ? old.Cols[q] : int.MaxValue;
            int j = Math.Min(pj, qj);
            long nv = pj == j ? next.Vals[p++] : 0;
            long ov = qj == j ? old.Vals[q++] : 0;
            long acc = I32F32.SaturatingAdd(I32F32.MulRaw(alpha, nv), I32F32.MulRaw(oneMinusAlpha, ov));
            if (acc > 0)
            {
                into.Append(j, acc);
            }
        }
    }

    /// <summary>Step 14's bonds: <c>u16</c> rows for uids with a new permit (max-upscaled for Yuma2), empty otherwise.</summary>
    private static void StoreBonds(SparseMatrix bonds, ReadOnlySpan<long> columnMax, bool upscale, EpochResult result)
    {
        for (int i = 0; i < bonds.Rows; i++)
        {
            int begin = bonds.RowStart[i];
            int length = bonds.RowStart[i + 1] - begin;
            if (!result.ValidatorPermitArray[i] || length == 0)
            {
                result.BondsArray[i] = SparseRow.Empty;
                continue;
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
    }
}
