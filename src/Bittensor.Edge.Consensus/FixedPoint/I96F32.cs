// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Consensus.FixedPoint;

/// <summary>
/// substrate-fixed's <c>I96F32</c>: a signed fixed-point number stored as an <see cref="Int128"/> raw value, worth
/// <c>raw / 2^32</c> (<c>specs/consensus.md</c> §1). The epoch uses it to scale I32F32 shares by a u64 amount.
/// </summary>
/// <remarks>Immutable and thread-safe. <see cref="I32F32.ToRao(ulong)"/> is the fast form of
/// <c>FromI32F32(x).MulInt(E).ToU64()</c> and gives the same result.</remarks>
public readonly struct I96F32 : IEquatable<I96F32>
{
    /// <summary>Creates a value from its raw bits.</summary>
    /// <param name="raw">The value times 2^32.</param>
    public I96F32(Int128 raw) => Raw = raw;

    /// <summary>The raw bits: the value times 2^32.</summary>
    public Int128 Raw { get; }

    /// <summary>Widens an I32F32 (<c>I96F32::from_num</c>; exact).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The same value as I96F32.</returns>
    public static I96F32 FromI32F32(I32F32 value) => new(value.Raw);

    /// <summary>Multiplies by an integer amount (<c>saturating_mul</c> by <c>I96F32::from_num(amount)</c>; exact
    /// within the range, saturating outside it).</summary>
    /// <param name="amount">The integer factor.</param>
    /// <returns>The product.</returns>
    public I96F32 MulInt(ulong amount)
    {
        // |raw| < 2^63 for values widened from I32F32, so raw * amount stays far inside Int128 there;
        // the general case saturates.
        Int128 max = Int128.MaxValue;
        if (Raw == 0 || amount == 0)
        {
            return default;
        }

        Int128 limit = max / amount;
        if (Raw > limit)
        {
            return new(Int128.MaxValue);
        }

        if (Raw < -limit)
        {
            return new(Int128.MinValue);
        }

        return new(Raw * amount);
    }

    /// <summary><c>saturating_to_num::&lt;u64&gt;</c>: rounds toward minus infinity and clamps to [0, 2^64−1].</summary>
    /// <returns>The integer part, clamped.</returns>
    public ulong ToU64()
    {
        Int128 floor = Raw >> 32;
        return floor <= 0 ? 0 : floor > ulong.MaxValue ? ulong.MaxValue : (ulong)floor;
    }

    /// <inheritdoc/>
    public bool Equals(I96F32 other) => Raw == other.Raw;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is I96F32 other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Raw.GetHashCode();

    /// <summary>Equality on raw values.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>Whether the raw values are equal.</returns>
    public static bool operator ==(I96F32 left, I96F32 right) => left.Equals(right);

    /// <summary>Inequality on raw values.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>Whether the raw values differ.</returns>
    public static bool operator !=(I96F32 left, I96F32 right) => !left.Equals(right);
}
