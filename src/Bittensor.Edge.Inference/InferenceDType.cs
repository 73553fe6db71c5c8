// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Edge.Inference;

/// <summary>
/// Tensor element types served by the inference market (inference.md §1, protocol.md §4). The wire and manifest names
/// are the lowercase ONNX names; <see cref="InferenceDTypes.Parse"/> and <see cref="InferenceDTypes.Name"/> map them.
/// </summary>
[SuppressMessage("Naming", "CA1720:Identifiers should not contain type names", Justification = "The members are the ONNX element type names.")]
public enum InferenceDType
{
    /// <summary><c>float32</c>, 4 bytes (ONNX FLOAT = 1).</summary>
    Float32,

    /// <summary><c>float16</c>, 2 bytes (ONNX FLOAT16 = 10).</summary>
    Float16,

    /// <summary><c>int64</c>, 8 bytes (ONNX INT64 = 7).</summary>
    Int64,

    /// <summary><c>int32</c>, 4 bytes (ONNX INT32 = 6).</summary>
    Int32,

    /// <summary><c>uint8</c>, 1 byte (ONNX UINT8 = 2).</summary>
    UInt8,

    /// <summary><c>bool</c>, 1 byte, 0 or 1 (ONNX BOOL = 9).</summary>
    Bool,
}

/// <summary>Names, sizes and ONNX codes of <see cref="InferenceDType"/> values. Thread-safe (stateless).</summary>
public static class InferenceDTypes
{
    /// <summary>Bytes per element, or 0 for a value outside the enum.</summary>
    public static int ElementSize(InferenceDType dtype) => dtype switch
    {
        InferenceDType.Float32 or InferenceDType.Int32 => 4,
        InferenceDType.Float16 => 2,
        InferenceDType.Int64 => 8,
        InferenceDType.UInt8 or InferenceDType.Bool => 1,
        _ => 0,
    };

    /// <summary>The manifest and wire name (<c>float32</c>, <c>float16</c>, ...).</summary>
    public static string Name(InferenceDType dtype) => dtype switch
    {
        InferenceDType.Float32 => "float32",
        InferenceDType.Float16 => "float16",
        InferenceDType.Int64 => "int64",
        InferenceDType.Int32 => "int32",
        InferenceDType.UInt8 => "uint8",
        InferenceDType.Bool => "bool",
        _ => "unknown",
    };

    /// <summary>Parses a manifest or wire name; <see langword="false"/> for anything else.</summary>
    public static bool TryParse(string? name, out InferenceDType dtype)
    {
        switch (name)
        {
            case "float32": dtype = InferenceDType.Float32; return true;
            case "float16": dtype = InferenceDType.Float16; return true;
            case "int64": dtype = InferenceDType.Int64; return true;
            case "int32": dtype = InferenceDType.Int32; return true;
            case "uint8": dtype = InferenceDType.UInt8; return true;
            case "bool": dtype = InferenceDType.Bool; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>Parses a wire name as UTF-8 (no escapes), without making a string; <see langword="false"/> for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out InferenceDType dtype)
    {
        for (dtype = InferenceDType.Float32; dtype <= InferenceDType.Bool; dtype++)
        {
            if (System.Text.Ascii.Equals(utf8, Name(dtype)))
            {
                return true;
            }
        }

        dtype = default;
        return false;
    }

    /// <summary>Parses a manifest or wire name.</summary>
    /// <exception cref="FormatException">The name is not one of the six dtypes.</exception>
    public static InferenceDType Parse(string name)
    {
        if (!TryParse(name, out InferenceDType dtype))
        {
            ThrowHelper.ThrowFormat($"'{name}' is not a tensor dtype (float32, float16, int64, int32, uint8, bool).");
        }

        return dtype;
    }

    /// <summary>Whether outputs of this dtype are compared under a tolerance (float32, float16) or exactly.</summary>
    public static bool IsFloat(InferenceDType dtype) => dtype is InferenceDType.Float32 or InferenceDType.Float16;

    /// <summary>The ONNX <c>TensorProto.DataType</c> code.</summary>
    public static int OnnxCode(InferenceDType dtype) => dtype switch
    {
        InferenceDType.Float32 => 1,
        InferenceDType.UInt8 => 2,
        InferenceDType.Int32 => 6,
        InferenceDType.Int64 => 7,
        InferenceDType.Bool => 9,
        InferenceDType.Float16 => 10,
        _ => 0,
    };
}
