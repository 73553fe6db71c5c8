// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Signing;

/// <summary>Strict text forms used in headers.</summary>
internal static class HexText
{
    /// <summary>Parses exactly 64 lowercase hex digits (no prefix), the form of <c>computed_body_hash</c>.</summary>
    public static bool TryParseLowerHash(ReadOnlySpan<char> text, out Hash256 hash)
    {
        hash = default;
        if (text.Length != Hash256.Size * 2)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return Hash256.TryParse(text, out hash);
    }

    /// <summary>Parses <c>0x</c> + 128 hex digits (either case), the form of signature headers.</summary>
    public static bool TryParseSignature(ReadOnlySpan<char> text, out Signature signature)
    {
        signature = default;
        return text.Length == 2 + (Signature.Size * 2) && text[0] == '0' && text[1] == 'x' && Signature.TryParse(text, out signature);
    }

    /// <summary>Parses a decimal u64: 1 to 20 ASCII digits, nothing else.</summary>
    public static bool TryParseDecimalUInt64(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 20)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Lowercase hex of a hash without a prefix.</summary>
    public static string ToLowerHex(in Hash256 hash) => hash.ToString("x", null);
}
