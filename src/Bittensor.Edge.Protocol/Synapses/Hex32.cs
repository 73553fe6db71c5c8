// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using System.Text.Json.Serialization;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Synapses;

/// <summary>
/// A 32-byte value on the wire as <c>hex32</c> (specs/protocol.md §4): a <see cref="Hash256"/> that serializes as 64
/// lowercase hex digits. It converts implicitly to and from <see cref="Hash256"/>.
/// </summary>
/// <param name="Value">The bytes.</param>
/// <remarks>
/// A wrapper rather than <see cref="Hash256"/> itself so the JSON source generator sees a converter on the type and
/// never describes <see cref="Hash256"/>'s span members (SYSLIB1225, which cannot be suppressed locally).
/// </remarks>
[JsonConverter(typeof(Hex32JsonConverter))]
public readonly record struct Hex32(Hash256 Value)
{
    /// <summary>Wraps <paramref name="value"/>.</summary>
    public static implicit operator Hex32(Hash256 value) => new(value);

    /// <summary>Unwraps <paramref name="value"/>.</summary>
    public static implicit operator Hash256(Hex32 value) => value.Value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    public static Hex32 FromHash256(Hash256 value) => new(value);

    /// <summary>The wrapped hash.</summary>
    public Hash256 ToHash256() => Value;

    /// <summary>64 lowercase hex digits, the wire form.</summary>
    public override string ToString() => Value.ToString("x", null);
}

/// <summary>
/// Writes a <see cref="Hex32"/> as <c>hex32</c>, 64 lowercase hex digits without <c>0x</c> (specs/protocol.md §4),
/// and reads only that exact form; anything else is a <see cref="JsonException"/> (so the axon answers 400).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed class Hex32JsonConverter : JsonConverter<Hex32>
{
    private const int HexLength = Hash256.Size * 2;

    /// <inheritdoc/>
    public override Hex32 Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || reader.HasValueSequence || reader.ValueIsEscaped || reader.ValueSpan.Length != HexLength)
        {
            throw new JsonException("Expected hex32: a string of 64 lowercase hex digits.");
        }

        ReadOnlySpan<byte> utf8 = reader.ValueSpan;
        Span<char> chars = stackalloc char[HexLength];
        for (int i = 0; i < HexLength; i++)
        {
            byte b = utf8[i];
            if (!((b >= (byte)'0' && b <= (byte)'9') || (b >= (byte)'a' && b <= (byte)'f')))
            {
                throw new JsonException("Expected hex32: a string of 64 lowercase hex digits.");
            }

            chars[i] = (char)b;
        }

        return Hash256.Parse(chars);
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, Hex32 value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> chars = stackalloc char[HexLength];
        value.Value.TryFormat(chars, out _, "x", null);
        writer.WriteStringValue(chars);
    }
}
