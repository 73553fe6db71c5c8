// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Bittensor.Edge.Inference.Sessions;

/// <summary>
/// One model input or output as the host serves it: name, dtype, and the fixed dimensions after the batch dimension
/// <c>N</c> (dimension 0). A model whose only batchable dimension is absent serves batch 1 only (<see cref="HasBatchDim"/>).
/// </summary>
/// <param name="Name">Input or output name.</param>
/// <param name="DType">Element type.</param>
/// <param name="RowShape">Dimensions after dimension 0, all fixed.</param>
/// <param name="HasBatchDim">Whether dimension 0 is the symbolic <c>N</c>; otherwise dimension 0 is fixed at 1.</param>
public sealed record TensorSpec(string Name, InferenceDType DType, IReadOnlyList<long> RowShape, bool HasBatchDim = true)
{
    /// <summary>Elements in one row.</summary>
    public long RowElements
    {
        get
        {
            // No foreach over the interface: that boxes an enumerator, and this runs on the request path.
            long count = 1;
            foreach (long dim in AsSpan(RowShape))
            {
                count *= dim;
            }

            return count;
        }
    }

    /// <summary>Bytes in one row.</summary>
    public long RowBytes => RowElements * InferenceDTypes.ElementSize(DType);

    /// <summary>The shape for <paramref name="rows"/> rows.</summary>
    public long[] ShapeFor(int rows)
    {
        long[] shape = new long[RowShape.Count + 1];
        shape[0] = rows;
        for (int i = 0; i < RowShape.Count; i++)
        {
            shape[i + 1] = RowShape[i];
        }

        return shape;
    }

    /// <summary>
    /// Checks one request input against this spec: dtype, rank, non-batch dims, rows and byte length (the value domain
    /// is checked by <see cref="ValidateValues"/> once the data is decoded). Returns the row count, or an error naming
    /// the input (<c>inputs['x']</c>).
    /// </summary>
    public InferenceError? Validate(NamedTensor tensor, int maxRows, out int rows)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        rows = 0;
        if (tensor.DType != DType)
        {
            return InferenceError.BadInput($"{Field} must be {InferenceDTypes.Name(DType)}, got {InferenceDTypes.Name(tensor.DType)}.");
        }

        // Spans over the arrays both shapes nearly always are: this runs per request, and interface calls on arrays are
        // dear with cold caches.
        ReadOnlySpan<long> shape = AsSpan(tensor.Shape);
        ReadOnlySpan<long> rowShape = AsSpan(RowShape);
        if (tensor.Shape is null || shape.Length != rowShape.Length + 1)
        {
            return InferenceError.BadInput($"{Field} must have rank {rowShape.Length + 1} ([N, {string.Join(", ", RowShape)}]), got rank {shape.Length}.");
        }

        for (int i = 0; i < rowShape.Length; i++)
        {
            if (shape[i + 1] != rowShape[i])
            {
                return InferenceError.BadInput($"{Field}.shape[{i + 1}] must be {rowShape[i]}, got {shape[i + 1]}.");
            }
        }

        long n = shape[0];
        int limit = HasBatchDim ? maxRows : 1;
        if (n < 1 || n > limit)
        {
            return InferenceError.BadInput($"{Field}.shape[0] (rows) must be 1..{limit}, got {n}.");
        }

        long expected = n * RowBytes;
        long length = tensor.ByteLength;
        if (length != expected)
        {
            return InferenceError.BadInput(length < 0
                ? $"{Field}.data is not padded base64 (its length {tensor.Data.Length} is not a multiple of 4)."
                : $"{Field}.data must be {expected} bytes for its shape and dtype, got {length}.");
        }

        rows = (int)n;
        return null;
    }

    private static ReadOnlySpan<long> AsSpan(IReadOnlyList<long>? dims) => dims switch
    {
        null => default,
        long[] array => array,
        _ => [.. dims],
    };

    /// <summary>
    /// Checks the value domain of packed elements (no NaN or ±Inf floats, bools 0 or 1), once they sit in the pooled
    /// buffer; null, or an error naming the input.
    /// </summary>
    public InferenceError? ValidateValues(ReadOnlySpan<byte> data)
    {
        int bad = FindOutOfDomain(DType, data);
        if (bad < 0)
        {
            return null;
        }

        string what = DType == InferenceDType.Bool ? "a bool other than 0 or 1" : "NaN or infinity";
        return InferenceError.BadInput($"{Field} has {what} at element {bad}.");
    }

    // Built only for error messages, so a valid request allocates no text.
    private string Field => $"inputs['{Name}']";

    /// <summary>Index of the first element outside the dtype's domain (non-finite float, bool not 0/1), or −1.</summary>
    internal static int FindOutOfDomain(InferenceDType dtype, ReadOnlySpan<byte> data)
    {
        switch (dtype)
        {
            case InferenceDType.Float32:
                {
                    ReadOnlySpan<uint> bits = MemoryMarshal.Cast<byte, uint>(data);
                    for (int i = SkipFinite(bits, 0x7F80_0000u); i < bits.Length; i++)
                    {
                        uint value = BitConverter.IsLittleEndian ? bits[i] : BinaryPrimitives.ReverseEndianness(bits[i]);
                        if ((value & 0x7F80_0000u) == 0x7F80_0000u)
                        {
                            return i;
                        }
                    }

                    return -1;
                }

            case InferenceDType.Float16:
                {
                    ReadOnlySpan<ushort> bits = MemoryMarshal.Cast<byte, ushort>(data);
                    for (int i = SkipFinite(bits, (ushort)0x7C00); i < bits.Length; i++)
                    {
                        ushort value = BitConverter.IsLittleEndian ? bits[i] : BinaryPrimitives.ReverseEndianness(bits[i]);
                        if ((value & 0x7C00) == 0x7C00)
                        {
                            return i;
                        }
                    }

                    return -1;
                }

            case InferenceDType.Bool:
                return data.IndexOfAnyExcept((byte)0, (byte)1);
            default:
                return -1;
        }
    }

    /// <summary>
    /// The start of the first vector that may hold a NaN or infinity (all exponent bits set, <paramref name="exponent"/>),
    /// so the scalar loop only checks from there: the whole request is scanned on the hot path.
    /// </summary>
    private static int SkipFinite<T>(ReadOnlySpan<T> bits, T exponent)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        int i = 0;
        if (!System.Numerics.Vector.IsHardwareAccelerated || !BitConverter.IsLittleEndian)
        {
            return i;
        }

        System.Numerics.Vector<T> mask = new(exponent);
        for (; i <= bits.Length - System.Numerics.Vector<T>.Count; i += System.Numerics.Vector<T>.Count)
        {
            if (System.Numerics.Vector.EqualsAny(new System.Numerics.Vector<T>(bits[i..]) & mask, mask))
            {
                break;
            }
        }

        return i;
    }
}
