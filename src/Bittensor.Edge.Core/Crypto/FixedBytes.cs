// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Runtime.CompilerServices;

namespace Bittensor.Edge.Core.Crypto;

/// <summary>Inline storage for the 32-byte value types.</summary>
[InlineArray(32)]
internal struct Bytes32
{
    private byte _element0;
}

/// <summary>Inline storage for the 64-byte value types.</summary>
[InlineArray(64)]
internal struct Bytes64
{
    private byte _element0;
}

/// <summary>
/// Hex formatting, parsing and hashing shared by <see cref="Hash256"/>, <see cref="PublicKey"/> and
/// <see cref="Signature"/>.
/// </summary>
/// <remarks>
/// Formats: <c>""</c>, <c>null</c> or <c>"0x"</c> write <c>0x</c> and lowercase hex (the key-file form);
/// <c>"x"</c> writes lowercase hex without a prefix (the <c>hex32</c> form of protocol.md §4).
/// Parsing accepts either form, in either case.
/// </remarks>
internal static class FixedBytes
{
    public static int FormattedLength(int byteCount, ReadOnlySpan<char> format) =>
        IsBare(format) ? byteCount * 2 : 2 + (byteCount * 2);

    public static string ToString(ReadOnlySpan<byte> bytes, string? format)
    {
        bool bare = IsBare(format);
        string hex = Convert.ToHexStringLower(bytes);
        return bare ? hex : string.Concat("0x", hex);
    }

    public static bool TryFormat(ReadOnlySpan<byte> bytes, Span<char> destination, out int charsWritten, ReadOnlySpan<char> format)
    {
        bool bare = IsBare(format);
        int needed = FormattedLength(bytes.Length, format);
        if (destination.Length < needed)
        {
            charsWritten = 0;
            return false;
        }

        int offset = 0;
        if (!bare)
        {
            destination[0] = '0';
            destination[1] = 'x';
            offset = 2;
        }

        bool ok = Convert.TryToHexStringLower(bytes, destination[offset..], out int hexWritten);
        charsWritten = ok ? offset + hexWritten : 0;
        return ok;
    }

    public static bool TryParse(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (text.Length >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        {
            text = text[2..];
        }

        if (text.Length != destination.Length * 2)
        {
            return false;
        }

        OperationStatus status = Convert.FromHexString(text, destination, out _, out int written);
        return status == OperationStatus.Done && written == destination.Length;
    }

    /// <summary>
    /// A hash code seeded per process (<see cref="HashCode"/> draws a random seed at start-up), so that
    /// strangers who choose keys cannot aim collisions at dictionaries keyed by them.
    /// </summary>
    public static int GetHashCode(ReadOnlySpan<byte> bytes)
    {
        HashCode hash = default;
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    private static bool IsBare(ReadOnlySpan<char> format)
    {
        if (format.IsEmpty || format.SequenceEqual("0x"))
        {
            return false;
        }

        if (format.SequenceEqual("x"))
        {
            return true;
        }

        ThrowHelper.ThrowFormat($"Unknown format '{format}': use \"0x\" (prefixed, the default) or \"x\" (bare hex).");
        return false;
    }
}
