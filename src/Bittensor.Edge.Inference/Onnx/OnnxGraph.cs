// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Edge.Inference.Onnx;

/// <summary>A graph for <see cref="ModelWriter"/>: nodes in execution order, float initializers, inputs and outputs.</summary>
/// <param name="Name">GraphProto.name (the model id for bundled models).</param>
/// <param name="Nodes">Nodes in graph order.</param>
/// <param name="Initializers">Constant float tensors (weights and biases).</param>
/// <param name="Inputs">Graph inputs (not including initializers).</param>
/// <param name="Outputs">Graph outputs.</param>
public sealed record OnnxGraph(
    string Name,
    IReadOnlyList<OnnxNode> Nodes,
    IReadOnlyList<OnnxInitializer> Initializers,
    IReadOnlyList<OnnxValueInfo> Inputs,
    IReadOnlyList<OnnxValueInfo> Outputs);

/// <summary>One NodeProto.</summary>
/// <param name="Name">Node name.</param>
/// <param name="OpType">Operator, e.g. <c>Gemm</c>.</param>
/// <param name="Inputs">Input value names.</param>
/// <param name="Outputs">Output value names.</param>
/// <param name="Attributes">Attributes, written in list order.</param>
public sealed record OnnxNode(
    string Name,
    string OpType,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyList<OnnxAttr> Attributes);

/// <summary>Kinds of AttributeProto the writer supports (the AttributeProto.type codes).</summary>
[SuppressMessage("Naming", "CA1720:Identifiers should not contain type names", Justification = "The members are ONNX's AttributeType names.")]
public enum OnnxAttrKind
{
    /// <summary>FLOAT = 1, field 2 <c>f</c>.</summary>
    Float = 1,

    /// <summary>INT = 2, field 3 <c>i</c>.</summary>
    Int = 2,

    /// <summary>FLOATS = 6, field 7 <c>floats</c>.</summary>
    Floats = 6,

    /// <summary>INTS = 7, field 8 <c>ints</c>.</summary>
    Ints = 7,
}

/// <summary>One AttributeProto (named <c>Attr</c> because .NET reserves the <c>Attribute</c> suffix); build with <see cref="OfInt"/>, <see cref="OfInts"/>, <see cref="OfFloat"/> or <see cref="OfFloats"/>.</summary>
/// <param name="Name">Attribute name.</param>
/// <param name="Kind">Which value field is set.</param>
/// <param name="Ints">The INT value (one element) or the INTS values.</param>
/// <param name="Floats">The FLOAT value (one element) or the FLOATS values.</param>
public sealed record OnnxAttr(string Name, OnnxAttrKind Kind, IReadOnlyList<long> Ints, IReadOnlyList<float> Floats)
{
    /// <summary>An INT attribute.</summary>
    public static OnnxAttr OfInt(string name, long value) => new(name, OnnxAttrKind.Int, [value], []);

    /// <summary>An INTS attribute.</summary>
    public static OnnxAttr OfInts(string name, params long[] values) => new(name, OnnxAttrKind.Ints, values, []);

    /// <summary>A FLOAT attribute.</summary>
    public static OnnxAttr OfFloat(string name, float value) => new(name, OnnxAttrKind.Float, [], [value]);

    /// <summary>A FLOATS attribute.</summary>
    public static OnnxAttr OfFloats(string name, params float[] values) => new(name, OnnxAttrKind.Floats, [], values);
}

/// <summary>A constant float32 tensor (TensorProto with <c>raw_data</c>, little-endian).</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="Dims">Dimensions.</param>
/// <param name="Values">Elements, row-major; the count is the product of <paramref name="Dims"/>.</param>
public sealed record OnnxInitializer(string Name, IReadOnlyList<long> Dims, float[] Values);

/// <summary>A dimension: a fixed size, or a symbolic name such as <c>"N"</c>.</summary>
/// <param name="Value">The size when <paramref name="Param"/> is null.</param>
/// <param name="Param">The symbolic name, or null for a fixed size.</param>
public readonly record struct OnnxDim(long Value, string? Param)
{
    /// <summary>The batch dimension <c>"N"</c>.</summary>
    public static OnnxDim Batch => new(0, "N");

    /// <summary>A fixed dimension.</summary>
    public static implicit operator OnnxDim(long value) => new(value, null);

    /// <summary>A fixed dimension.</summary>
    public static OnnxDim FromInt64(long value) => new(value, null);
}

/// <summary>A graph input or output: ValueInfoProto with a tensor type.</summary>
/// <param name="Name">Value name.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Dimensions.</param>
public sealed record OnnxValueInfo(string Name, InferenceDType DType, IReadOnlyList<OnnxDim> Shape);
