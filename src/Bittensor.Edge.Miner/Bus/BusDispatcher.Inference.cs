// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Inference;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Miner.Bus;

/// <summary><c>infer.run</c> (fleet.md §5, inference.md §4) over the inference service.</summary>
public sealed partial class BusDispatcher
{
    /// <summary>Most request items in one <c>infer.run</c>.</summary>
    public const int MaxInferItems = 256;

    private async Task<Reply> InferRunAsync(BusRequestHeader header, ReadOnlyMemory<byte> body, TimeSpan remaining)
    {
        TimeSpan started = _clock.Elapsed;
        InferRunParams parameters = header.ReadParams(FleetJsonContext.Default.InferRunParams);
        if (!_status.CanInfer(out string? refusal))
        {
            return Fail(BusErrors.Busy, $"infer.run refused: {refusal}.");
        }

        IReadOnlyList<BusInferItem> items = parameters.Items ?? [];
        if (items.Count is 0 or > MaxInferItems)
        {
            return Fail(BusErrors.BadRequest, $"infer.run takes 1 to {MaxInferItems} items, not {items.Count}.");
        }

        List<NamedTensor>[] inputs = new List<NamedTensor>[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i]?.Tensors is not { Count: > 0 } tensors)
            {
                return Fail(BusErrors.BadInput, $"Item {i} has no input tensors.");
            }

            inputs[i] = new List<NamedTensor>(tensors.Count);
            foreach (BusTensor tensor in tensors)
            {
                if (tensor is null || tensor.Name is null || tensor.Shape is null || tensor.Offset < 0 || tensor.Length < 0 || tensor.Offset + tensor.Length > body.Length)
                {
                    return Fail(BusErrors.BadInput, $"Item {i}: tensor '{tensor?.Name}' points outside the {body.Length}-byte body (offset {tensor?.Offset}, length {tensor?.Length}).");
                }

                inputs[i].Add(new NamedTensor(tensor.Name, ToHost(tensor.DType), tensor.Shape, body.Slice((int)tensor.Offset, (int)tensor.Length)));
            }
        }

        Task<InferenceResult>[] runs = new Task<InferenceResult>[items.Count];
        for (int i = 0; i < runs.Length; i++)
        {
            runs[i] = _inference.InferAsync(parameters.Model, parameters.ModelSha256, inputs[i], remaining);
        }

        InferenceResult[] results = await Task.WhenAll(runs).ConfigureAwait(false);
        foreach (InferenceResult result in results)
        {
            if (result.Error is { } error)
            {
                return Fail(ToBusError(error.Code), error.Message);
            }
        }

        long total = 0;
        foreach (InferenceResult result in results)
        {
            foreach (NamedTensor tensor in result.Outputs)
            {
                total += tensor.Data.Length;
            }
        }

        if (total + BusEnvelope.MaxHeaderBytes > BusEnvelope.MaxPayloadBytes)
        {
            return Fail(BusErrors.BadRequest, $"The outputs ({total} bytes) would not fit one bus message; send fewer items.");
        }

        byte[] output = new byte[total];
        BusInferItem[] answered = new BusInferItem[results.Length];
        long offset = 0;
        ulong computeUs = 0;
        for (int i = 0; i < results.Length; i++)
        {
            BusTensor[] tensors = new BusTensor[results[i].Outputs.Count];
            for (int o = 0; o < tensors.Length; o++)
            {
                NamedTensor tensor = results[i].Outputs[o];
                tensor.Data.Span.CopyTo(output.AsSpan((int)offset));
                tensors[o] = new BusTensor(tensor.Name, ToWire(tensor.DType), tensor.Shape, offset, tensor.Data.Length);
                offset += tensor.Data.Length;
            }

            answered[i] = new BusInferItem(tensors);
            computeUs += (ulong)Math.Max(0, (long)results[i].ComputeTime.TotalMicroseconds);
        }

        Interlocked.Increment(ref _inferRuns);
        _inferLatency.Record(_clock.Elapsed - started);
        return Ok(new InferRunResult(answered, computeUs), FleetJsonContext.Default.InferRunResult, output);
    }

    private static string ToBusError(InferenceErrorCode code) => code switch
    {
        InferenceErrorCode.UnknownModel => BusErrors.UnknownModel,
        InferenceErrorCode.BadInput => BusErrors.BadInput,
        InferenceErrorCode.DeadlineExceeded => BusErrors.DeadlineExceeded,
        _ => BusErrors.Busy, // ModelNotReady (loading, reloading for the thermal state) and a full queue: try again later.
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

    private static TensorDType ToWire(InferenceDType dtype) => dtype switch
    {
        InferenceDType.Float32 => TensorDType.Float32,
        InferenceDType.Float16 => TensorDType.Float16,
        InferenceDType.Int64 => TensorDType.Int64,
        InferenceDType.Int32 => TensorDType.Int32,
        InferenceDType.UInt8 => TensorDType.UInt8,
        _ => TensorDType.Bool,
    };
}
