// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Serialization;
using FsCheck.Xunit;

namespace Bittensor.Edge.Core.Tests.Serialization;

public class SpanWriterTests
{
    [Fact]
    public void Writes_the_canonical_layout()
    {
        using PooledBufferWriter buffer = new(initialCapacity: 1);
        SpanWriter writer = new(buffer);
        writer.WriteFixed("bte/tx/v1"u8);
        writer.WriteU8(1);
        writer.WriteU16(0x0102);
        writer.WriteU32(0x01020304);
        writer.WriteU64(0x0102030405060708);
        writer.WriteU128(new UInt128(1, 2));
        writer.WriteBool(true);
        writer.WriteOptionTag(false);
        writer.WriteBytes([0xAA]);
        writer.WriteString("é");
        writer.WriteCount(2);

        string expected = Convert.ToHexStringLower("bte/tx/v1"u8)
            + "01" + "0201" + "04030201" + "0807060504030201"
            + "0200000000000000" + "0100000000000000"
            + "01" + "00" + "01000000aa" + "02000000c3a9" + "02000000";
        Assert.Equal(expected, Convert.ToHexStringLower(buffer.WrittenSpan));
        Assert.Equal(buffer.WrittenCount, writer.BytesWritten);
    }

    [Property]
    public bool Everything_written_reads_back(byte a, ushort b, uint c, ulong d, ulong hi, bool e, byte[] bytes, string? text, bool hasOption)
    {
        string value = text is null ? string.Empty : new string(text.Where(ch => !char.IsSurrogate(ch)).ToArray());
        Hash256 hash = Sha256.Hash(bytes);
        using PooledBufferWriter buffer = new();
        SpanWriter writer = new(buffer);
        writer.WriteU8(a);
        writer.WriteU16(b);
        writer.WriteU32(c);
        writer.WriteU64(d);
        writer.WriteU128(new UInt128(hi, d));
        writer.WriteBool(e);
        writer.WriteBytes(bytes);
        writer.WriteString(value);
        writer.Write(hash);
        writer.WriteOptionTag(hasOption);
        if (hasOption)
        {
            writer.WriteU32(c);
        }

        return SpanReader.TryDecode(buffer.WrittenSpan, (ref SpanReader r) =>
            r.ReadU8() == a
            && r.ReadU16() == b
            && r.ReadU32() == c
            && r.ReadU64() == d
            && r.ReadU128() == new UInt128(hi, d)
            && r.ReadBool() == e
            && r.ReadBytes().SequenceEqual(bytes)
            && r.ReadString() == value
            && r.ReadHash256() == hash
            && r.ReadOptionTag() == hasOption
            && (!hasOption || r.ReadU32() == c), out bool ok) && ok;
    }

    [Fact]
    public void Public_keys_and_signatures_are_written_raw()
    {
        using PooledBufferWriter buffer = new();
        SpanWriter writer = new(buffer);
        PublicKey key = new(Enumerable.Repeat((byte)7, 32).ToArray());
        Signature signature = new(Enumerable.Repeat((byte)9, 64).ToArray());
        writer.Write(key);
        writer.Write(signature);

        Assert.Equal(96, buffer.WrittenCount);
        Assert.Equal(key.ToArray(), buffer.WrittenSpan[..32].ToArray());
    }

    [Fact]
    public void Lone_surrogates_cannot_be_written_as_strings()
    {
        using PooledBufferWriter buffer = new();

        Assert.Throws<ArgumentException>(() =>
        {
            SpanWriter writer = new(buffer);
            writer.WriteString("\ud800");
        });
    }

    [Fact]
    public void A_negative_count_is_a_bug()
    {
        using PooledBufferWriter buffer = new();

        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            SpanWriter writer = new(buffer);
            writer.WriteCount(-1);
        });
    }
}
