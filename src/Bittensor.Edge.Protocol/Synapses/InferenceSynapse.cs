// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Bittensor.Edge.Protocol.Synapses;

/// <summary>Element types of a tensor (specs/protocol.md §4); the wire names are the lowercase ONNX names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TensorDType>))]
[SuppressMessage("Naming", "CA1720:Identifiers should not contain type names", Justification = "The members are the ONNX element type names the wire uses.")]
public enum TensorDType
{
    /// <summary><c>float32</c>, 4 bytes.</summary>
    [JsonStringEnumMemberName("float32")]
    Float32,

    /// <summary><c>float16</c>, 2 bytes.</summary>
    [JsonStringEnumMemberName("float16")]
    Float16,

    /// <summary><c>int64</c>, 8 bytes.</summary>
    [JsonStringEnumMemberName("int64")]
    Int64,

    /// <summary><c>int32</c>, 4 bytes.</summary>
    [JsonStringEnumMemberName("int32")]
    Int32,

    /// <summary><c>uint8</c>, 1 byte.</summary>
    [JsonStringEnumMemberName("uint8")]
    UInt8,

    /// <summary><c>bool</c>, 1 byte (0 or 1).</summary>
    [JsonStringEnumMemberName("bool")]
    Bool,
}

/// <summary>Sizes of <see cref="TensorDType"/> elements.</summary>
public static class TensorDTypes
{
    /// <summary>Bytes per element of <paramref name="dtype"/>, or 0 for a value outside the enum.</summary>
    public static int ElementSize(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 or TensorDType.Int32 => 4,
        TensorDType.Float16 => 2,
        TensorDType.Int64 => 8,
        TensorDType.UInt8 or TensorDType.Bool => 1,
        _ => 0,
    };
}

/// <summary>
/// A named tensor: <c>{name, dtype, shape, data}</c>, where <see cref="Data"/> is the little-endian packed element
/// array in row-major order.
/// </summary>
/// <param name="Name">Input or output name.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Dimensions, each ≥ 0.</param>
/// <param name="Data">Packed elements; its length is the product of <paramref name="Shape"/> times the element size.</param>
public sealed record Tensor(string Name, [property: JsonPropertyName("dtype")] TensorDType DType, IReadOnlyList<long> Shape, byte[] Data)
{
    /// <summary>Checks the name, dtype and that the byte length matches the shape; <paramref name="field"/> names it in the message.</summary>
    public DomainError? Validate(string field)
    {
        if (string.IsNullOrEmpty(Name))
        {
            return DomainError.BadInput($"{field}.name must not be empty.");
        }

        int elementSize = TensorDTypes.ElementSize(DType);
        if (elementSize == 0)
        {
            return DomainError.BadInput($"{field}.dtype is not a known dtype.");
        }

        long expected = elementSize;
        foreach (long dim in Shape)
        {
            if (dim < 0)
            {
                return DomainError.BadInput($"{field}.shape has a negative dimension.");
            }

            if (dim != 0 && expected > Array.MaxLength / dim)
            {
                return DomainError.BadInput($"{field}.shape is too large.");
            }

            expected *= dim;
        }

        return expected == Data.Length
            ? null
            : DomainError.BadInput($"{field}.data must be {expected} bytes for its shape and dtype, got {Data.Length}.");
    }
}

/// <summary><c>Inference</c> request: <c>{modelId, modelSha256, inputs}</c>.</summary>
/// <param name="ModelId">Registry id of the model.</param>
/// <param name="ModelSha256">SHA-256 of the model's exact <c>.onnx</c> bytes (hex32).</param>
/// <param name="Inputs">Input tensors, unique non-empty names.</param>
public sealed record InferenceRequest(string ModelId, Hex32 ModelSha256, IReadOnlyList<Tensor> Inputs) : ISynapseMessage
{
    /// <inheritdoc/>
    public DomainError? Validate()
    {
        if (string.IsNullOrEmpty(ModelId))
        {
            return DomainError.BadInput("modelId must not be empty.");
        }

        return Tensors.Validate(Inputs, "inputs");
    }
}

/// <summary><c>Inference</c> response: <c>{outputs, computeUs}</c>.</summary>
/// <param name="Outputs">Output tensors.</param>
/// <param name="ComputeUs">Compute time in microseconds, as reported by the miner.</param>
public sealed record InferenceResponse(IReadOnlyList<Tensor> Outputs, ulong ComputeUs) : ISynapseMessage
{
    /// <inheritdoc/>
    public DomainError? Validate() => Tensors.Validate(Outputs, "outputs");
}

internal static class Tensors
{
    public static DomainError? Validate(IReadOnlyList<Tensor> tensors, string field)
    {
        if (tensors.Count == 0)
        {
            return DomainError.BadInput($"{field} must not be empty.");
        }

        HashSet<string> names = new(StringComparer.Ordinal);
        for (int i = 0; i < tensors.Count; i++)
        {
            Tensor? tensor = tensors[i];
            if (tensor is null)
            {
                return DomainError.BadInput($"{field}[{i}] is null.");
            }

            DomainError? error = tensor.Validate($"{field}[{i}]");
            if (error is not null)
            {
                return error;
            }

            if (!names.Add(tensor.Name))
            {
                return DomainError.BadInput($"{field}[{i}].name '{tensor.Name}' is repeated.");
            }
        }

        return null;
    }
}
