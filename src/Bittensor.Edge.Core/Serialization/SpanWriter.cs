// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Core.Serialization;

/// <summary>
/// Writes the canonical encoding of protocol.md §1 to an <see cref="IBufferWriter{T}"/>, usually a
/// <see cref="PooledBufferWriter"/>; the mirror of <see cref="SpanReader"/>.
/// </summary>
/// <remarks>
/// A mutable <see langword="ref"/> struct: keep it in one local or pass it by <see langword="ref"/>. It
/// does not own the output. Not thread-safe.
/// </remarks>
public ref struct SpanWriter
{
    private readonly IBufferWriter<byte> _output;
    private long _written;

    /// <summary>Writes to <paramref name="output"/>.</summary>
    public SpanWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _written = 0;
    }

    /// <summary>Bytes written through this writer.</summary>
    public readonly long BytesWritten => _written;

    /// <summary>Writes a <c>u8</c>.</summary>
    public void WriteU8(byte value)
    {
        _output.GetSpan(1)[0] = value;
        Advance(1);
    }

    /// <summary>Writes a little-endian <c>u16</c>.</summary>
    public void WriteU16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_output.GetSpan(sizeof(ushort)), value);
        Advance(sizeof(ushort));
    }

    /// <summary>Writes a little-endian <c>u32</c>.</summary>
    public void WriteU32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_output.GetSpan(sizeof(uint)), value);
        Advance(sizeof(uint));
    }

    /// <summary>Writes a little-endian <c>u64</c>.</summary>
    public void WriteU64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_output.GetSpan(sizeof(ulong)), value);
        Advance(sizeof(ulong));
    }

    /// <summary>Writes a little-endian <c>u128</c>.</summary>
    public void WriteU128(UInt128 value)
    {
        BinaryPrimitives.WriteUInt128LittleEndian(_output.GetSpan(16), value);
        Advance(16);
    }

    /// <summary>Writes a bool as one byte, 0 or 1.</summary>
    public void WriteBool(bool value) => WriteU8(value ? (byte)1 : (byte)0);

    /// <summary>Writes an <c>Option</c> tag: 1 when a value follows, 0 for none.</summary>
    public void WriteOptionTag(bool hasValue) => WriteU8(hasValue ? (byte)1 : (byte)0);

    /// <summary>Writes raw bytes (<c>[N]</c>, or an ASCII domain tag), without a length prefix.</summary>
    public void WriteFixed(scoped ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        bytes.CopyTo(_output.GetSpan(bytes.Length));
        Advance(bytes.Length);
    }

    /// <summary>Writes a 32-byte hash.</summary>
    public void Write(in Hash256 hash) => WriteFixed(hash.Bytes);

    /// <summary>Writes a 32-byte public key.</summary>
    public void Write(in PublicKey publicKey) => WriteFixed(publicKey.Bytes);

    /// <summary>Writes a 64-byte signature.</summary>
    public void Write(in Signature signature) => WriteFixed(signature.Bytes);

    /// <summary>Writes a <c>u32</c> length, then the bytes.</summary>
    public void WriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        WriteU32((uint)bytes.Length);
        WriteFixed(bytes);
    }

    /// <summary>Writes a <c>u32</c> byte length, then the UTF-8 bytes of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> holds a lone surrogate (not valid UTF-16).</exception>
    public void WriteString(scoped ReadOnlySpan<char> value)
    {
        int length;
        try
        {
            length = s_strictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("The string is not valid UTF-16 and has no UTF-8 form.", nameof(value), e);
        }

        WriteU32((uint)length);
        if (length > 0)
        {
            int written = s_strictUtf8.GetBytes(value, _output.GetSpan(length));
            Advance(written);
        }
    }

    /// <summary>Writes a <c>Vec</c> count.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void WriteCount(int count)
    {
        if (count < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(count), count, "A count cannot be negative.");
        }

        WriteU32((uint)count);
    }

    private void Advance(int count)
    {
        _output.Advance(count);
        _written += count;
    }

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
