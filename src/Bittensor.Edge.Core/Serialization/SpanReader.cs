// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Core.Serialization;

/// <summary>Decodes a value from a <see cref="SpanReader"/>; used with <see cref="SpanReader.TryDecode{T}(ReadOnlySpan{byte}, SpanDecoder{T}, out T)"/>.</summary>
public delegate T SpanDecoder<T>(ref SpanReader reader);

/// <summary>
/// Reads the canonical encoding of protocol.md §1 from a span: little-endian fixed-width integers,
/// strict bools, fixed bytes, <c>u32</c>-length-prefixed bytes and UTF-8 strings, <c>u32</c> vector
/// counts and <c>u8</c> option tags.
/// </summary>
/// <remarks>
/// Every read throws <see cref="EncodingException"/> on malformed data, and no length or count read from
/// the data can make it allocate more than the bytes that remain. A decoder ends with
/// <see cref="EnsureEnd"/>, because trailing bytes are a decode error. For untrusted input use
/// <see cref="TryDecode{T}(ReadOnlySpan{byte}, SpanDecoder{T}, out T)"/>, which does both and returns <see langword="false"/> instead of throwing.
/// A mutable <see langword="ref"/> struct: pass it by <see langword="ref"/>.
/// </remarks>
public ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <summary>Starts reading at the first byte of <paramref name="data"/>.</summary>
    public SpanReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Bytes read so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes left to read.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>
    /// Decodes all of <paramref name="data"/> with <paramref name="decoder"/> and checks that nothing is left.
    /// </summary>
    /// <returns><see langword="false"/> if the decoder or the end check raised an <see cref="EncodingException"/>.</returns>
    public static bool TryDecode<T>(ReadOnlySpan<byte> data, SpanDecoder<T> decoder, [MaybeNullWhen(false)] out T value)
    {
        return TryDecode(data, decoder, out value, out _);
    }

    /// <summary>
    /// Decodes all of <paramref name="data"/> with <paramref name="decoder"/> and checks that nothing is left,
    /// reporting why decoding failed.
    /// </summary>
    /// <returns><see langword="false"/> if the decoder or the end check raised an <see cref="EncodingException"/>.</returns>
    public static bool TryDecode<T>(ReadOnlySpan<byte> data, SpanDecoder<T> decoder, [MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out EncodingException? error)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        SpanReader reader = new(data);
        try
        {
            value = decoder(ref reader);
            reader.EnsureEnd();
            error = null;
            return true;
        }
        catch (EncodingException e)
        {
            value = default;
            error = e;
            return false;
        }
    }

    /// <summary>Reads a <c>u8</c>.</summary>
    public byte ReadU8() => Take(sizeof(byte))[0];

    /// <summary>Reads a little-endian <c>u16</c>.</summary>
    public ushort ReadU16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(sizeof(ushort)));

    /// <summary>Reads a little-endian <c>u32</c>.</summary>
    public uint ReadU32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(sizeof(uint)));

    /// <summary>Reads a little-endian <c>u64</c>.</summary>
    public ulong ReadU64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(sizeof(ulong)));

    /// <summary>Reads a little-endian <c>u128</c>.</summary>
    public UInt128 ReadU128() => BinaryPrimitives.ReadUInt128LittleEndian(Take(16));

    /// <summary>Reads a bool: one byte, 0 or 1; any other value is a decode error.</summary>
    public bool ReadBool()
    {
        int at = _position;
        byte value = ReadU8();
        if (value > 1)
        {
            ThrowHelper.ThrowEncoding($"A bool must be 0 or 1, not {value}.", at);
        }

        return value == 1;
    }

    /// <summary>Reads an <c>Option</c> tag: <see langword="true"/> for 1 (a value follows), <see langword="false"/> for 0.</summary>
    public bool ReadOptionTag()
    {
        int at = _position;
        byte tag = ReadU8();
        if (tag > 1)
        {
            ThrowHelper.ThrowEncoding($"An option tag must be 0 (none) or 1 (some), not {tag}.", at);
        }

        return tag == 1;
    }

    /// <summary>Reads <paramref name="length"/> raw bytes (<c>[N]</c>, no prefix); the span points into the input.</summary>
    public ReadOnlySpan<byte> ReadFixed(int length)
    {
        if (length < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(length), length, "A length cannot be negative.");
        }

        return Take(length);
    }

    /// <summary>Fills <paramref name="destination"/> with raw bytes (<c>[N]</c>, no prefix).</summary>
    public void ReadFixed(scoped Span<byte> destination) => Take(destination.Length).CopyTo(destination);

    /// <summary>Reads a 32-byte hash.</summary>
    public Hash256 ReadHash256() => new(Take(Hash256.Size));

    /// <summary>Reads a 32-byte public key.</summary>
    public PublicKey ReadPublicKey() => new(Take(PublicKey.Size));

    /// <summary>Reads a 64-byte signature.</summary>
    public Signature ReadSignature() => new(Take(Signature.Size));

    /// <summary>
    /// Reads <c>u32</c>-length-prefixed bytes; the span points into the input. The length may not pass the
    /// end of the data or <paramref name="maxLength"/>.
    /// </summary>
    public ReadOnlySpan<byte> ReadBytes(int maxLength = int.MaxValue)
    {
        int at = _position;
        uint length = ReadU32();
        if (length > (uint)maxLength)
        {
            ThrowHelper.ThrowEncoding($"A length of {length} bytes exceeds the limit of {maxLength}.", at);
        }

        if (length > (uint)Remaining)
        {
            ThrowHelper.ThrowEncoding($"A length of {length} bytes passes the end of the data ({Remaining} left).", at);
        }

        return Take((int)length);
    }

    /// <summary>
    /// Reads a <c>u32</c>-length-prefixed UTF-8 string of at most <paramref name="maxBytes"/> bytes;
    /// invalid UTF-8 is a decode error.
    /// </summary>
    public string ReadString(int maxBytes = int.MaxValue)
    {
        int at = _position;
        ReadOnlySpan<byte> bytes = ReadBytes(maxBytes);
        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            ThrowHelper.ThrowEncoding("A string is not valid UTF-8.", at);
            return string.Empty;
        }
    }

    /// <summary>
    /// Reads a <c>Vec</c> count. The count may not exceed <paramref name="maxCount"/>, nor promise more
    /// elements than the remaining bytes can hold at <paramref name="minElementSize"/> bytes each, so a
    /// forged count cannot make the caller allocate.
    /// </summary>
    /// <param name="minElementSize">The fewest bytes one element takes (at least 1).</param>
    /// <param name="maxCount">The most elements the caller accepts.</param>
    public int ReadCount(int minElementSize, int maxCount = int.MaxValue)
    {
        if (minElementSize < 1)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(minElementSize), minElementSize, "Every element takes at least one byte.");
        }

        int at = _position;
        uint count = ReadU32();
        if (count > (uint)maxCount)
        {
            ThrowHelper.ThrowEncoding($"A count of {count} exceeds the limit of {maxCount}.", at);
        }

        if (count > (uint)(Remaining / minElementSize))
        {
            ThrowHelper.ThrowEncoding($"A count of {count} elements of at least {minElementSize} bytes passes the end of the data ({Remaining} left).", at);
        }

        return (int)count;
    }

    /// <summary>Throws if any bytes are left: decoders never skip unknown data.</summary>
    public readonly void EnsureEnd()
    {
        if (Remaining != 0)
        {
            ThrowHelper.ThrowEncoding($"{Remaining} trailing bytes after the value.", _position);
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            ThrowHelper.ThrowEncoding($"Needed {count} bytes but only {Remaining} are left.", _position);
        }

        ReadOnlySpan<byte> slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
