// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.InteropServices;
using Bittensor.Edge.Boards.Thermal;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Miner.Tests.Bus;

public sealed class BusDispatcherInferenceTests
{
    [Fact]
    public async Task Infer_run_on_a_bundled_model_answers_the_reference_outputs_and_loads_the_runtime_only_then()
    {
        await using DispatcherRig rig = new(SystemClock.Instance);
        Assert.False(rig.Models.RuntimeLoaded);
        Assert.Equal(["cnn-tiny-v1", "mlp-tiny-v1"], rig.Models.Models.Select(m => m.Id));

        GeneratedModel model = BundledModels.Create(BundledModels.MlpTiny);
        float[] first = Inputs(2 * 64, 3);
        float[] second = Inputs(1 * 64, 4);
        byte[] body = [.. MemoryMarshal.AsBytes(first.AsSpan()), .. MemoryMarshal.AsBytes(second.AsSpan())];
        InferRunParams parameters = new(model.Id, model.Sha256, [
            new BusInferItem([new BusTensor("x", TensorDType.Float32, [2, 64], 0, first.Length * 4)]),
            new BusInferItem([new BusTensor("x", TensorDType.Float32, [1, 64], first.Length * 4, second.Length * 4)]),
        ]);

        (BusResponseHeader header, byte[] output) = await rig.CallAsync(BusMethods.InferRun, parameters, FleetJsonContext.Default.InferRunParams, body);

        Assert.True(header.Ok, header.Message);
        Assert.True(rig.Models.RuntimeLoaded);
        InferRunResult result = header.ReadResult(FleetJsonContext.Default.InferRunResult);
        Assert.Equal(2, result.Items.Count);
        AssertClose(model.Forward(first, 2), Slice(output, result.Items[0].Tensors[0]));
        AssertClose(model.Forward(second, 1), Slice(output, result.Items[1].Tensors[0]));
        Assert.Equal([2L, 10L], result.Items[0].Tensors[0].Shape);
        Assert.Contains(rig.Models.Models, m => m.Id == model.Id && m.Loaded);

        // Telemetry's inferenceP95Ms: this run's latency, once.
        Assert.True(rig.Dispatcher.TakeInferenceP95Ms() is > 0);
        Assert.Null(rig.Dispatcher.TakeInferenceP95Ms());
    }

    [Fact]
    public async Task Unknown_models_wrong_hashes_and_bad_tensors_are_refused_without_loading_anything()
    {
        await using DispatcherRig rig = new(SystemClock.Instance);
        GeneratedModel model = BundledModels.Create(BundledModels.MlpTiny);
        byte[] body = MemoryMarshal.AsBytes(Inputs(64, 1).AsSpan()).ToArray();
        BusInferItem item = new([new BusTensor("x", TensorDType.Float32, [1, 64], 0, body.Length)]);

        Assert.Equal(BusErrors.UnknownModel, (await rig.CallAsync(BusMethods.InferRun, new InferRunParams("resnet-v9", model.Sha256, [item]), FleetJsonContext.Default.InferRunParams, body)).Header.Error);
        Assert.Equal(BusErrors.UnknownModel, (await rig.CallAsync(BusMethods.InferRun, new InferRunParams(model.Id, Sha256.Hash([1]), [item]), FleetJsonContext.Default.InferRunParams, body)).Header.Error);
        BusInferItem outside = new([new BusTensor("x", TensorDType.Float32, [1, 64], 8, body.Length)]);
        Assert.Equal(BusErrors.BadInput, (await rig.CallAsync(BusMethods.InferRun, new InferRunParams(model.Id, model.Sha256, [outside]), FleetJsonContext.Default.InferRunParams, body)).Header.Error);
        Assert.False(rig.Models.RuntimeLoaded);

        BusInferItem wrongShape = new([new BusTensor("x", TensorDType.Float32, [1, 63], 0, 63 * 4)]);
        (BusResponseHeader bad, _) = await rig.CallAsync(BusMethods.InferRun, new InferRunParams(model.Id, model.Sha256, [wrongShape]), FleetJsonContext.Default.InferRunParams, body);
        Assert.Equal(BusErrors.BadInput, bad.Error);
    }

    [Fact]
    public async Task A_hot_board_withdraws_inference_with_Busy_and_warm_keeps_serving_at_half_batch()
    {
        await using DispatcherRig rig = new(SystemClock.Instance);
        GeneratedModel model = BundledModels.Create(BundledModels.MlpTiny);
        float[] input = Inputs(64, 9);
        byte[] body = MemoryMarshal.AsBytes(input.AsSpan()).ToArray();
        InferRunParams parameters = new(model.Id, model.Sha256, [new BusInferItem([new BusTensor("x", TensorDType.Float32, [1, 64], 0, body.Length)])]);

        rig.Status.SetThermal(ThermalState.Hot, 81);
        (BusResponseHeader hot, _) = await rig.CallAsync(BusMethods.InferRun, parameters, FleetJsonContext.Default.InferRunParams, body);
        Assert.Equal(BusErrors.Busy, hot.Error);
        Assert.Contains("hot", hot.Message, StringComparison.Ordinal);
        Assert.False(rig.Models.RuntimeLoaded);

        rig.Status.SetThermal(ThermalState.Warm, 72);
        rig.Models.SetThermal(ThermalState.Warm);
        (BusResponseHeader warm, byte[] output) = await rig.CallAsync(BusMethods.InferRun, parameters, FleetJsonContext.Default.InferRunParams, body);
        Assert.True(warm.Ok, warm.Message);
        AssertClose(model.Forward(input, 1), Slice(output, warm.ReadResult(FleetJsonContext.Default.InferRunResult).Items[0].Tensors[0]));
    }

    private static float[] Inputs(int count, ulong seed)
    {
        SplitMix64 rng = new(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = -1f + (2f * rng.NextUnit());
        }

        return values;
    }

    private static float[] Slice(byte[] body, BusTensor tensor) => MemoryMarshal.Cast<byte, float>(body.AsSpan((int)tensor.Offset, (int)tensor.Length)).ToArray();

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 + (1e-3 * Math.Abs(expected[i])), $"output {i}: {actual[i]} vs {expected[i]}");
        }
    }
}
