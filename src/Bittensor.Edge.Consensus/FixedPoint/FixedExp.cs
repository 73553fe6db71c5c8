// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.CompilerServices;

namespace Bittensor.Edge.Consensus.FixedPoint;

/// <summary>
/// substrate-fixed's <c>exp</c> on I32F32 as subtensor's liquid-alpha sigmoid calls it (<c>specs/consensus.md</c> §1):
/// a Taylor series cut after the x^31 term, with e itself special-cased.
/// </summary>
/// <remarks>
/// Design notes. The reference loop is
/// <c>a = |x|; result = a + 1; term = a; for i in 2..=31: term = (term * a) &gt;&gt; 32; term = term / i; result += term</c>,
/// then <c>2^64 / result</c> for negative x. For |x| ≤ 20 every term and every partial sum stays below 2^62, so
/// <c>term</c> is a <see cref="long"/>, each step is one 64×64→128-bit multiply and one 64-bit division. The loop is
/// unrolled with constant divisors, which the JIT turns into multiplications, and stops at the first zero term:
/// <c>term</c> is never negative and both of its updates round down, so once it is 0 every later term is
/// <c>(0 * a) &gt;&gt; 32 / i = 0</c> and adding the rest changes nothing. The result is bit-identical to the full loop
/// (the unit tests compare the two).
/// </remarks>
internal static class FixedExp
{
    /// <summary>e truncated to 23 fraction bits and shifted to 32, substrate-fixed's <c>exp(1)</c> shortcut.</summary>
    public const long ERaw = 22802600L << 9;

    private const long OneRaw = 1L << 32;

    /// <summary><c>exp</c> on raw I32F32 values, for |x| ≤ 20 (the caller clamps).</summary>
    public static long ExpRaw(long x)
    {
        if (x == 0)
        {
            return OneRaw;
        }

        if (x == OneRaw)
        {
            return ERaw;
        }

        bool negative = x < 0;
        long a = negative ? -x : x;
        long result = a + OneRaw;
        long term = a;
        _ = Step(ref term, ref result, a, 2) &&
            Step(ref term, ref result, a, 3) &&
            Step(ref term, ref result, a, 4) &&
            Step(ref term, ref result, a, 5) &&
            Step(ref term, ref result, a, 6) &&
            Step(ref term, ref result, a, 7) &&
            Step(ref term, ref result, a, 8) &&
            Step(ref term, ref result, a, 9) &&
            Step(ref term, ref result, a, 10) &&
            Step(ref term, ref result, a, 11) &&
            Step(ref term, ref result, a, 12) &&
            Step(ref term, ref result, a, 13) &&
            Step(ref term, ref result, a, 14) &&
            Step(ref term, ref result, a, 15) &&
            Step(ref term, ref result, a, 16) &&
            Step(ref term, ref result, a, 17) &&
            Step(ref term, ref result, a, 18) &&
            Step(ref term, ref result, a, 19) &&
            Step(ref term, ref result, a, 20) &&
            Step(ref term, ref result, a, 21) &&
            Step(ref term, ref result, a, 22) &&
            Step(ref term, ref result, a, 23) &&
            Step(ref term, ref result, a, 24) &&
            Step(ref term, ref result, a, 25) &&
            Step(ref term, ref result, a, 26) &&
            Step(ref term, ref result, a, 27) &&
            Step(ref term, ref result, a, 28) &&
            Step(ref term, ref result, a, 29) &&
            Step(ref term, ref result, a, 30) &&
            Step(ref term, ref result, a, 31);
        return negative ? Invert(result) : result;
    }

    /// <summary>The literal loop of §1, kept as the reference the unrolled form is tested against.</summary>
    internal static long ExpRawReference(long x)
    {
        if (x == 0)
        {
            return OneRaw;
        }

        if (x == OneRaw)
        {
            return ERaw;
        }

        Int128 a = x < 0 ? -(Int128)x : x;
        Int128 result = a + OneRaw;
        Int128 term = a;
        for (int i = 2; i <= 31; i++)
        {
            term = (term * a) >> 32;
            term /= i;
            result += term;
        }

        if (x < 0)
        {
            result = ((Int128)OneRaw << 32) / result;
        }

        return (long)result;
    }

    /// <summary>One Taylor step; returns false once the term has reached 0 (then every later term is 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Step(ref long term, ref long result, long a, uint divisor)
    {
        // Both factors are non-negative, so the shift and the division round down as the reference does.
        ulong high = Math.BigMul((ulong)term, (ulong)a, out ulong low);
        term = (long)(((high << 32) | (low >> 32)) / divisor);
        result += term;
        return term != 0;
    }

    /// <summary><c>(fix(1) &lt;&lt; 32) / result</c>, truncating; result &gt; 1, so the quotient is below 2^32.</summary>
    private static long Invert(long result) => (long)(((UInt128)1 << 64) / (ulong)result);
}
