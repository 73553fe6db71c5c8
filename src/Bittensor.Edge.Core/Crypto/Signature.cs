// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Edge.Core.Crypto;

/// <summary>
/// A 64-byte Ed25519 signature, immutable and compared by value.
/// </summary>
/// <remarks>
/// Formats as <c>0x</c> and 128 lowercase hex digits by default, or bare hex with format <c>"x"</c>.
/// Equality is not constant-time; signatures are public.
/// </remarks>
public readonly struct Signature : IEquatable<Signature>, IComparable<Signature>, ISpanFormattable, ISpanParsable<Signature>
{
    /// <summary>Bytes in a <see cref="Signature"/>.</summary>
    public const int Size = 64;

    private readonly Bytes64 _bytes;

    /// <summary>Copies a value from exactly <see cref="Size"/> bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not exactly 64 bytes long.</exception>
    public Signature(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            ThrowHelper.ThrowArgumentLength(nameof(bytes), Size, bytes.Length);
        }

        bytes.CopyTo(_bytes);
    }

    /// <summary>The signature bytes; the span lives as long as this value.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Copies the bytes into <paramref name="destination"/>, which must hold at least 64 bytes.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            ThrowHelper.ThrowDestinationTooShort(nameof(destination), Size, destination.Length);
        }

        Bytes.CopyTo(destination);
    }

    /// <summary>A new array holding the 64 bytes.</summary>
    public byte[] ToArray() => Bytes.ToArray();

    /// <inheritdoc/>
    public bool Equals(Signature other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Signature other && Equals(other);

    /// <summary>A hash code seeded per process.</summary>
    public override int GetHashCode() => FixedBytes.GetHashCode(Bytes);

    /// <summary>Compares the bytes lexicographically (big-endian order of the hex form).</summary>
    public int CompareTo(Signature other) => Bytes.SequenceCompareTo(other.Bytes);

    /// <summary><c>0x</c> and 128 lowercase hex digits.</summary>
    public override string ToString() => FixedBytes.ToString(Bytes, null);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => FixedBytes.ToString(Bytes, format);

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        FixedBytes.TryFormat(Bytes, destination, out charsWritten, format);

    /// <summary>Parses 128 hex digits with an optional <c>0x</c> prefix.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out Signature result)
    {
        Bytes64 bytes = default;
        if (FixedBytes.TryParse(s, bytes))
        {
            result = new Signature(bytes);
            return true;
        }

        result = default;
        return false;
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{char}, out Signature)"/>
    public static bool TryParse([NotNullWhen(true)] string? s, out Signature result) => TryParse(s.AsSpan(), out result);

    /// <inheritdoc/>
    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out Signature result) => TryParse(s, out result);

    /// <inheritdoc/>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out Signature result) => TryParse(s.AsSpan(), out result);

    /// <summary>Parses 128 hex digits with an optional <c>0x</c> prefix.</summary>
    /// <exception cref="FormatException"><paramref name="s"/> is not 128 hex digits.</exception>
    public static Signature Parse(ReadOnlySpan<char> s)
    {
        if (!TryParse(s, out Signature result))
        {
            ThrowHelper.ThrowFormat($"A {nameof(Signature)} is 128 hex digits with an optional 0x prefix; got {s.Length} characters.");
        }

        return result;
    }

    /// <inheritdoc/>
    public static Signature Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => Parse(s);

    /// <inheritdoc/>
    public static Signature Parse(string s, IFormatProvider? provider)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Parse(s.AsSpan());
    }

    /// <summary>Whether two values hold the same bytes.</summary>
    public static bool operator ==(in Signature left, in Signature right) => left.Equals(right);

    /// <summary>Whether two values differ.</summary>
    public static bool operator !=(in Signature left, in Signature right) => !left.Equals(right);

    /// <summary>Lexicographic order.</summary>
    public static bool operator <(in Signature left, in Signature right) => left.CompareTo(right) < 0;

    /// <summary>Lexicographic order.</summary>
    public static bool operator <=(in Signature left, in Signature right) => left.CompareTo(right) <= 0;

    /// <summary>Lexicographic order.</summary>
    public static bool operator >(in Signature left, in Signature right) => left.CompareTo(right) > 0;

    /// <summary>Lexicographic order.</summary>
    public static bool operator >=(in Signature left, in Signature right) => left.CompareTo(right) >= 0;
}
