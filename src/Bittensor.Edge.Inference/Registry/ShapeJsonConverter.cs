// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bittensor.Edge.Inference.Registry;

/// <summary>Reads and writes a manifest shape: <c>["N", 64]</c>, numbers as JSON numbers and names as strings.</summary>
internal sealed class ShapeJsonConverter : JsonConverter<IReadOnlyList<string>>
{
    public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("A shape must be an array.");
        }

        List<string> dims = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            dims.Add(reader.TokenType switch
            {
                JsonTokenType.Number => reader.GetInt64().ToString(CultureInfo.InvariantCulture),
                JsonTokenType.String => reader.GetString()!,
                _ => throw new JsonException("A shape element must be a number or a name."),
            });
        }

        return dims;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (string dim in value)
        {
            if (long.TryParse(dim, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            {
                writer.WriteNumberValue(n);
            }
            else
            {
                writer.WriteStringValue(dim);
            }
        }

        writer.WriteEndArray();
    }
}
