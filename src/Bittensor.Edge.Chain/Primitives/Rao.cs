// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bittensor.Edge.Chain.Primitives;

/// <summary>
/// An amount of money in rao (1 TAO = 10^9 rao), a <c>u64</c> on the wire (specs/protocol.md §1).
/// </summary>
/// <remarks>
/// Arithmetic is checked: <c>+</c>, <c>-</c> and <c>*</c> throw <see cref="OverflowException"/> rather than
/// wrap, because a wrapped amount is a minted or destroyed balance. Code that expects a failure uses
/// <see cref="TryAdd"/> and <see cref="TrySubtract"/>. Formats as a decimal integer of rao; JSON carries it
/// as a decimal string.
/// </remarks>
[JsonConverter(typeof(RaoJsonConverter))]
public readonly struct Rao : IEquatable<Rao>, IComparable<Rao>, ISpanFormattable, ISpanParsable<Rao>
{
    /// <summary>Wraps <paramref name="value"/> rao.</summary>
    public Rao(ulong value)
    {
        Value = value;
    }

    /// <summary>Zero rao.</summary>
    public static Rao Zero => default;

    /// <summary>The largest amount, 2^64 − 1 rao.</summary>
    public static Rao MaxValue => new(ulong.MaxValue);

    /// <summary>The amount in rao.</summary>
    public ulong Value { get; }

    /// <summary>Whether the amount is zero.</summary>
    public bool IsZero => Value == 0;

    /// <summary><paramref name="tao"/> whole TAO.</summary>
    /// <exception cref="OverflowException">The amount does not fit in a <c>u64</c>.</exception>
    public static Rao FromTao(ulong tao) => new(checked(tao * ChainConstants.RaoPerTao));

    /// <summary>The sum, or <see langword="false"/> if it does not fit in a <c>u64</c>.</summary>
    public static bool TryAdd(Rao left, Rao right, out Rao sum)
    {
        ulong value = unchecked(left.Value + right.Value);
        if (value < left.Value)
        {
            sum = default;
            return false;
        }

        sum = new Rao(value);
        return true;
    }

    /// <summary>The difference, or <see langword="false"/> if <paramref name="right"/> is larger.</summary>
    public static bool TrySubtract(Rao left, Rao right, out Rao difference)
    {
        if (right.Value > left.Value)
        {
            difference = default;
            return false;
        }

        difference = new Rao(left.Value - right.Value);
        return true;
    }

    /// <summary>Checked addition (named alternative of <c>+</c>).</summary>
    public static Rao Add(Rao left, Rao right) => left + right;

    /// <summary>Checked subtraction (named alternative of <c>-</c>).</summary>
    public static Rao Subtract(Rao left, Rao right) => left - right;

    /// <summary>The smaller amount.</summary>
    public static Rao Min(Rao left, Rao right) => left.Value <= right.Value ? left : right;

    /// <summary>The larger amount.</summary>
    public static Rao Max(Rao left, Rao right) => left.Value >= right.Value ? left : right;

    /// <summary>Checked addition.</summary>
    /// <exception cref="OverflowException">The sum does not fit in a <c>u64</c>.</exception>
    public static Rao operator +(Rao left, Rao right) => new(checked(left.Value + right.Value));

    /// <summary>Checked subtraction.</summary>
    /// <exception cref="OverflowException"><paramref name="right"/> is larger than <paramref name="left"/>.</exception>
    public static Rao operator -(Rao left, Rao right) => new(checked(left.Value - right.Value));

    /// <summary>Whether two amounts are equal.</summary>
    public static bool operator ==(Rao left, Rao right) => left.Value == right.Value;

    /// <summary>Whether two amounts differ.</summary>
    public static bool operator !=(Rao left, Rao right) => left.Value != right.Value;

    /// <summary>Compares amounts.</summary>
    public static bool operator <(Rao left, Rao right) => left.Value < right.Value;

    /// <summary>Compares amounts.</summary>
    public static bool operator <=(Rao left, Rao right) => left.Value <= right.Value;

    /// <summary>Compares amounts.</summary>
    public static bool operator >(Rao left, Rao right) => left.Value > right.Value;

    /// <summary>Compares amounts.</summary>
    public static bool operator >=(Rao left, Rao right) => left.Value >= right.Value;

    /// <inheritdoc/>
    public bool Equals(Rao other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Rao other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value.GetHashCode();

    /// <inheritdoc/>
    public int CompareTo(Rao other) => Value.CompareTo(other.Value);

    /// <summary>The amount as a decimal integer of rao.</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => Value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Value.TryFormat(destination, out charsWritten, default, CultureInfo.InvariantCulture);

    /// <summary>Parses a decimal integer of rao (digits only, no sign, no separators).</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out Rao result)
    {
        result = default;
        if (s.IsEmpty || s.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        if (!ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
        {
            return false;
        }

        result = new Rao(value);
        return true;
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{char}, out Rao)"/>
    public static bool TryParse([NotNullWhen(true)] string? s, out Rao result) => TryParse(s.AsSpan(), out result);

    /// <inheritdoc/>
    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out Rao result) => TryParse(s, out result);

    /// <inheritdoc/>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out Rao result) => TryParse(s.AsSpan(), out result);

    /// <summary>Parses a decimal integer of rao.</summary>
    /// <exception cref="FormatException">Not a decimal <c>u64</c>.</exception>
    public static Rao Parse(ReadOnlySpan<char> s, IFormatProvider? provider)
    {
        if (!TryParse(s, out Rao result))
        {
            ThrowHelper.ThrowFormat("An amount is a decimal integer of rao that fits in a u64.");
        }

        return result;
    }

    /// <inheritdoc cref="Parse(ReadOnlySpan{char}, IFormatProvider?)"/>
    public static Rao Parse(string s, IFormatProvider? provider)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Parse(s.AsSpan(), provider);
    }
}

/// <summary>Reads and writes <see cref="Rao"/> as a JSON decimal string (specs/protocol.md §1).</summary>
public sealed class RaoJsonConverter : JsonConverter<Rao>
{
    /// <inheritdoc/>
    public override Rao Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("An amount is a decimal string of rao.");
        }

        string? text = reader.GetString();
        if (!Rao.TryParse(text, out Rao value))
        {
            throw new JsonException("An amount is a decimal string of rao that fits in a u64.");
        }

        return value;
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, Rao value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = stackalloc char[20];
        value.TryFormat(buffer, out int written, default, CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }
}
