// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.InteropServices;
using Bittensor.Edge.Inference;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Cli.Commands.Inference;

/// <summary>Maps the wire's <see cref="Tensor"/> (Protocol) to the host's <see cref="NamedTensor"/> (Inference) and back, by dtype name.</summary>
internal static class WireTensors
{
    public static InferenceDType ToHost(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => InferenceDType.Float32,
        TensorDType.Float16 => InferenceDType.Float16,
        TensorDType.Int64 => InferenceDType.Int64,
        TensorDType.Int32 => InferenceDType.Int32,
        TensorDType.UInt8 => InferenceDType.UInt8,
        _ => InferenceDType.Bool,
    };

    public static TensorDType ToWire(InferenceDType dtype) => dtype switch
    {
        InferenceDType.Float32 => TensorDType.Float32,
        InferenceDType.Float16 => TensorDType.Float16,
        InferenceDType.Int64 => TensorDType.Int64,
        InferenceDType.Int32 => TensorDType.Int32,
        InferenceDType.UInt8 => TensorDType.UInt8,
        _ => TensorDType.Bool,
    };

    public static NamedTensor[] ToHost(IReadOnlyList<Tensor> tensors)
    {
        NamedTensor[] result = new NamedTensor[tensors.Count];
        for (int i = 0; i < result.Length; i++)
        {
            Tensor t = tensors[i];
            result[i] = new NamedTensor(t.Name, ToHost(t.DType), t.Shape, t.Data);
        }

        return result;
    }

    public static Tensor[] ToWire(IReadOnlyList<NamedTensor> tensors)
    {
        Tensor[] result = new Tensor[tensors.Count];
        for (int i = 0; i < result.Length; i++)
        {
            NamedTensor t = tensors[i];
            result[i] = new Tensor(t.Name, ToWire(t.DType), t.Shape, WholeArray(t.Data));
        }

        return result;
    }

    /// <summary>
    /// The array behind <paramref name="data"/> when it spans a whole array (the host's outputs are fresh arrays that
    /// belong to the caller, see <see cref="InferenceResult"/>), so the response reuses it; otherwise a copy.
    /// </summary>
    private static byte[] WholeArray(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out ArraySegment<byte> segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : data.ToArray();
}
