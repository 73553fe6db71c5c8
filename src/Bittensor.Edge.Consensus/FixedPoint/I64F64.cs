// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Consensus.FixedPoint;

/// <summary>
/// substrate-fixed's <c>I64F64</c>: a signed fixed-point number stored as an <see cref="Int128"/> raw value, worth
/// <c>raw / 2^64</c> (<c>specs/consensus.md</c> §1). The epoch uses it for stake normalization and for
/// <c>bonds_moving_average / 10^6</c>.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public readonly struct I64F64 : IEquatable<I64F64>
{
    /// <summary>Number of fraction bits.</summary>
    public const int FractionBits = 64;

    /// <summary>Creates a value from its raw bits.</summary>
    /// <param name="raw">The value times 2^64.</param>
    public I64F64(Int128 raw) => Raw = raw;

    /// <summary>The raw bits: the value times 2^64.</summary>
    public Int128 Raw { get; }

    /// <summary>
    /// <c>I64F64::from_num(numerator) / I64F64::from_num(denominator)</c> for u64 operands with
    /// <c>numerator ≤ denominator &lt; 2^63</c>: <c>(numerator &lt;&lt; 64) / denominator</c>, rounded down
    /// (§1 stake normalization and <c>alpha_fixed</c>).
    /// </summary>
    /// <param name="numerator">The numerator.</param>
    /// <param name="denominator">The denominator, not 0.</param>
    /// <returns>The ratio.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The ratio does not fit (numerator ≥ 2^63 · denominator) or
    /// the denominator is 0.</exception>
    public static I64F64 Ratio(ulong numerator, ulong denominator)
    {
        if (denominator == 0 || numerator / denominator >= 1UL << 63)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(denominator), "The ratio does not fit in I64F64.");
        }

        return new((Int128)(((UInt128)numerator << FractionBits) / denominator));
    }

    /// <summary>
    /// Conversion to I32F32 by dropping the low 32 fraction bits (<c>I32F32::from_num</c> of an I64F64,
    /// which rounds down; §1). Saturates outside the I32F32 range.
    /// </summary>
    /// <returns>The value as I32F32.</returns>
    public I32F32 ToI32F32()
    {
        Int128 shifted = Raw >> 32;
        return shifted > long.MaxValue ? I32F32.MaxValue : shifted < long.MinValue ? I32F32.MinValue : new((long)shifted);
    }

    /// <inheritdoc/>
    public bool Equals(I64F64 other) => Raw == other.Raw;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is I64F64 other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Raw.GetHashCode();

    /// <summary>Equality on raw values.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>Whether the raw values are equal.</returns>
    public static bool operator ==(I64F64 left, I64F64 right) => left.Equals(right);

    /// <summary>Inequality on raw values.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>Whether the raw values differ.</returns>
    public static bool operator !=(I64F64 left, I64F64 right) => !left.Equals(right);
}
