// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Runtime.CompilerServices;

namespace Bittensor.Edge.Consensus.FixedPoint;

/// <summary>
/// substrate-fixed's <c>I32F32</c>: a signed fixed-point number stored as a <see cref="long"/> raw value,
/// worth <c>raw / 2^32</c> (<c>specs/consensus.md</c> §1).
/// </summary>
/// <remarks>
/// <para>Design notes. Every operation reproduces the subtensor arithmetic bit for bit; each one names the
/// substrate-fixed or <c>epoch/math.rs</c> operation it mirrors and the §1 rule it implements. Nothing here
/// uses floating point. Intermediates that need more than 64 bits use <see cref="Math.BigMul(long, long, out long)"/>
/// or an unsigned 128-bit division with a 64-bit divisor (which the runtime maps onto the hardware divide);
/// the slower signed <see cref="Int128"/> path is only taken for negative operands.</para>
/// <para>The type is immutable and therefore thread-safe.</para>
/// </remarks>
public readonly struct I32F32 : IEquatable<I32F32>, IComparable<I32F32>
{
    /// <summary>Number of fraction bits.</summary>
    public const int FractionBits = 32;

    private const long OneRaw = 1L << FractionBits;

    /// <summary>Creates a value from its raw bits.</summary>
    /// <param name="raw">The value times 2^32.</param>
    public I32F32(long raw) => Raw = raw;

    /// <summary>The raw bits: the value times 2^32.</summary>
    public long Raw { get; }

    /// <summary>0.</summary>
    public static I32F32 Zero => default;

    /// <summary>1 (<c>fix(1)</c>).</summary>
    public static I32F32 One => new(OneRaw);

    /// <summary>1/2.</summary>
    public static I32F32 Half => new(OneRaw >> 1);

    /// <summary>The largest value (<c>I32F32::MAX</c>).</summary>
    public static I32F32 MaxValue => new(long.MaxValue);

    /// <summary>The smallest value (<c>I32F32::MIN</c>).</summary>
    public static I32F32 MinValue => new(long.MinValue);

    /// <summary>65535 as a fixed-point value, <c>fix(65535)</c>.</summary>
    public static I32F32 U16Max => new(65535L << FractionBits);

    /// <summary>Creates a value from its raw bits.</summary>
    /// <param name="raw">The value times 2^32.</param>
    /// <returns>The value.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static I32F32 FromRaw(long raw) => new(raw);

    /// <summary>
    /// <c>fix(n)</c>: an integer as fixed point, <c>n &lt;&lt; 32</c> (substrate-fixed <c>saturating_from_num</c>
    /// of an integer; §1). Saturates outside [−2^31, 2^31).
    /// </summary>
    /// <param name="n">The integer.</param>
    /// <returns><c>n</c> as I32F32.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static I32F32 FromInt(long n)
    {
        if (n > int.MaxValue)
        {
            return MaxValue;
        }

        if (n < int.MinValue)
        {
            return MinValue;
        }

        return new(n << FractionBits);
    }

    /// <summary>
    /// <c>prop(u)</c>: a stored u16 ratio as a proportion, <c>div(fix(u), fix(65535))</c> (subtensor
    /// <c>u16_proportion_to_fixed</c>; §1).
    /// </summary>
    /// <param name="value">The u16 ratio.</param>
    /// <returns><c>value / 65535</c>, rounded down to 32 fraction bits.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static I32F32 Prop(ushort value) =>
        // div(u << 32, 65535 << 32) = (u << 64) / (65535 << 32) = (u << 32) / 65535 exactly.
        new(((long)value << FractionBits) / 65535);

    /// <summary>
    /// <c>u16(x)</c>: a proportion as a stored u16, <c>floor(mul(x, fix(65535)))</c> clamped to [0, 65535]
    /// (subtensor <c>fixed_proportion_to_u16</c>; §1).
    /// </summary>
    /// <returns>The stored u16.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort ToU16()
    {
        if (unchecked((ulong)Raw) < 1UL << 47)
        {
            // mul(x, fix(65535)) = (x · 65535 · 2^32) >> 32 = x · 65535 exactly while that fits; then floor.
            return (ushort)Math.Min((Raw * 65535) >> FractionBits, 65535);
        }

        long floor = Mul(this, U16Max).Raw >> FractionBits;
        return floor <= 0 ? (ushort)0 : floor >= 65535 ? (ushort)65535 : (ushort)floor;
    }

    /// <summary>
    /// <c>rao(x, E)</c>: this share of a u64 amount, <c>(x * E) &gt;&gt; 32</c> in 128 bits clamped to [0, 2^64−1]
    /// (subtensor's I96F32 <c>share * emission</c> then <c>saturating_to_num::&lt;u64&gt;</c>; §1). Rounds down.
    /// </summary>
    /// <param name="amount">The amount <c>E</c> in rao.</param>
    /// <returns>The rounded-down share of <paramref name="amount"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ToRao(ulong amount)
    {
        if (Raw <= 0)
        {
            return 0;
        }

        ulong high = Math.BigMul((ulong)Raw, amount, out ulong low);
        return high > uint.MaxValue ? ulong.MaxValue : (high << FractionBits) | (low >> FractionBits);
    }

    /// <summary><c>floor(x)</c>: <c>x &gt;&gt; 32</c> (substrate-fixed <c>floor</c> then to integer; §1).</summary>
    /// <returns>The largest integer not above this value.</returns>
    public long Floor() => Raw >> FractionBits;

    /// <summary>
    /// <c>round(x)</c>: to the nearest integer, ties away from zero (substrate-fixed <c>round</c>; §1 uses it
    /// for x ≥ 0 only, where it is <c>(x + 2^31) &gt;&gt; 32</c>).
    /// </summary>
    /// <returns>The rounded integer.</returns>
    public long Round()
    {
        // (x >> 32) + bit 31 is floor(x + 1/2) without the overflow of adding 2^31 first.
        if (Raw >= 0)
        {
            return (Raw >> FractionBits) + ((Raw >> (FractionBits - 1)) & 1);
        }

        // Ties away from zero for negatives: -round(-x); -MinValue is not representable, so go through Int128.
        Int128 magnitude = -(Int128)Raw;
        return (long)-((magnitude >> FractionBits) + ((magnitude >> (FractionBits - 1)) & 1));
    }

    /// <summary>Saturating addition (substrate-fixed <c>saturating_add</c>; §1 <c>a + b</c>).</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns><c>a + b</c> clamped to the range.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static I32F32 operator +(I32F32 a, I32F32 b) => new(SaturatingAdd(a.Raw, b.Raw));

    /// <summary>Saturating subtraction (substrate-fixed <c>saturating_sub</c>; §1 <c>a − b</c>).</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns><c>a − b</c> clamped to the range.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static I32F32 operator -(I32F32 a, I32F32 b) => new(SaturatingSub(a.Raw, b.Raw));

    /// <summary>Saturating multiplication rounding toward minus infinity; see <see cref="Mul"/>.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns><c>mul(a, b)</c>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static I32F32 operator *(I32F32 a, I32F32 b) => Mul(a, b);

    /// <summary>Add (<see cref="op_Addition"/>) for languages without operators.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns><c>left + right</c>, saturating.</returns>
    public static I32F32 Add(I32F32 left, I32F32 right) => left + right;

    /// <summary>Subtract (<see cref="op_Subtraction"/>) for languages without operators.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns><c>left − right</c>, saturating.</returns>
    public static I32F32 Subtract(I32F32 left, I32F32 right) => left - right;

    /// <summary>Multiply (<see cref="Mul"/>) for languages without operators.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns><c>mul(left, right)</c>.</returns>
    public static I32F32 Multiply(I32F32 left, I32F32 right) => Mul(left, right);

    /// <summary>
    /// <c>mul(a, b)</c>: <c>(a * b) &gt;&gt; 32</c>, rounding toward minus infinity, saturating (substrate-fixed
    /// <c>saturating_mul</c> / the epoch's <c>*</c>; §1).
    /// </summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns>The product.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static I32F32 Mul(I32F32 a, I32F32 b) => new(MulRaw(a.Raw, b.Raw));

    /// <summary>
    /// <c>div(a, b)</c>, subtensor's <c>safe_div</c> (§1): 0 when <paramref name="b"/> is 0; otherwise
    /// <c>(a &lt;&lt; 32) / b</c> truncated toward zero, and 0 (not saturated) when that does not fit.
    /// </summary>
    /// <param name="a">Dividend.</param>
    /// <param name="b">Divisor.</param>
    /// <returns>The quotient or 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static I32F32 SafeDiv(I32F32 a, I32F32 b) => new(SafeDivRaw(a.Raw, b.Raw));

    /// <summary>
    /// <c>sdiv(a, b)</c>, substrate-fixed <c>saturating_div</c> (§1, used by the liquid-alpha sigmoid only):
    /// <c>(a &lt;&lt; 32) / b</c> truncated toward zero, saturating when out of range.
    /// </summary>
    /// <param name="a">Dividend.</param>
    /// <param name="b">Divisor, never 0.</param>
    /// <returns>The quotient.</returns>
    /// <exception cref="DivideByZeroException"><paramref name="b"/> is 0 (substrate-fixed panics too).</exception>
    public static I32F32 SaturatingDiv(I32F32 a, I32F32 b)
    {
        if (b.Raw == 0)
        {
            ThrowHelper.ThrowDivideByZero();
        }

        return new(SaturatingDivRaw(a.Raw, b.Raw));
    }

    /// <summary>The smaller of two values (substrate-fixed <c>min</c>).</summary>
    /// <param name="a">First value.</param>
    /// <param name="b">Second value.</param>
    /// <returns>The smaller one.</returns>
    public static I32F32 Min(I32F32 a, I32F32 b) => a.Raw <= b.Raw ? a : b;

    /// <summary>The larger of two values (substrate-fixed <c>max</c>).</summary>
    /// <param name="a">First value.</param>
    /// <param name="b">Second value.</param>
    /// <returns>The larger one.</returns>
    public static I32F32 Max(I32F32 a, I32F32 b) => a.Raw >= b.Raw ? a : b;

    /// <summary>
    /// Clamps as the sigmoid of §3.12 does: <c>min(hi)</c> first, then <c>max(lo)</c>, so <paramref name="low"/>
    /// wins when the bounds cross.
    /// </summary>
    /// <param name="value">The value.</param>
    /// <param name="low">Lower bound.</param>
    /// <param name="high">Upper bound.</param>
    /// <returns>The clamped value.</returns>
    public static I32F32 Clamp(I32F32 value, I32F32 low, I32F32 high) => Max(Min(value, high), low);

    /// <summary>
    /// <c>exp(x)</c> as subtensor's liquid-alpha sigmoid computes it: substrate-fixed's Taylor series cut after
    /// the x^31 term (§1). Only defined for |x| ≤ 20, the range the sigmoid clamps to.
    /// </summary>
    /// <param name="x">The exponent, in [−20, 20].</param>
    /// <returns><c>e^x</c> exactly as subtensor rounds it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="x"/> is outside [−20, 20].</exception>
    public static I32F32 Exp(I32F32 x)
    {
        if (x.Raw > 20L << FractionBits || x.Raw < -20L << FractionBits)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(x), "exp is only defined for |x| <= 20.");
        }

        return new(FixedExp.ExpRaw(x.Raw));
    }

    /// <summary>Sum of raw values, saturating like <c>+</c> (§1 <c>sum(v)</c>).</summary>
    /// <param name="values">The values.</param>
    /// <returns>The saturating sum.</returns>
    public static I32F32 Sum(ReadOnlySpan<I32F32> values)
    {
        long sum = 0;
        foreach (I32F32 v in values)
        {
            sum = SaturatingAdd(sum, v.Raw);
        }

        return new(sum);
    }

    /// <summary>Equality on raw values.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns>Whether the raw values are equal.</returns>
    public static bool operator ==(I32F32 a, I32F32 b) => a.Raw == b.Raw;

    /// <summary>Inequality on raw values.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns>Whether the raw values differ.</returns>
    public static bool operator !=(I32F32 a, I32F32 b) => a.Raw != b.Raw;

    /// <summary>Comparison on raw values.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns><c>a &lt; b</c>.</returns>
    public static bool operator <(I32F32 a, I32F32 b) => a.Raw < b.Raw;

    /// <summary>Comparison on raw values.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns><c>a &gt; b</c>.</returns>
    public static bool operator >(I32F32 a, I32F32 b) => a.Raw > b.Raw;

    /// <summary>Comparison on raw values.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns><c>a &lt;= b</c>.</returns>
    public static bool operator <=(I32F32 a, I32F32 b) => a.Raw <= b.Raw;

    /// <summary>Comparison on raw values.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <returns><c>a &gt;= b</c>.</returns>
    public static bool operator >=(I32F32 a, I32F32 b) => a.Raw >= b.Raw;

    /// <inheritdoc/>
    public bool Equals(I32F32 other) => Raw == other.Raw;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is I32F32 other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Raw.GetHashCode();

    /// <inheritdoc/>
    public int CompareTo(I32F32 other) => Raw.CompareTo(other.Raw);

    /// <summary>The exact decimal value, with up to 32 fraction digits (integer arithmetic only).</summary>
    /// <returns>For example <c>0.5</c> or <c>-1.25</c>.</returns>
    public override string ToString()
    {
        Int128 raw = Raw;
        bool negative = raw < 0;
        if (negative)
        {
            raw = -raw;
        }

        Int128 integer = raw >> FractionBits;
        ulong fraction = (ulong)(raw & uint.MaxValue);
        string text = integer.ToString(CultureInfo.InvariantCulture);
        if (fraction != 0)
        {
            // Each step multiplies the 32-bit fraction by 10: the product stays below 2^36, and the
            // expansion of a binary fraction terminates, so the digits are exact.
            System.Text.StringBuilder digits = new(text.Length + 33);
            digits.Append(text).Append('.');
            while (fraction != 0)
            {
                fraction *= 10;
                digits.Append((char)('0' + (int)(fraction >> FractionBits)));
                fraction &= uint.MaxValue;
            }

            text = digits.ToString();
        }

        return negative ? "-" + text : text;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long SaturatingAdd(long a, long b)
    {
        long r = unchecked(a + b);
        // Overflow iff both operands share a sign that the result does not.
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long SaturatingSub(long a, long b)
    {
        long r = unchecked(a - b);
        // Overflow iff the operands differ in sign and the result's sign differs from a's.
        return ((a ^ b) & (a ^ r)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : r;
    }

    /// <summary><c>mul</c> on raw values: the 128-bit product shifted right by 32, saturating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long MulRaw(long a, long b)
    {
        if (unchecked((ulong)a | (ulong)b) <= uint.MaxValue)
        {
            // Both in [0, 1) as I32F32, the common case in an epoch: the product fits in 64 unsigned bits.
            return (long)(((ulong)a * (ulong)b) >> FractionBits);
        }

        // P = high * 2^64 + (ulong)low, and P >> 32 = high * 2^32 + (low >>> 32): it fits in a long exactly
        // when high's top 33 bits are a sign extension, i.e. high is within the int range.
        long high = Math.BigMul(a, b, out long low);
        if (high > int.MaxValue)
        {
            return long.MaxValue;
        }

        if (high < int.MinValue)
        {
            return long.MinValue;
        }

        return (high << FractionBits) | (long)(unchecked((ulong)low) >> FractionBits);
    }

    /// <summary><c>safe_div</c> on raw values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long SafeDivRaw(long a, long b)
    {
        if (a >= 0 && b > 0)
        {
            return WideDivision.TryShiftedQuotient((ulong)a, (ulong)b, out ulong q) && q <= long.MaxValue ? (long)q : 0;
        }

        return b == 0 ? 0 : SafeDivSigned(a, b);
    }

    /// <summary><c>saturating_div</c> on raw values; <paramref name="b"/> is not 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long SaturatingDivRaw(long a, long b)
    {
        if (a >= 0 && b > 0)
        {
            return WideDivision.TryShiftedQuotient((ulong)a, (ulong)b, out ulong q) && q <= long.MaxValue ? (long)q : long.MaxValue;
        }

        return SaturatingDivSigned(a, b);
    }

    private static long SaturatingDivSigned(long a, long b)
    {
        Int128 q = ((Int128)a << FractionBits) / b;
        return q > long.MaxValue ? long.MaxValue : q < long.MinValue ? long.MinValue : (long)q;
    }

    private static long SafeDivSigned(long a, long b)
    {
        Int128 q = ((Int128)a << FractionBits) / b;
        return q > long.MaxValue || q < long.MinValue ? 0 : (long)q;
    }
}
