// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Bittensor.Edge.Chain.Primitives;

/// <summary>A subnet id (<c>u16</c>); 0 is reserved and subnets are 1..32 (specs/protocol.md §2.1).</summary>
public readonly struct Netuid : IEquatable<Netuid>, IComparable<Netuid>, ISpanFormattable
{
    /// <summary>Wraps <paramref name="value"/>.</summary>
    public Netuid(ushort value)
    {
        Value = value;
    }

    /// <summary>The raw <c>u16</c>.</summary>
    public ushort Value { get; }

    /// <summary>Wraps a raw <c>u16</c> (named alternative of the conversion).</summary>
    public static Netuid FromNetuid(ushort value) => new(value);

    /// <summary>Wraps a raw <c>u16</c>.</summary>
    public static explicit operator Netuid(ushort value) => new(value);

    /// <summary>Whether two values are equal.</summary>
    public static bool operator ==(Netuid left, Netuid right) => left.Value == right.Value;

    /// <summary>Whether two values differ.</summary>
    public static bool operator !=(Netuid left, Netuid right) => left.Value != right.Value;

    /// <summary>Compares values.</summary>
    public static bool operator <(Netuid left, Netuid right) => left.Value < right.Value;

    /// <summary>Compares values.</summary>
    public static bool operator <=(Netuid left, Netuid right) => left.Value <= right.Value;

    /// <summary>Compares values.</summary>
    public static bool operator >(Netuid left, Netuid right) => left.Value > right.Value;

    /// <summary>Compares values.</summary>
    public static bool operator >=(Netuid left, Netuid right) => left.Value >= right.Value;

    /// <inheritdoc/>
    public bool Equals(Netuid other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Netuid other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value;

    /// <inheritdoc/>
    public int CompareTo(Netuid other) => Value.CompareTo(other.Value);

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => Value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Value.TryFormat(destination, out charsWritten, default, CultureInfo.InvariantCulture);
}
