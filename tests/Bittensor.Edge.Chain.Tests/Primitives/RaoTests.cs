// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Chain.Primitives;

namespace Bittensor.Edge.Chain.Tests.Primitives;

public sealed class RaoTests
{
    [Fact]
    public void Addition_past_u64_throws_instead_of_wrapping()
    {
        Assert.Throws<OverflowException>(() => Rao.MaxValue + new Rao(1));
        Assert.False(Rao.TryAdd(Rao.MaxValue, new Rao(1), out _));
    }

    [Fact]
    public void Subtraction_below_zero_throws_instead_of_wrapping()
    {
        Assert.Throws<OverflowException>(() => new Rao(1) - new Rao(2));
        Assert.False(Rao.TrySubtract(new Rao(1), new Rao(2), out _));
        Assert.True(Rao.TrySubtract(new Rao(5), new Rao(2), out Rao left));
        Assert.Equal(new Rao(3), left);
    }

    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("1000000000", 1_000_000_000UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void Decimal_strings_parse_to_rao(string text, ulong expected)
    {
        Assert.True(Rao.TryParse(text, out Rao value));
        Assert.Equal(expected, value.Value);
        Assert.Equal(text, value.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.5")]
    [InlineData(" 1")]
    [InlineData("18446744073709551616")]
    public void Malformed_amounts_do_not_parse(string text)
    {
        Assert.False(Rao.TryParse(text, out _));
    }

    [Fact]
    public void Json_carries_rao_as_a_decimal_string()
    {
        RaoJsonConverter converter = new();
        using MemoryStream stream = new();
        using (Utf8JsonWriter writer = new(stream))
        {
            converter.Write(writer, new Rao(123_456_789_012), new JsonSerializerOptions());
        }

        Assert.Equal("\"123456789012\"", System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        Utf8JsonReader reader = new("\"42\""u8);
        reader.Read();
        Assert.Equal(new Rao(42), converter.Read(ref reader, typeof(Rao), new JsonSerializerOptions()));
    }

    [Fact]
    public void Json_rejects_a_number_where_a_string_of_rao_belongs()
    {
        RaoJsonConverter converter = new();
        Assert.Throws<JsonException>(() =>
        {
            Utf8JsonReader reader = new("42"u8);
            reader.Read();
            return converter.Read(ref reader, typeof(Rao), new JsonSerializerOptions());
        });
    }
}
