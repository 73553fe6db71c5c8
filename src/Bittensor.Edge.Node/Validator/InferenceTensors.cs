// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Inference;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Node.Validator;

/// <summary>Maps the wire's <see cref="Tensor"/> (Protocol) to the inference library's <see cref="NamedTensor"/> and back, by dtype.</summary>
internal static class InferenceTensors
{
    public static Tensor[] ToWire(IReadOnlyList<NamedTensor> tensors)
    {
        Tensor[] result = new Tensor[tensors.Count];
        for (int i = 0; i < result.Length; i++)
        {
            NamedTensor t = tensors[i];
            result[i] = new Tensor(t.Name, ToWire(t.DType), t.Shape, t.Data.ToArray());
        }

        return result;
    }

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

    private static TensorDType ToWire(InferenceDType dtype) => dtype switch
    {
        InferenceDType.Float32 => TensorDType.Float32,
        InferenceDType.Float16 => TensorDType.Float16,
        InferenceDType.Int64 => TensorDType.Int64,
        InferenceDType.Int32 => TensorDType.Int32,
        InferenceDType.UInt8 => TensorDType.UInt8,
        _ => TensorDType.Bool,
    };

    private static InferenceDType ToHost(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => InferenceDType.Float32,
        TensorDType.Float16 => InferenceDType.Float16,
        TensorDType.Int64 => InferenceDType.Int64,
        TensorDType.Int32 => InferenceDType.Int32,
        TensorDType.UInt8 => InferenceDType.UInt8,
        _ => InferenceDType.Bool,
    };
}
