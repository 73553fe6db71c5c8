// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Edge.Core.Crypto;

/// <summary>
/// A 32-byte hash (BLAKE2b-256 for chain data, or SHA-256), immutable and compared by value.
/// </summary>
/// <remarks>
/// Formats as <c>0x</c> and 64 lowercase hex digits by default, or bare hex with format <c>"x"</c>.
/// <see cref="GetHashCode"/> is seeded per process. The default value is 32 zero bytes, which is also
/// the root of an empty Merkle tree (protocol.md §1).
/// </remarks>
public readonly struct Hash256 : IEquatable<Hash256>, IComparable<Hash256>, ISpanFormattable, ISpanParsable<Hash256>
{
    /// <summary>Bytes in a <see cref="Hash256"/>.</summary>
    public const int Size = 32;

    private readonly Bytes32 _bytes;

    /// <summary>Copies a hash from exactly <see cref="Size"/> bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not exactly 32 bytes long.</exception>
    public Hash256(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            ThrowHelper.ThrowArgumentLength(nameof(bytes), Size, bytes.Length);
        }

        bytes.CopyTo(_bytes);
    }

    /// <summary>32 zero bytes.</summary>
    public static Hash256 Zero => default;

    /// <summary>The hash bytes; the span lives as long as this value.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Whether all 32 bytes are zero.</summary>
    public bool IsZero => !Bytes.ContainsAnyExcept((byte)0);

    /// <summary>Copies the bytes into <paramref name="destination"/>, which must hold at least 32 bytes.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            ThrowHelper.ThrowDestinationTooShort(nameof(destination), Size, destination.Length);
        }

        Bytes.CopyTo(destination);
    }

    /// <summary>A new array holding the 32 bytes.</summary>
    public byte[] ToArray() => Bytes.ToArray();

    /// <inheritdoc/>
    public bool Equals(Hash256 other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Hash256 other && Equals(other);

    /// <summary>A hash code seeded per process.</summary>
    public override int GetHashCode() => FixedBytes.GetHashCode(Bytes);

    /// <summary>Compares the bytes lexicographically (big-endian order of the hex form).</summary>
    public int CompareTo(Hash256 other) => Bytes.SequenceCompareTo(other.Bytes);

    /// <summary><c>0x</c> and 64 lowercase hex digits.</summary>
    public override string ToString() => FixedBytes.ToString(Bytes, null);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => FixedBytes.ToString(Bytes, format);

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        FixedBytes.TryFormat(Bytes, destination, out charsWritten, format);

    /// <summary>Parses 64 hex digits with an optional <c>0x</c> prefix.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out Hash256 result)
    {
        Bytes32 bytes = default;
        if (FixedBytes.TryParse(s, bytes))
        {
            result = new Hash256(bytes);
            return true;
        }

        result = default;
        return false;
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{char}, out Hash256)"/>
    public static bool TryParse([NotNullWhen(true)] string? s, out Hash256 result) => TryParse(s.AsSpan(), out result);

    /// <inheritdoc/>
    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out Hash256 result) => TryParse(s, out result);

    /// <inheritdoc/>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out Hash256 result) => TryParse(s.AsSpan(), out result);

    /// <summary>Parses 64 hex digits with an optional <c>0x</c> prefix.</summary>
    /// <exception cref="FormatException"><paramref name="s"/> is not 64 hex digits.</exception>
    public static Hash256 Parse(ReadOnlySpan<char> s)
    {
        if (!TryParse(s, out Hash256 result))
        {
            ThrowHelper.ThrowFormat($"A {nameof(Hash256)} is 64 hex digits with an optional 0x prefix; got {s.Length} characters.");
        }

        return result;
    }

    /// <inheritdoc/>
    public static Hash256 Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => Parse(s);

    /// <inheritdoc/>
    public static Hash256 Parse(string s, IFormatProvider? provider)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Parse(s.AsSpan());
    }

    /// <summary>Whether two hashes hold the same bytes.</summary>
    public static bool operator ==(in Hash256 left, in Hash256 right) => left.Equals(right);

    /// <summary>Whether two hashes differ.</summary>
    public static bool operator !=(in Hash256 left, in Hash256 right) => !left.Equals(right);

    /// <summary>Lexicographic order.</summary>
    public static bool operator <(in Hash256 left, in Hash256 right) => left.CompareTo(right) < 0;

    /// <summary>Lexicographic order.</summary>
    public static bool operator <=(in Hash256 left, in Hash256 right) => left.CompareTo(right) <= 0;

    /// <summary>Lexicographic order.</summary>
    public static bool operator >(in Hash256 left, in Hash256 right) => left.CompareTo(right) > 0;

    /// <summary>Lexicographic order.</summary>
    public static bool operator >=(in Hash256 left, in Hash256 right) => left.CompareTo(right) >= 0;
}
