// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Bittensor.Edge.Consensus.FixedPoint;

/// <summary>
/// The one division every fixed-point quotient comes down to: <c>(a &lt;&lt; 32) / b</c> on unsigned 64-bit
/// operands, exact (truncating), as a 128-by-64-bit division.
/// </summary>
/// <remarks>
/// An epoch divides once or more per weight (row and column normalizations, the bonds EMA and upscaling), so this
/// is the hottest arithmetic in consensus. <see cref="UInt128"/> division runs a software loop (about 12 ns on x64);
/// the x64 <c>div</c> instruction does the same 128/64 division in hardware (about 2.5 ns) whenever the quotient
/// fits in 64 bits, which is checked first (otherwise the instruction faults). Other processors (arm64 boards)
/// take the <see cref="UInt128"/> path; both give the same bits.
/// </remarks>
internal static class WideDivision
{
    /// <summary>
    /// <c>q = (a &lt;&lt; 32) / b</c>, truncating; <see langword="false"/> when the quotient does not fit in 64 bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryShiftedQuotient(ulong a, ulong b, out ulong q)
    {
        ulong high = a >> 32;
        if (high >= b)
        {
            // (a << 32) / b ≥ (high << 64) / b ≥ 2^64.
            q = 0;
            return false;
        }

        ulong low = a << 32;
        q = X86Base.X64.IsSupported ? HardwareDivide(low, high, b) : (ulong)((((UInt128)high) << 64 | low) / b);
        return true;
    }

    /// <summary>The x64 <c>div</c> instruction; the caller guarantees <paramref name="high"/> &lt; <paramref name="divisor"/>.</summary>
    /// <remarks>
    /// <c>X86Base.X64.DivRem</c> is marked experimental (SYSLIB5004) in .NET 10: its shape may change, never its
    /// result. The suppression covers this one call; the vectors and the property test against
    /// <see cref="UInt128"/> division fail if it ever misbehaves.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong HardwareDivide(ulong low, ulong high, ulong divisor)
    {
#pragma warning disable SYSLIB5004 // experimental API, see remarks
        return X86Base.X64.DivRem(low, high, divisor).Quotient;
#pragma warning restore SYSLIB5004
    }
}
