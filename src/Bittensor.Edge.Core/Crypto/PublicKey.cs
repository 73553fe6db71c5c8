// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Edge.Core.Crypto;

/// <summary>
/// A 32-byte Ed25519 public key, immutable and compared by value. Its address form is SS58
/// (<see cref="Addresses.Ss58"/>).
/// </summary>
/// <remarks>
/// Formats as <c>0x</c> and 64 lowercase hex digits by default (the key-file form), or bare hex with
/// format <c>"x"</c>. <see cref="GetHashCode"/> is seeded per process, since the gateway keys
/// dictionaries by keys that strangers choose. A value of this type is only bytes: whether it is a valid
/// curve point is checked by <see cref="Ed25519.Verify(in PublicKey, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.
/// </remarks>
public readonly struct PublicKey : IEquatable<PublicKey>, IComparable<PublicKey>, ISpanFormattable, ISpanParsable<PublicKey>
{
    /// <summary>Bytes in a <see cref="PublicKey"/>.</summary>
    public const int Size = 32;

    private readonly Bytes32 _bytes;

    /// <summary>Copies a value from exactly <see cref="Size"/> bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not exactly 32 bytes long.</exception>
    public PublicKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            ThrowHelper.ThrowArgumentLength(nameof(bytes), Size, bytes.Length);
        }

        bytes.CopyTo(_bytes);
    }

    /// <summary>The key bytes; the span lives as long as this value.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Bytes => _bytes;

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
    public bool Equals(PublicKey other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is PublicKey other && Equals(other);

    /// <summary>A hash code seeded per process.</summary>
    public override int GetHashCode() => FixedBytes.GetHashCode(Bytes);

    /// <summary>The SS58 address (prefix 42) of this key.</summary>
    public string ToSs58() => Addresses.Ss58.Encode(this);

    /// <summary>Compares the bytes lexicographically (big-endian order of the hex form).</summary>
    public int CompareTo(PublicKey other) => Bytes.SequenceCompareTo(other.Bytes);

    /// <summary><c>0x</c> and 64 lowercase hex digits.</summary>
    public override string ToString() => FixedBytes.ToString(Bytes, null);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => FixedBytes.ToString(Bytes, format);

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        FixedBytes.TryFormat(Bytes, destination, out charsWritten, format);

    /// <summary>Parses 64 hex digits with an optional <c>0x</c> prefix.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out PublicKey result)
    {
        Bytes32 bytes = default;
        if (FixedBytes.TryParse(s, bytes))
        {
            result = new PublicKey(bytes);
            return true;
        }

        result = default;
        return false;
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{char}, out PublicKey)"/>
    public static bool TryParse([NotNullWhen(true)] string? s, out PublicKey result) => TryParse(s.AsSpan(), out result);

    /// <inheritdoc/>
    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out PublicKey result) => TryParse(s, out result);

    /// <inheritdoc/>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out PublicKey result) => TryParse(s.AsSpan(), out result);

    /// <summary>Parses 64 hex digits with an optional <c>0x</c> prefix.</summary>
    /// <exception cref="FormatException"><paramref name="s"/> is not 64 hex digits.</exception>
    public static PublicKey Parse(ReadOnlySpan<char> s)
    {
        if (!TryParse(s, out PublicKey result))
        {
            ThrowHelper.ThrowFormat($"A {nameof(PublicKey)} is 64 hex digits with an optional 0x prefix; got {s.Length} characters.");
        }

        return result;
    }

    /// <inheritdoc/>
    public static PublicKey Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => Parse(s);

    /// <inheritdoc/>
    public static PublicKey Parse(string s, IFormatProvider? provider)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Parse(s.AsSpan());
    }

    /// <summary>Whether two values hold the same bytes.</summary>
    public static bool operator ==(in PublicKey left, in PublicKey right) => left.Equals(right);

    /// <summary>Whether two values differ.</summary>
    public static bool operator !=(in PublicKey left, in PublicKey right) => !left.Equals(right);

    /// <summary>Lexicographic order.</summary>
    public static bool operator <(in PublicKey left, in PublicKey right) => left.CompareTo(right) < 0;

    /// <summary>Lexicographic order.</summary>
    public static bool operator <=(in PublicKey left, in PublicKey right) => left.CompareTo(right) <= 0;

    /// <summary>Lexicographic order.</summary>
    public static bool operator >(in PublicKey left, in PublicKey right) => left.CompareTo(right) > 0;

    /// <summary>Lexicographic order.</summary>
    public static bool operator >=(in PublicKey left, in PublicKey right) => left.CompareTo(right) >= 0;
}
