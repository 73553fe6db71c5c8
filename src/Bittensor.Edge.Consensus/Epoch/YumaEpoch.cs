// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.FixedPoint;

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>
/// The Yuma epoch of one subnet, bit-exact with subtensor's sparse production epoch (<c>epoch_mechanism</c> in
/// <c>pallets/subtensor/src/epoch/run_epoch.rs</c>), following <c>specs/consensus.md</c> §3 steps 1–14.
/// </summary>
/// <remarks>
/// <para>Design notes. All arithmetic is integer (raw I32F32 in <see cref="long"/>s); there is no floating point.
/// Matrices are CSR over pooled arrays (<see cref="SparseMatrix"/>), vectors are dense and of length n, and the
/// per-column median reads a transposed (CSC) copy of the weights of the validators with active stake, so memory
/// is proportional to the number of weights plus n, never n². Steps are split by concern:
/// <c>YumaEpoch.cs</c> (steps 1–4, 13–14), <c>YumaEpoch.Weights.cs</c> (5–9), <c>YumaEpoch.Bonds.cs</c> (10–12).</para>
/// <para>Thread safety: <see cref="Run"/> only reads the state and keeps its work in locals and pooled buffers,
/// so concurrent runs, even on one state, are safe and give identical results.</para>
/// </remarks>
public static partial class YumaEpoch
{
    private const long One = 1L << 32;

    /// <summary>
    /// Runs one epoch on <paramref name="state"/> at <paramref name="block"/>, distributing
    /// <paramref name="raoEmission"/>. The state is not modified: store the result with <see cref="SubnetState.Apply"/>.
    /// </summary>
    /// <param name="state">The subnet state (permits of the previous epoch, stored weights and bonds).</param>
    /// <param name="parameters">The hyperparameters.</param>
    /// <param name="block">The block the epoch runs at (its start, before the block's extrinsics).</param>
    /// <param name="raoEmission">E, the rao to distribute.</param>
    /// <param name="earliestCommitBlocks">Commit-reveal only (§3.5d): per uid, the block of its earliest unexpired
    /// weight commit, or null for none. Empty (the default) means no uid has a commit.</param>
    /// <returns>The epoch's outputs.</returns>
    /// <exception cref="ArgumentException">Total stake reaches 2^63, the owner uid is out of range, the commit
    /// blocks have the wrong length, or bonds_moving_average exceeds 10^6.</exception>
    public static EpochResult Run(
        SubnetState state,
        SubnetHyperparameters parameters,
        ulong block,
        ulong raoEmission,
        ReadOnlySpan<ulong?> earliestCommitBlocks = default) =>
        RunCore(state, parameters, block, raoEmission, earliestCommitBlocks, parallel: true);

    /// <summary><see cref="Run"/> with the parallel row and column passes switchable, so tests can compare both.</summary>
    internal static EpochResult RunCore(
        SubnetState state,
        SubnetHyperparameters parameters,
        ulong block,
        ulong raoEmission,
        ReadOnlySpan<ulong?> earliestCommitBlocks,
        bool parallel)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(parameters);
        int n = state.Count;
        if (!earliestCommitBlocks.IsEmpty && earliestCommitBlocks.Length != n)
        {
            ThrowHelper.ThrowArgument(nameof(earliestCommitBlocks), "Give one commit block (or null) per uid, or none.");
        }

        if (parameters.OwnerUid is int ownerCheck && (uint)ownerCheck >= (uint)n)
        {
            ThrowHelper.ThrowArgument(nameof(parameters), "The owner uid is not below the number of uids.");
        }

        if (parameters.BondsMovingAverage > 1_000_000)
        {
            ThrowHelper.ThrowArgument(nameof(parameters), "bonds_moving_average is at most 1000000.");
        }

        int owner = parameters.OwnerUid ?? -1;
        EpochResult result = new(n, block, raoEmission);

        using PooledArray<long> stake = new(n, clear: false);
        using PooledArray<long> activeStake = new(n, clear: false);
        using PooledArray<bool> permit = new(n, clear: false);
        Span<long> s = stake.Span;
        Span<long> a = activeStake.Span;
        Span<bool> p = permit.Span;

        // 1. Activity: a validator whose weights are older than activity_cutoff is inactive.
        ReadOnlySpan<ulong> lastUpdate = state.LastUpdate;
        bool[] active = result.ActiveArray;
        for (int i = 0; i < n; i++)
        {
            ulong until = lastUpdate[i] > ulong.MaxValue - parameters.ActivityCutoff ? ulong.MaxValue : lastUpdate[i] + parameters.ActivityCutoff;
            active[i] = !(until < block);
        }

        // 2. Stake: threshold (not for the owner), then normalized through I64F64.
        NormalizeStake(state.Stake, parameters.StakeThreshold, owner, s);
        for (int i = 0; i < n; i++)
        {
            result.StakeWeightArray[i] = new I32F32(s[i]).ToU16();
        }

        // 3. Permits: this epoch uses the stored ones (P); the new ones (P') are only output.
        state.ValidatorPermit.CopyTo(p);
        if (owner >= 0)
        {
            p[owner] = true;
        }

        TopKNonzero(s, parameters.MaxAllowedValidators, result.ValidatorPermitArray);
        if (owner >= 0)
        {
            result.ValidatorPermitArray[owner] = true;
        }

        // 4. Active stake: stake of active uids holding an old permit, normalized.
        for (int i = 0; i < n; i++)
        {
            a[i] = active[i] && p[i] ? s[i] : 0;
        }

        NormalizeInPlace(a);

        // 5–9. Weights, consensus, clipping, incentive, weights for bonds.
        using PooledArray<long> consensus = new(n, clear: false);
        using PooledArray<long> incentive = new(n, clear: false);
        using PooledArray<long> dividends = new(n, clear: false);
        Span<long> c = consensus.Span;
        Span<long> inc = incentive.Span;
        Span<long> div = dividends.Span;

        using SparseMatrix weights = BuildWeights(state, p, owner, earliestCommitBlocks, parallel);
        ComputeConsensus(weights, a, I32F32.Prop(parameters.Kappa).Raw, c, parallel);
        using SparseMatrix clipped = ClipAndRank(weights, c, a, inc, result.ValidatorTrustArray, parallel);
        for (int i = 0; i < n; i++)
        {
            result.ConsensusArray[i] = new I32F32(c[i]).ToU16();
            result.IncentiveArray[i] = new I32F32(inc[i]).ToU16();
        }

        SparseMatrix? interpolated = parameters.BondsPenalty is 0 or 65535
            ? null
            : Interpolate(weights, clipped, I32F32.Prop(parameters.BondsPenalty).Raw);
        try
        {
            SparseMatrix forBonds = interpolated ?? (parameters.BondsPenalty == 0 ? weights : clipped);

            // 10–12. Bonds and dividends.
            ulong lastTempo = block >= parameters.Tempo ? block - parameters.Tempo : 0;
            long alphaFixed = AlphaFixed(parameters.BondsMovingAverage);
            if (parameters.Yuma3)
            {
                Yuma3Bonds(state, parameters, lastTempo, alphaFixed, forBonds, activeStake.Array, consensus.Array, incentive.Array, dividends.Array, parallel, result);
            }
            else
            {
                Yuma2Bonds(state, lastTempo, alphaFixed, forBonds, activeStake.Array, incentive.Array, dividends.Array, parallel, result);
            }
        }
        finally
        {
            interpolated?.Dispose();
        }

        for (int i = 0; i < n; i++)
        {
            result.DividendsArray[i] = new I32F32(div[i]).ToU16();
        }

        // 13. Emission.
        ComputeEmission(inc, div, a, s, raoEmission, result);
        return result;
    }

    /// <summary>
    /// §1 stake normalization: <c>S_i = ((s_i &lt;&lt; 64) / T) &gt;&gt; 32</c> as I64F64 then I32F32 (subtensor's
    /// <c>I64F64</c> stake vector normalized and converted). Both steps round down, so
    /// <c>S_i = floor(s_i · 2^32 / T)</c>, which is <c>safe_div(s_i, T)</c> on raw values and is computed so.
    /// </summary>
    internal static void NormalizeStake(ReadOnlySpan<ulong> raw, ulong threshold, int owner, Span<long> normalized)
    {
        ulong total = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            ulong v = raw[i] < threshold && i != owner ? 0 : raw[i];
            if (v > (1UL << 63) - 1 - total)
            {
                ThrowHelper.ThrowArgument(nameof(raw), "Total stake must be below 2^63.");
            }

            total += v;
            normalized[i] = (long)v;
        }

        for (int i = 0; i < raw.Length; i++)
        {
            normalized[i] = total == 0 ? 0 : I32F32.SafeDivRaw(normalized[i], (long)total);
        }
    }

    /// <summary>
    /// subtensor <c>is_topk_nonzero</c> (§3.3): non-zero entries keep their permit unless more than
    /// <paramref name="k"/> are non-zero, in which case the smallest are dropped (stable: ties keep uid order).
    /// </summary>
    internal static void TopKNonzero(ReadOnlySpan<long> values, int k, Span<bool> permits)
    {
        int nonzero = 0;
        for (int i = 0; i < values.Length; i++)
        {
            permits[i] = values[i] != 0;
            nonzero += permits[i] ? 1 : 0;
        }

        if (nonzero <= k)
        {
            // n >= k and at most k non-zero: the n - k dropped are all zeros. n < k: nothing is dropped.
            return;
        }

        // Sorting only the non-zero uids by (value, uid) gives the same order as the full stable sort, whose first
        // n - nonzero entries are the zeros. Values are at most 2^32 (normalized stake), so (value << 16) | uid is
        // an exact composite key.
        using PooledArray<long> keys = new(nonzero, clear: false);
        int at = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] != 0)
            {
                keys.Array[at++] = (values[i] << 16) | (long)i;
            }
        }

        Span<long> sorted = keys.Span;
        sorted.Sort();
        for (int t = 0; t < nonzero - k; t++)
        {
            permits[(int)(sorted[t] & 0xFFFF)] = false;
        }
    }

    /// <summary>subtensor <c>inplace_normalize</c>: each entry divided by the (saturating) sum; unchanged when it is 0.</summary>
    internal static void NormalizeInPlace(Span<long> values)
    {
        long sum = Sum(values);
        if (sum == 0)
        {
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            values[i] = I32F32.SafeDivRaw(values[i], sum);
        }
    }

    internal static long Sum(ReadOnlySpan<long> values)
    {
        long sum = 0;
        foreach (long v in values)
        {
            sum = I32F32.SaturatingAdd(sum, v);
        }

        return sum;
    }

    /// <summary>§1 <c>alpha_fixed = fix(1) − ((bma &lt;&lt; 64) / 10^6 &gt;&gt; 32)</c> (subtensor <c>compute_ema_bonds_normal_sparse</c>'s alpha).</summary>
    internal static long AlphaFixed(ulong bondsMovingAverage) =>
        One - I64F64.Ratio(bondsMovingAverage, 1_000_000).ToI32F32().Raw;

    /// <summary>§3.13: combined, server and validator emission with the <c>esum == 0</c> fallbacks.</summary>
    private static void ComputeEmission(
        ReadOnlySpan<long> incentive,
        ReadOnlySpan<long> dividends,
        ReadOnlySpan<long> activeStake,
        ReadOnlySpan<long> stake,
        ulong raoEmission,
        EpochResult result)
    {
        int n = incentive.Length;
        long esum = 0;
        for (int i = 0; i < n; i++)
        {
            esum = I32F32.SaturatingAdd(esum, I32F32.SaturatingAdd(incentive[i], dividends[i]));
        }

        if (esum != 0)
        {
            for (int i = 0; i < n; i++)
            {
                long se = I32F32.SafeDivRaw(incentive[i], esum);
                long ve = I32F32.SafeDivRaw(dividends[i], esum);
                long ce = I32F32.SafeDivRaw(I32F32.SaturatingAdd(incentive[i], dividends[i]), esum);
                Store(result, i, se, ve, ce, raoEmission);
            }

            return;
        }

        // No weights, all masked, self-weights only or no consensus: stake earns everything.
        ReadOnlySpan<long> fallback = Sum(activeStake) != 0 ? activeStake : stake;
        for (int i = 0; i < n; i++)
        {
            Store(result, i, incentive[i], fallback[i], fallback[i], raoEmission);
        }
    }

    private static void Store(EpochResult result, int i, long se, long ve, long ce, ulong raoEmission)
    {
        result.ServerShareArray[i] = new I32F32(se);
        result.ValidatorShareArray[i] = new I32F32(ve);
        result.ServerEmissionArray[i] = new I32F32(se).ToRao(raoEmission);
        result.ValidatorEmissionArray[i] = new I32F32(ve).ToRao(raoEmission);
        result.EmissionArray[i] = new I32F32(ce).ToRao(raoEmission);
    }
}
