// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Inference.Wire;

/// <summary>
/// The fast path of <see cref="InferenceWire.TryReadRequest"/>: a scanner for the plain form every client writes
/// (<c>{"modelId":…,"modelSha256":…,"inputs":[{"name","dtype","shape","data"}…]}</c>, members in any order, optional
/// whitespace, ASCII names without escapes, unescaped base64 data). It either returns exactly the request the full
/// <see cref="System.Text.Json.Utf8JsonReader"/> path would, or declines, and then the full path reads the body from the
/// start and says what is wrong with it. It never refuses a body itself.
/// </summary>
/// <remarks>
/// Why it exists: at batch 1 the request is read right after a run that streamed the model's weights through the caches,
/// so the reader's code and data are cold, and the general JSON reader's code is large. This scanner touches a few
/// hundred bytes of code and finds the end of the base64 data with one vectorized search (inference.md §7's host
/// overhead).
/// </remarks>
internal static class RequestScanner
{
    [ThreadStatic]
    private static string? t_modelId;

    [ThreadStatic]
    private static string? t_inputName;

    // Bytes of a string that needs no unescaping and no UTF-8 decoding: printable ASCII but the quote and the backslash.
    private static readonly SearchValues<byte> s_plain = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    private static readonly SearchValues<byte> s_base64 = SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8);

    /// <summary>Whether <paramref name="text"/> holds only base64 alphabet bytes (so it needs no JSON escaping).</summary>
    internal static bool IsBase64Text(ReadOnlySpan<byte> text) => text.IndexOfAnyExcept(s_base64) < 0;

    private const int ModelIdSeen = 1;
    private const int ShaSeen = 2;
    private const int InputsSeen = 4;

    /// <summary>The request, when <paramref name="body"/> has the plain form and the full reader would accept it as is.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> body, out WireRequest request)
    {
        request = default;
        ReadOnlySpan<byte> s = body.Span;
        int at = SkipSpace(s, 0);
        if (!Take(s, ref at, (byte)'{'))
        {
            return false;
        }

        string? modelId = null;
        Hash256 sha = default;
        NamedTensor[]? inputs = null;
        int seen = 0;
        do
        {
            if (!TryPlainString(s, ref at, out ReadOnlySpan<byte> key) || !Take(s, ref at, (byte)':'))
            {
                return false;
            }

            if (key.SequenceEqual("modelId"u8) && (seen & ModelIdSeen) == 0)
            {
                if (!TryPlainString(s, ref at, out ReadOnlySpan<byte> id) || id.IsEmpty)
                {
                    return false;
                }

                modelId = Recent(id, ref t_modelId);
                seen |= ModelIdSeen;
            }
            else if (key.SequenceEqual("modelSha256"u8) && (seen & ShaSeen) == 0)
            {
                if (!TryPlainString(s, ref at, out ReadOnlySpan<byte> hex) || !TryHex32(hex, out sha))
                {
                    return false;
                }

                seen |= ShaSeen;
            }
            else if (key.SequenceEqual("inputs"u8) && (seen & InputsSeen) == 0)
            {
                if (!TryTensors(body, ref at, out inputs))
                {
                    return false;
                }

                seen |= InputsSeen;
            }
            else
            {
                return false;
            }
        }
        while (Take(s, ref at, (byte)','));

        if (!Take(s, ref at, (byte)'}'))
        {
            return false;
        }

        if (seen != (ModelIdSeen | ShaSeen | InputsSeen) || SkipSpace(s, at) != s.Length)
        {
            return false;
        }

        request = new WireRequest(modelId!, sha, inputs!);
        return true;
    }

    private static bool TryTensors(ReadOnlyMemory<byte> body, ref int at, out NamedTensor[]? tensors)
    {
        ReadOnlySpan<byte> s = body.Span;
        tensors = null;
        if (!Take(s, ref at, (byte)'['))
        {
            return false;
        }

        NamedTensor[] list = new NamedTensor[1];
        int count = 0;
        do
        {
            if (count == InferenceWire.MaxTensors || !TryTensor(body, ref at, out NamedTensor? tensor))
            {
                return false;
            }

            for (int i = 0; i < count; i++)
            {
                if (string.Equals(list[i].Name, tensor.Name, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            if (count == list.Length)
            {
                Array.Resize(ref list, count * 2);
            }

            list[count++] = tensor;
        }
        while (Take(s, ref at, (byte)','));

        if (!Take(s, ref at, (byte)']'))
        {
            return false;
        }

        if (count != list.Length)
        {
            Array.Resize(ref list, count);
        }

        tensors = list;
        return true;
    }

    private static bool TryTensor(ReadOnlyMemory<byte> body, ref int at, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NamedTensor? tensor)
    {
        ReadOnlySpan<byte> s = body.Span;
        tensor = null;
        if (!Take(s, ref at, (byte)'{'))
        {
            return false;
        }

        string? name = null;
        InferenceDType? dtype = null;
        long[]? shape = null;
        ReadOnlyMemory<byte> data = default;
        bool hasData = false;
        do
        {
            if (!TryPlainString(s, ref at, out ReadOnlySpan<byte> key) || !Take(s, ref at, (byte)':'))
            {
                return false;
            }

            if (key.SequenceEqual("name"u8) && name is null)
            {
                if (!TryPlainString(s, ref at, out ReadOnlySpan<byte> text) || text.IsEmpty)
                {
                    return false;
                }

                name = Recent(text, ref t_inputName);
            }
            else if (key.SequenceEqual("dtype"u8) && dtype is null)
            {
                if (!TryPlainString(s, ref at, out ReadOnlySpan<byte> text) || !InferenceDTypes.TryParse(text, out InferenceDType parsed))
                {
                    return false;
                }

                dtype = parsed;
            }
            else if (key.SequenceEqual("shape"u8) && shape is null)
            {
                if (!TryShape(s, ref at, out shape))
                {
                    return false;
                }
            }
            else if (key.SequenceEqual("data"u8) && !hasData)
            {
                // Only the base64 alphabet up to the closing quote: no escapes, no control bytes, a valid JSON string.
                if (!Take(s, ref at, (byte)'"'))
                {
                    return false;
                }

                int length = s[at..].IndexOfAnyExcept(s_base64);
                if (length < 0 || s[at + length] != (byte)'"' || length % 4 != 0)
                {
                    return false;
                }

                data = body.Slice(at, length);
                at += length + 1;
                hasData = true;
            }
            else
            {
                return false;
            }
        }
        while (Take(s, ref at, (byte)','));

        if (!Take(s, ref at, (byte)'}'))
        {
            return false;
        }

        if (name is null || dtype is null || shape is null || !hasData)
        {
            return false;
        }

        tensor = new NamedTensor(name, dtype.Value, shape, data) { IsBase64 = true };
        return true;
    }

    /// <summary>A shape of at most <see cref="InferenceWire.MaxRank"/> non-negative integers written plainly (no sign, fraction, exponent or leading zero).</summary>
    private static bool TryShape(ReadOnlySpan<byte> s, ref int at, out long[]? shape)
    {
        shape = null;
        if (!Take(s, ref at, (byte)'['))
        {
            return false;
        }

        Span<long> dims = stackalloc long[InferenceWire.MaxRank];
        int rank = 0;
        if (!Take(s, ref at, (byte)']'))
        {
            do
            {
                if (rank == InferenceWire.MaxRank || !TryDim(s, ref at, out dims[rank]))
                {
                    return false;
                }

                rank++;
            }
            while (Take(s, ref at, (byte)','));

            if (!Take(s, ref at, (byte)']'))
            {
                return false;
            }
        }

        shape = dims[..rank].ToArray();
        return true;
    }

    private static bool TryDim(ReadOnlySpan<byte> s, ref int at, out long dim)
    {
        dim = 0;
        at = SkipSpace(s, at);
        int start = at;
        while (at < s.Length && (uint)(s[at] - '0') <= 9)
        {
            dim = (dim * 10) + (s[at] - '0');
            at++;
        }

        int digits = at - start;

        // A JSON number goes on with '.', 'e' or 'E'; leave those (and leading zeros, and numbers that might not fit a
        // long) to the full reader.
        return digits is > 0 and <= 18
            && (digits == 1 || s[start] != (byte)'0')
            && (at == s.Length || s[at] is not ((byte)'.' or (byte)'e' or (byte)'E'));
    }

    /// <summary>64 lowercase hex digits as a hash (modelSha256's hex32 form).</summary>
    internal static bool TryHex32(ReadOnlySpan<byte> hex, out Hash256 hash)
    {
        hash = default;
        if (hex.Length != 2 * Hash256.Size)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Hash256.Size];
        for (int i = 0; i < bytes.Length; i++)
        {
            int hi = HexValue(hex[2 * i]);
            int lo = HexValue(hex[(2 * i) + 1]);
            if ((hi | lo) < 0)
            {
                return false;
            }

            bytes[i] = (byte)((hi << 4) | lo);
        }

        hash = new Hash256(bytes);
        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };

    /// <summary>A string of printable ASCII without escapes (whitespace before it skipped); its text without the quotes.</summary>
    private static bool TryPlainString(ReadOnlySpan<byte> s, ref int at, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (!Take(s, ref at, (byte)'"'))
        {
            return false;
        }

        int length = s[at..].IndexOfAnyExcept(s_plain);
        if (length < 0 || s[at + length] != (byte)'"')
        {
            return false;
        }

        text = s.Slice(at, length);
        at += length + 1;
        return true;
    }

    /// <summary>The string for <paramref name="ascii"/>, reusing this thread's last one when the text is the same.</summary>
    private static string Recent(ReadOnlySpan<byte> ascii, ref string? recent)
    {
        if (recent is not null && System.Text.Ascii.Equals(ascii, recent))
        {
            return recent;
        }

        return recent = System.Text.Encoding.ASCII.GetString(ascii);
    }

    /// <summary>Skips whitespace, then consumes <paramref name="c"/> if it comes next.</summary>
    private static bool Take(ReadOnlySpan<byte> s, ref int at, byte c)
    {
        int i = SkipSpace(s, at);
        if (i < s.Length && s[i] == c)
        {
            at = i + 1;
            return true;
        }

        return false;
    }

    private static int SkipSpace(ReadOnlySpan<byte> s, int at)
    {
        while (at < s.Length && s[at] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            at++;
        }

        return at;
    }
}
