// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.CompilerServices;
using Bittensor.Edge.Consensus.FixedPoint;

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>The alpha of one bond entry from its column's consensus, its weight and its old bond (raw I32F32).</summary>
/// <remarks>A struct constraint lets the JIT specialize the EMA loop per implementation, with no call overhead.</remarks>
internal interface IEntryAlpha
{
    long Alpha(long consensus, long weight, long bond);
}

/// <summary>One alpha for every entry (subtensor <c>mat_ema_alpha</c> called with a constant alpha matrix).</summary>
internal readonly struct ConstantAlpha(long alpha) : IEntryAlpha
{
    public long Alpha(long consensus, long weight, long bond) => alpha;
}

/// <summary>
/// The per-bond alpha of Yuma3's liquid alpha (subtensor <c>alpha_sigmoid</c> / <c>compute_liquid_alpha_values_sparse</c>
/// in <c>epoch/run_epoch.rs</c>; <c>specs/consensus.md</c> §3.12), on raw I32F32 values.
/// </summary>
internal readonly struct LiquidAlpha : IEntryAlpha
{
    private const long One = 1L << 32;
    private const long Twenty = 20L << 32;

    private readonly long _low;
    private readonly long _high;
    private readonly long _slope;
    private readonly long _alphaAtZero;
    private readonly long _alphaAtOne;

    public LiquidAlpha(ushort alphaLow, ushort alphaHigh, short steepness)
    {
        _low = I32F32.Prop(alphaLow).Raw;
        _high = I32F32.Prop(alphaHigh).Raw;
        // sdiv(k, fix(-100)): constant for the whole epoch.
        _slope = I32F32.SaturatingDivRaw(I32F32.FromInt(steepness).Raw, -100L << 32);
        _alphaAtZero = 0;
        _alphaAtOne = 0;
        // alpha depends on (c, w, b) only through the clamped difference d, and the clamps make d = 0 (a weight at
        // or below consensus and at or above the bond) very common: those two values are computed once per epoch.
        _alphaAtZero = AlphaOf(0);
        _alphaAtOne = AlphaOf(One);
    }

    /// <summary><c>sigmoid(c, w, b)</c> of §3.12.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Alpha(long consensus, long weight, long bond)
    {
        long d = weight >= bond
            ? Math.Clamp(I32F32.SaturatingSub(weight, consensus), 0, One)
            : Math.Clamp(I32F32.SaturatingSub(bond, weight), 0, One);
        return d == 0 ? _alphaAtZero : d == One ? _alphaAtOne : AlphaOf(d);
    }

    /// <summary>The sigmoid of §3.12 from the clamped difference <c>d</c> on.</summary>
    private long AlphaOf(long d)
    {
        long x = I32F32.MulRaw(_slope, I32F32.SaturatingSub(d, One >> 1));
        long e = FixedExp.ExpRaw(Math.Clamp(x, -Twenty, Twenty));
        long sigmoid = I32F32.SaturatingDivRaw(One, I32F32.SaturatingAdd(One, e));
        long alpha = I32F32.SaturatingAdd(_low, I32F32.MulRaw(sigmoid, I32F32.SaturatingSub(_high, _low)));
        return Math.Max(Math.Min(alpha, _high), _low);
    }

    /// <summary>
    /// subtensor <c>mat_ema_alpha</c>'s entry: <c>min(1, mul(1 − alpha, old) + max(mul(alpha, new), 0))</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long EmaEntry(long alpha, long oldValue, long newValue) =>
        Math.Min(
            One,
            I32F32.SaturatingAdd(
                I32F32.MulRaw(I32F32.SaturatingSub(One, alpha), oldValue),
                Math.Max(I32F32.MulRaw(alpha, newValue), 0)));
}
