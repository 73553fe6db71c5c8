// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Core.Tests.Crypto;

public class ValueTypeTests
{
    private const string AliceHex = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

    [Fact]
    public void Hash256_formats_as_0x_lowercase_hex_and_parses_back()
    {
        Hash256 hash = Hash256.Parse(AliceHex.ToUpperInvariant());

        Assert.Equal("0x" + AliceHex, hash.ToString());
        Assert.Equal(AliceHex, hash.ToString("x", null));
        Assert.True(Hash256.TryParse("0x" + AliceHex, out Hash256 again));
        Assert.Equal(hash, again);
    }

    [Fact]
    public void TryFormat_writes_into_a_span_and_reports_a_short_destination()
    {
        PublicKey key = PublicKey.Parse(AliceHex);
        Span<char> big = stackalloc char[66];
        Span<char> small = stackalloc char[65];

        Assert.True(key.TryFormat(big, out int written, default, null));
        Assert.Equal(66, written);
        Assert.Equal("0x" + AliceHex, big.ToString());
        Assert.False(key.TryFormat(small, out written, default, null));
        Assert.Equal(0, written);
        Assert.Equal(AliceHex, $"{key:x}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da2")]
    [InlineData("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d00")]
    [InlineData("g43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")]
    [InlineData(" d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")]
    public void TryParse_rejects_wrong_lengths_and_non_hex(string text)
    {
        Assert.False(Hash256.TryParse(text, out Hash256 hash));
        Assert.True(hash.IsZero);
        Assert.False(PublicKey.TryParse(text, out _));
    }

    [Fact]
    public void Parse_of_garbage_throws_FormatException_naming_the_expected_form()
    {
        FormatException e = Assert.Throws<FormatException>(() => Signature.Parse("0x1234"));

        Assert.Contains("128 hex digits", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructors_check_the_length_with_a_precise_message()
    {
        ArgumentException hash = Assert.Throws<ArgumentException>(() => new Hash256(new byte[31]));
        ArgumentException signature = Assert.Throws<ArgumentException>(() => new Signature(new byte[32]));

        Assert.Contains("exactly 32 bytes but got 31", hash.Message, StringComparison.Ordinal);
        Assert.Contains("exactly 64 bytes but got 32", signature.Message, StringComparison.Ordinal);
        Assert.Equal("bytes", hash.ParamName);
    }

    [Fact]
    public void Equal_values_are_equal_and_hash_alike_and_different_values_are_not()
    {
        byte[] bytes = Convert.FromHexString(AliceHex);
        PublicKey a = new(bytes);
        PublicKey b = new(bytes);
        bytes[31] ^= 1;
        PublicKey c = new(bytes);

        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != c);
        Assert.False(a.Equals((object)c));
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Values_order_like_their_bytes()
    {
        Hash256 low = new(Enumerable.Repeat((byte)1, 32).ToArray());
        Hash256 high = new(Enumerable.Repeat((byte)2, 32).ToArray());

        Assert.True(low < high);
        Assert.True(high >= low);
        Assert.Equal(-1, Math.Sign(low.CompareTo(high)));
    }

    [Fact]
    public void Bytes_span_and_copies_hold_the_value()
    {
        byte[] bytes = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        Signature signature = new(bytes);
        byte[] copy = new byte[64];
        signature.CopyTo(copy);

        Assert.Equal(bytes, signature.Bytes.ToArray());
        Assert.Equal(bytes, copy);
        Assert.Equal(bytes, signature.ToArray());
        Assert.Throws<ArgumentException>(() => signature.CopyTo(new byte[63]));
    }

    [Fact]
    public void Values_work_as_dictionary_keys()
    {
        Dictionary<PublicKey, int> byKey = new() { [PublicKey.Parse(AliceHex)] = 7 };

        Assert.Equal(7, byKey[PublicKey.Parse("0x" + AliceHex)]);
    }

    [Fact]
    public void Unknown_format_strings_are_rejected()
    {
        Hash256 hash = default;

        Assert.Throws<FormatException>(() => hash.ToString("N", null));
    }
}
