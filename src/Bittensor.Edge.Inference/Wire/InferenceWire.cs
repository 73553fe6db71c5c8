// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Text.Json;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Inference.Wire;

/// <summary>
/// The JSON bodies of the <c>Inference</c> synapse (protocol.md §4), read and written on the host's request path without
/// intermediate objects: request <c>{modelId, modelSha256: hex32, inputs: [{name, dtype, shape: [i64], data: b64}]}</c>,
/// response <c>{outputs: [same form], computeUs}</c>. The same bodies as <c>Bittensor.Edge.Protocol</c>'s
/// <c>InferenceRequest</c> and <c>InferenceResponse</c>, which the dendrite uses; tests check that both read each other.
/// </summary>
/// <remarks>
/// <para>A request's tensor data is not decoded here: each input's <see cref="NamedTensor.Data"/> is the base64 text
/// inside the body (<see cref="NamedTensor.IsBase64"/>), which the batcher decodes straight into the session's pooled
/// input buffer. The body must therefore stay unchanged until the request is answered. A <c>data</c> string that JSON
/// escapes (legal, though no encoder does it for base64) is decoded here instead.</para>
/// <para>Unknown members are skipped, as the protocol's JSON context does. Thread-safe (stateless).</para>
/// </remarks>
public static class InferenceWire
{
    [ThreadStatic]
    private static string? t_modelId;

    [ThreadStatic]
    private static string? t_inputName;

    /// <summary>Most input tensors one request may carry.</summary>
    public const int MaxTensors = 64;

    /// <summary>Most dimensions of one tensor.</summary>
    public const int MaxRank = 8;

    private static readonly JsonEncodedText s_outputs = JsonEncodedText.Encode("outputs");
    private static readonly JsonEncodedText s_name = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText s_dtype = JsonEncodedText.Encode("dtype");
    private static readonly JsonEncodedText s_shape = JsonEncodedText.Encode("shape");
    private static readonly JsonEncodedText s_data = JsonEncodedText.Encode("data");
    private static readonly JsonEncodedText s_computeUs = JsonEncodedText.Encode("computeUs");
    private static readonly JsonEncodedText[] s_dtypeNames =
    [
        JsonEncodedText.Encode("float32"),
        JsonEncodedText.Encode("float16"),
        JsonEncodedText.Encode("int64"),
        JsonEncodedText.Encode("int32"),
        JsonEncodedText.Encode("uint8"),
        JsonEncodedText.Encode("bool"),
    ];

    /// <summary>
    /// Reads an <c>Inference</c> request body. Malformed JSON, a missing member or a member of the wrong JSON type is
    /// <see cref="InferenceErrorCode.BadJson"/> (400); an unknown dtype, a repeated or empty name, too many tensors or
    /// dimensions, or data that is not padded base64 is <see cref="InferenceErrorCode.BadInput"/> (422).
    /// </summary>
    /// <param name="body">The request body; the returned inputs point into it.</param>
    /// <param name="request">The model id, its SHA-256 and the inputs (data still base64).</param>
    /// <param name="error">Why the body was refused.</param>
    public static bool TryReadRequest(ReadOnlyMemory<byte> body, out WireRequest request, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out InferenceError? error)
    {
        // Nearly every body has the plain form the scanner takes; anything else is read (and refused) by the full reader.
        if (RequestScanner.TryRead(body, out request))
        {
            error = null;
            return true;
        }

        return TryReadRequestFully(body, out request, out error);
    }

    /// <summary>The full reader behind <see cref="TryReadRequest"/>: <see cref="Utf8JsonReader"/> over the whole body.</summary>
    internal static bool TryReadRequestFully(ReadOnlyMemory<byte> body, out WireRequest request, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out InferenceError? error)
    {
        request = default;
        try
        {
            error = ReadRequestCore(body, out request);
        }
        catch (JsonException e)
        {
            error = new InferenceError(InferenceErrorCode.BadJson, $"The body is not a valid Inference request: {e.Message}");
        }

        return error is null;
    }

    /// <summary>
    /// The string token as a string, reusing <paramref name="recent"/> (this thread's last one) when the text is the same:
    /// a host hears the same model id and input names request after request, and each new string is memory the next
    /// request's cold caches pay for.
    /// </summary>
    private static string Recent(ref Utf8JsonReader reader, ref string? recent)
    {
        if (recent is not null && reader.ValueTextEquals(recent))
        {
            return recent;
        }

        return recent = reader.GetString()!;
    }

    private static InferenceError? ReadRequestCore(ReadOnlyMemory<byte> body, out WireRequest request)
    {
        request = default;
        Utf8JsonReader reader = new(body.Span, new JsonReaderOptions { MaxDepth = 8 });
        Expect(ref reader, JsonTokenType.StartObject, "the body");
        string? modelId = null;
        Hash256? sha = null;
        NamedTensor[]? inputs = null;
        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            if (reader.ValueTextEquals("modelId"u8))
            {
                Expect(ref reader, JsonTokenType.String, "modelId");
                modelId = Recent(ref reader, ref t_modelId);
            }
            else if (reader.ValueTextEquals("modelSha256"u8))
            {
                Expect(ref reader, JsonTokenType.String, "modelSha256");
                sha = ReadHex32(ref reader);
            }
            else if (reader.ValueTextEquals("inputs"u8))
            {
                Expect(ref reader, JsonTokenType.StartArray, "inputs");
                InferenceError? inputError = ReadTensors(ref reader, body, out inputs);
                if (inputError is not null)
                {
                    return inputError;
                }
            }
            else
            {
                Read(ref reader);
                reader.Skip();
            }
        }

        if (modelId is null || sha is null || inputs is null)
        {
            string missing = modelId is null ? "modelId" : sha is null ? "modelSha256" : "inputs";
            throw new JsonException($"{missing} is missing.");
        }

        if (modelId.Length == 0)
        {
            return InferenceError.BadInput("modelId must not be empty.");
        }

        if (inputs.Length == 0)
        {
            return InferenceError.BadInput("inputs must not be empty.");
        }

        request = new WireRequest(modelId, sha.Value, inputs);
        return null;
    }

    private static InferenceError? ReadTensors(ref Utf8JsonReader reader, ReadOnlyMemory<byte> body, out NamedTensor[] tensors)
    {
        NamedTensor[] list = new NamedTensor[1];
        int count = 0;
        tensors = [];
        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                break;
            }

            if (count == MaxTensors)
            {
                return InferenceError.BadInput($"inputs has more than {MaxTensors} tensors.");
            }

            // Field names in messages are built only on failure: this runs for every request.
            int index = count;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"inputs[{index}] must be an object.");
            }

            string? name = null;
            InferenceDType? dtype = null;
            long[]? shape = null;
            ReadOnlyMemory<byte>? data = null;
            bool base64 = true;
            while (true)
            {
                Read(ref reader);
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                if (reader.ValueTextEquals("name"u8))
                {
                    Expect(ref reader, JsonTokenType.String, index, "name");
                    name = Recent(ref reader, ref t_inputName);
                }
                else if (reader.ValueTextEquals("dtype"u8))
                {
                    Expect(ref reader, JsonTokenType.String, index, "dtype");
                    dtype = ReadDType(ref reader);
                    if (dtype is null)
                    {
                        return InferenceError.BadInput($"inputs[{index}].dtype '{reader.GetString()}' is not one of float32, float16, int64, int32, uint8, bool.");
                    }
                }
                else if (reader.ValueTextEquals("shape"u8))
                {
                    Expect(ref reader, JsonTokenType.StartArray, index, "shape");
                    shape = ReadShape(ref reader, index, out InferenceError? shapeError);
                    if (shapeError is not null)
                    {
                        return shapeError;
                    }
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    Expect(ref reader, JsonTokenType.String, index, "data");
                    if (reader.ValueIsEscaped)
                    {
                        if (!reader.TryGetBytesFromBase64(out byte[]? decoded))
                        {
                            return InferenceError.BadInput($"inputs[{index}].data is not base64.");
                        }

                        data = decoded;
                        base64 = false;
                    }
                    else
                    {
                        // The text between the quotes: TokenStartIndex is the opening quote.
                        data = body.Slice(checked((int)reader.TokenStartIndex + 1), reader.ValueSpan.Length);
                        base64 = true;
                    }
                }
                else
                {
                    Read(ref reader);
                    reader.Skip();
                }
            }

            if (name is null || dtype is null || shape is null || data is null)
            {
                string missing = name is null ? "name" : dtype is null ? "dtype" : shape is null ? "shape" : "data";
                throw new JsonException($"inputs[{index}].{missing} is missing.");
            }

            if (name.Length == 0)
            {
                return InferenceError.BadInput($"inputs[{index}].name must not be empty.");
            }

            for (int i = 0; i < count; i++)
            {
                if (string.Equals(list[i].Name, name, StringComparison.Ordinal))
                {
                    return InferenceError.BadInput($"inputs[{index}].name '{name}' is repeated.");
                }
            }

            if (base64 && Base64Length(data.Value.Span) < 0)
            {
                return InferenceError.BadInput($"inputs[{index}].data is not padded base64 (its length {data.Value.Length} is not a multiple of 4).");
            }

            if (count == list.Length)
            {
                Array.Resize(ref list, count * 2);
            }

            list[count++] = new NamedTensor(name, dtype.Value, shape, data.Value) { IsBase64 = base64 };
        }

        if (count != list.Length)
        {
            Array.Resize(ref list, count);
        }

        tensors = list;
        return null;
    }

    private static long[] ReadShape(ref Utf8JsonReader reader, int index, out InferenceError? error)
    {
        Span<long> dims = stackalloc long[MaxRank];
        int rank = 0;
        error = null;
        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                break;
            }

            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long dim))
            {
                throw new JsonException($"inputs[{index}].shape must hold integers.");
            }

            if (rank == MaxRank)
            {
                error = InferenceError.BadInput($"inputs[{index}].shape has more than {MaxRank} dimensions.");
                reader.Skip();
                continue;
            }

            if (dim < 0)
            {
                error ??= InferenceError.BadInput($"inputs[{index}].shape has a negative dimension.");
            }

            dims[rank++] = dim;
        }

        return dims[..rank].ToArray();
    }

    private static InferenceDType? ReadDType(ref Utf8JsonReader reader)
    {
        for (int i = 0; i < s_dtypeNames.Length; i++)
        {
            if (reader.ValueTextEquals(s_dtypeNames[i].EncodedUtf8Bytes))
            {
                return (InferenceDType)i;
            }
        }

        return null;
    }

    private static Hash256 ReadHex32(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || !RequestScanner.TryHex32(reader.ValueSpan, out Hash256 hash))
        {
            throw new JsonException("modelSha256 must be hex32: 64 lowercase hex digits.");
        }

        return hash;
    }

    private static void Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("The body ends early.");
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, int index, string member)
    {
        Read(ref reader);
        if (reader.TokenType != type)
        {
            throw new JsonException($"inputs[{index}].{member} must be {Describe(type)}, got {Describe(reader.TokenType)}.");
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        Read(ref reader);
        if (reader.TokenType != type)
        {
            throw new JsonException($"{what} must be {Describe(type)}, got {Describe(reader.TokenType)}.");
        }
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.Null => "null",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        _ => type.ToString(),
    };

    /// <summary>The decoded length of padded base64 <paramref name="text"/>, or −1 when its length is not a multiple of 4.</summary>
    internal static long Base64Length(ReadOnlySpan<byte> text)
    {
        if (text.Length % 4 != 0)
        {
            return -1;
        }

        int padding = text.Length == 0 ? 0 : text[^1] != (byte)'=' ? 0 : text[^2] == (byte)'=' ? 2 : 1;
        return (text.Length / 4 * 3L) - padding;
    }

    /// <summary>Writes an <c>Inference</c> request body (benchmarks, tools; the dendrite has its own typed messages).</summary>
    public static byte[] WriteRequest(string modelId, in Hash256 modelSha256, IReadOnlyList<NamedTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        ArgumentNullException.ThrowIfNull(inputs);
        ArrayBufferWriter<byte> buffer = new();
        using Utf8JsonWriter writer = new(buffer);
        writer.WriteStartObject();
        writer.WriteString("modelId", modelId);
        writer.WriteString("modelSha256", modelSha256.ToString("x", null));
        writer.WriteStartArray("inputs");
        foreach (NamedTensor tensor in inputs)
        {
            WriteTensor(writer, tensor);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes an <c>Inference</c> response body for <paramref name="outputs"/> (tests, tools and other hosts).</summary>
    public static byte[] WriteResponse(IReadOnlyList<NamedTensor> outputs, ulong computeUs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArrayBufferWriter<byte> buffer = new();
        using Utf8JsonWriter writer = new(buffer);
        writer.WriteStartObject();
        writer.WriteStartArray(s_outputs);
        foreach (NamedTensor tensor in outputs)
        {
            WriteTensor(writer, tensor);
        }

        writer.WriteEndArray();
        writer.WriteNumber(s_computeUs, computeUs);
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteTensor(Utf8JsonWriter writer, NamedTensor tensor)
    {
        writer.WriteStartObject();
        writer.WriteString(s_name, tensor.Name);
        writer.WriteString(s_dtype, s_dtypeNames[(int)tensor.DType]);
        writer.WriteStartArray(s_shape);
        foreach (long dim in tensor.Shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
        if (tensor.IsBase64 && RequestScanner.IsBase64Text(tensor.Data.Span))
        {
            // As is: WriteString would escape '+' as \u002B (valid JSON, but not the plain form the scanner reads).
            writer.WritePropertyName(s_data);
            byte[] quoted = new byte[tensor.Data.Length + 2];
            quoted[0] = quoted[^1] = (byte)'"';
            tensor.Data.Span.CopyTo(quoted.AsSpan(1));
            writer.WriteRawValue(quoted, skipInputValidation: true);
        }
        else if (tensor.IsBase64)
        {
            writer.WriteString(s_data, System.Text.Encoding.ASCII.GetString(tensor.Data.Span));
        }
        else
        {
            writer.WriteBase64String(s_data, tensor.Data.Span);
        }

        writer.WriteEndObject();
    }
}

/// <summary>An <c>Inference</c> request as read by <see cref="InferenceWire.TryReadRequest"/>.</summary>
/// <param name="ModelId">Registry id of the model.</param>
/// <param name="ModelSha256">The SHA-256 the caller expects the model to have.</param>
/// <param name="Inputs">The inputs in body order; their data is base64 text inside the body unless decoded.</param>
public readonly record struct WireRequest(string ModelId, Hash256 ModelSha256, NamedTensor[] Inputs);
