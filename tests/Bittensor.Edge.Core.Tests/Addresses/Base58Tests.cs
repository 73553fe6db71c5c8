// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Addresses;
using FsCheck.Xunit;

namespace Bittensor.Edge.Core.Tests.Addresses;

public class Base58Tests
{
    // Vectors from Bitcoin Core's src/test/data/base58_encode_decode.json.
    [Theory]
    [InlineData("", "")]
    [InlineData("00", "1")]
    [InlineData("0000", "11")]
    [InlineData("61", "2g")]
    [InlineData("626262", "a3gV")]
    [InlineData("636363", "aPEr")]
    [InlineData("73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2")]
    [InlineData("00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L")]
    [InlineData("516b6fcd0f", "ABnLTmg")]
    [InlineData("bf4f89001e670274dd", "3SEo3LWLoPntC")]
    [InlineData("572e4794", "3EFU7m")]
    [InlineData("ecac89cad93923c02321", "EJDM8drfXA6uyA")]
    [InlineData("10c8511e", "Rt5zm")]
    [InlineData("00000000000000000000", "1111111111")]
    public void Encodes_and_decodes_the_Bitcoin_Core_vectors(string hex, string text)
    {
        byte[] bytes = Convert.FromHexString(hex);
        byte[] decoded = new byte[bytes.Length + 4];

        Assert.Equal(text, Base58.Encode(bytes));
        Assert.True(Base58.TryDecode(text, decoded, out int written));
        Assert.Equal(bytes, decoded.AsSpan(0, written).ToArray());
    }

    [Property]
    public bool Any_bytes_round_trip(byte[] bytes)
    {
        byte[] decoded = new byte[bytes.Length];
        return Base58.TryDecode(Base58.Encode(bytes), decoded, out int written)
            && written == bytes.Length
            && decoded.AsSpan().SequenceEqual(bytes);
    }

    [Fact]
    public void A_destination_that_is_too_small_is_reported()
    {
        Assert.False(Base58.TryDecode("a3gV", new byte[2], out int written));
        Assert.Equal(0, written);
    }
}
