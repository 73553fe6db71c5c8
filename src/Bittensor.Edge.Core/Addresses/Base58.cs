// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Core.Addresses;

/// <summary>Base58 with the Bitcoin alphabet, as SS58 uses it. Each leading zero byte is one leading '1'.</summary>
/// <remarks>
/// Quadratic in the input length, which is fine for addresses (35 bytes) and not meant for bulk data.
/// All members are thread-safe.
/// </remarks>
public static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private static readonly sbyte[] s_digits = BuildDigits();

    /// <summary>The largest input <see cref="Encode"/> and <see cref="TryDecode"/> accept.</summary>
    public const int MaxBytes = 1024;

    /// <summary>Encodes <paramref name="data"/> (at most <see cref="MaxBytes"/> bytes).</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> is longer than <see cref="MaxBytes"/>.</exception>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxBytes)
        {
            ThrowHelper.ThrowArgument(nameof(data), $"Base58 here encodes at most {MaxBytes} bytes; got {data.Length}.");
        }

        int zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        // log(256) / log(58) < 1.38, so this many base-58 digits always suffice.
        int size = ((data.Length - zeros) * 138 / 100) + 1;
        Span<byte> digits = size <= 512 ? stackalloc byte[size] : new byte[size];
        digits.Clear();
        int length = 0;
        for (int i = zeros; i < data.Length; i++)
        {
            int carry = data[i];
            int j = 0;
            for (int k = size - 1; (carry != 0 || j < length) && k >= 0; k--, j++)
            {
                carry += 256 * digits[k];
                digits[k] = (byte)(carry % 58);
                carry /= 58;
            }

            length = j;
        }

        int start = size - length;
        return Build(zeros, digits[start..]);
    }

    /// <summary>
    /// Decodes <paramref name="text"/> into <paramref name="destination"/>.
    /// </summary>
    /// <returns><see langword="false"/> for a character outside the alphabet or a destination too small.</returns>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (text.Length > MaxBytes * 2)
        {
            return false;
        }

        int zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }

        // log(58) / log(256) < 0.733
        int size = ((text.Length - zeros) * 733 / 1000) + 1;
        Span<byte> bytes = size <= 1024 ? stackalloc byte[size] : new byte[size];
        bytes.Clear();
        int length = 0;
        for (int i = zeros; i < text.Length; i++)
        {
            char c = text[i];
            int carry = c < s_digits.Length ? s_digits[c] : -1;
            if (carry < 0)
            {
                return false;
            }

            int j = 0;
            for (int k = size - 1; (carry != 0 || j < length) && k >= 0; k--, j++)
            {
                carry += 58 * bytes[k];
                bytes[k] = (byte)(carry & 0xFF);
                carry >>= 8;
            }

            length = j;
        }

        int total = zeros + length;
        if (destination.Length < total)
        {
            return false;
        }

        destination[..zeros].Clear();
        bytes[(size - length)..].CopyTo(destination[zeros..]);
        bytesWritten = total;
        return true;
    }

    private static string Build(int zeros, ReadOnlySpan<byte> digits)
    {
        Span<char> chars = zeros + digits.Length <= 1024 ? stackalloc char[zeros + digits.Length] : new char[zeros + digits.Length];
        chars[..zeros].Fill('1');
        for (int i = 0; i < digits.Length; i++)
        {
            chars[zeros + i] = Alphabet[digits[i]];
        }

        return new string(chars);
    }

    private static sbyte[] BuildDigits()
    {
        sbyte[] digits = new sbyte[128];
        digits.AsSpan().Fill(-1);
        for (int i = 0; i < Alphabet.Length; i++)
        {
            digits[Alphabet[i]] = (sbyte)i;
        }

        return digits;
    }
}
