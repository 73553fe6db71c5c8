// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Bittensor.Edge.Chain.Primitives;

/// <summary>A neuron slot on a subnet (<c>u16</c>), 0..n−1 (specs/protocol.md §2.1).</summary>
public readonly struct Uid : IEquatable<Uid>, IComparable<Uid>, ISpanFormattable
{
    /// <summary>Wraps <paramref name="value"/>.</summary>
    public Uid(ushort value)
    {
        Value = value;
    }

    /// <summary>The raw <c>u16</c>.</summary>
    public ushort Value { get; }

    /// <summary>Wraps a raw <c>u16</c> (named alternative of the conversion).</summary>
    public static Uid FromUid(ushort value) => new(value);

    /// <summary>Wraps a raw <c>u16</c>.</summary>
    public static explicit operator Uid(ushort value) => new(value);

    /// <summary>Whether two values are equal.</summary>
    public static bool operator ==(Uid left, Uid right) => left.Value == right.Value;

    /// <summary>Whether two values differ.</summary>
    public static bool operator !=(Uid left, Uid right) => left.Value != right.Value;

    /// <summary>Compares values.</summary>
    public static bool operator <(Uid left, Uid right) => left.Value < right.Value;

    /// <summary>Compares values.</summary>
    public static bool operator <=(Uid left, Uid right) => left.Value <= right.Value;

    /// <summary>Compares values.</summary>
    public static bool operator >(Uid left, Uid right) => left.Value > right.Value;

    /// <summary>Compares values.</summary>
    public static bool operator >=(Uid left, Uid right) => left.Value >= right.Value;

    /// <inheritdoc/>
    public bool Equals(Uid other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Uid other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value;

    /// <inheritdoc/>
    public int CompareTo(Uid other) => Value.CompareTo(other.Value);

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => Value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Value.TryFormat(destination, out charsWritten, default, CultureInfo.InvariantCulture);
}
