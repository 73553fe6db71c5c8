// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Serialization;

namespace Bittensor.Edge.Core.Tests.Serialization;

public class SpanReaderTests
{
    [Fact]
    public void Integers_are_little_endian()
    {
        byte[] data = Convert.FromHexString("01" + "0201" + "04030201" + "0807060504030201" + "100f0e0d0c0b0a090807060504030201");
        SpanReader reader = new(data);

        Assert.Equal(0x01, reader.ReadU8());
        Assert.Equal(0x0102, reader.ReadU16());
        Assert.Equal(0x01020304u, reader.ReadU32());
        Assert.Equal(0x0102030405060708ul, reader.ReadU64());
        Assert.Equal(new UInt128(0x0102030405060708ul, 0x090a0b0c0d0e0f10ul), reader.ReadU128());
        reader.EnsureEnd();
    }

    [Fact]
    public void Bools_are_0_or_1_and_anything_else_is_an_error()
    {
        SpanReader reader = new([0, 1, 2]);

        Assert.False(reader.ReadBool());
        Assert.True(reader.ReadBool());
        EncodingException e = ReadFails([0, 1, 2], (ref SpanReader r) => { r.ReadBool(); r.ReadBool(); return r.ReadBool(); });
        Assert.Equal(2, e.Position);
    }

    [Fact]
    public void Option_tags_are_0_or_1_and_anything_else_is_an_error()
    {
        Assert.True(SpanReader.TryDecode([1, 7], (ref SpanReader r) => r.ReadOptionTag() ? r.ReadU8() : 0, out int some));
        Assert.Equal(7, some);
        Assert.True(SpanReader.TryDecode([0], (ref SpanReader r) => r.ReadOptionTag(), out bool none));
        Assert.False(none);
        ReadFails([2, 7], (ref SpanReader r) => r.ReadOptionTag());
    }

    [Fact]
    public void Truncated_integers_are_errors()
    {
        ReadFails([1, 2, 3], (ref SpanReader r) => r.ReadU32());
        ReadFails([], (ref SpanReader r) => r.ReadU8());
        ReadFails(new byte[15], (ref SpanReader r) => r.ReadU128());
    }

    [Fact]
    public void Fixed_bytes_have_no_prefix()
    {
        byte[] data = Enumerable.Range(0, 32 + 32 + 64 + 3).Select(i => (byte)i).ToArray();
        SpanReader reader = new(data);

        Hash256 hash = reader.ReadHash256();
        PublicKey key = reader.ReadPublicKey();
        Signature signature = reader.ReadSignature();
        Span<byte> three = stackalloc byte[3];
        reader.ReadFixed(three);

        Assert.Equal(data.AsSpan(0, 32).ToArray(), hash.ToArray());
        Assert.Equal(data.AsSpan(32, 32).ToArray(), key.ToArray());
        Assert.Equal(data.AsSpan(64, 64).ToArray(), signature.ToArray());
        Assert.Equal(data.AsSpan(128, 3).ToArray(), three.ToArray());
        reader.EnsureEnd();
    }

    [Fact]
    public void Prefixed_bytes_and_strings_read_a_u32_length()
    {
        byte[] data = [2, 0, 0, 0, 0xAA, 0xBB, 3, 0, 0, 0, (byte)'b', (byte)'t', (byte)'e'];
        SpanReader reader = new(data);

        Assert.Equal([0xAA, 0xBB], reader.ReadBytes().ToArray());
        Assert.Equal("bte", reader.ReadString());
        reader.EnsureEnd();
    }

    [Fact]
    public void A_forged_length_past_the_end_is_an_error_before_any_allocation()
    {
        byte[] data = [0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3];

        EncodingException e = ReadFails(data, (ref SpanReader r) => r.ReadBytes().Length);
        ReadFails(data, (ref SpanReader r) => r.ReadString());
        ReadFails([0xFF, 0xFF, 0xFF, 0xFF], (ref SpanReader r) => r.ReadBytes().Length);
        Assert.Contains("passes the end", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lengths_above_the_callers_limit_are_errors()
    {
        byte[] data = [4, 0, 0, 0, 1, 2, 3, 4];

        Assert.Contains("limit", ReadFails(data, (ref SpanReader r) => r.ReadBytes(maxLength: 3).Length).Message, StringComparison.Ordinal);
        Assert.True(SpanReader.TryDecode(data, (ref SpanReader r) => r.ReadBytes(maxLength: 4).Length, out int length));
        Assert.Equal(4, length);
    }

    [Fact]
    public void Invalid_utf8_is_an_error()
    {
        ReadFails([2, 0, 0, 0, 0xC3, 0x28], (ref SpanReader r) => r.ReadString());
    }

    [Fact]
    public void Vec_counts_are_bounded_by_the_remaining_bytes()
    {
        byte[] data = [3, 0, 0, 0, 1, 2, 3, 4, 5, 6];

        Assert.True(SpanReader.TryDecode(data.AsSpan(0, 10), (ref SpanReader r) =>
        {
            int count = r.ReadCount(minElementSize: 2);
            for (int i = 0; i < count; i++)
            {
                r.ReadU16();
            }

            return count;
        }, out int count));
        Assert.Equal(3, count);
        ReadFails(data, (ref SpanReader r) => r.ReadCount(minElementSize: 3));
        ReadFails([0xFF, 0xFF, 0xFF, 0xFF, 0], (ref SpanReader r) => r.ReadCount(minElementSize: 1));
        ReadFails(data, (ref SpanReader r) => r.ReadCount(minElementSize: 1, maxCount: 2));
    }

    [Fact]
    public void Trailing_bytes_are_an_error()
    {
        Assert.False(SpanReader.TryDecode([1, 2], (ref SpanReader r) => r.ReadU8(), out _, out EncodingException? error));
        Assert.Contains("trailing", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Position);
    }

    [Fact]
    public void TryDecode_returns_the_value_when_everything_is_consumed()
    {
        Assert.True(SpanReader.TryDecode([5, 0], (ref SpanReader r) => r.ReadU16(), out ushort value, out EncodingException? error));
        Assert.Equal(5, value);
        Assert.Null(error);
    }

    [Fact]
    public void Position_and_Remaining_track_the_reads()
    {
        SpanReader reader = new([1, 2, 3, 4]);
        reader.ReadU16();

        Assert.Equal(2, reader.Position);
        Assert.Equal(2, reader.Remaining);
    }

    private static EncodingException ReadFails<T>(byte[] data, SpanDecoder<T> decoder)
    {
        Assert.False(SpanReader.TryDecode(data, decoder, out _, out EncodingException? error));
        return error;
    }
}
