// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Inference.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Bittensor.Edge.Inference.Tests.Onnx;

public class BundledModelTests
{
    [Theory]
    [InlineData(BundledModels.MlpTiny, "ab81045236a8230d4a4de8aafcb31249c64665524aa9ea1f1b273aa17d3507bf")]
    [InlineData(BundledModels.CnnTiny, "aa3e68ab74fc2c406fc3479a0dd9d12fb37b60bf6cd5e9ab76c2fde979a1fe5c")]
    [InlineData(BundledModels.MlpBench, "1839ac215bf193e221f114043d6c914923096d7ac9743ff43393f1410ad40cae")]
    [InlineData(BundledModels.MlpTinyCheap, "4dd0361452463882513abbe122b4057536e5edf52b7feca48b5eaec380ce5052")]
    public void Each_bundled_model_has_its_pinned_sha256(string id, string sha256)
    {
        string actual = TestModels.Get(id).Sha256.ToString("x", null);
        Assert.True(sha256 == actual, $"{id}: {actual}");
    }

    [Fact]
    public void Generating_a_model_twice_gives_the_same_bytes()
    {
        GeneratedModel first = BundledModels.Create(BundledModels.CnnTiny);
        GeneratedModel second = BundledModels.Create(BundledModels.CnnTiny);

        Assert.Equal(first.Bytes, second.Bytes);
    }

    [Fact]
    public void Mlp_tiny_has_the_size_and_parameter_count_of_the_spec()
    {
        GeneratedModel model = TestModels.Get(BundledModels.MlpTiny);

        // The spec's example entry says 38 698 bytes; ours carries producer_version and node names (38 704).
        Assert.InRange(model.Bytes.Length, 38_600, 38_800);
        Assert.Equal(9_610, model.ParameterCount);
        Assert.Equal(1_418, TestModels.Get(BundledModels.CnnTiny).ParameterCount);
        Assert.Equal(6_296_064, TestModels.Get(BundledModels.MlpBench).ParameterCount);
    }

    [Theory]
    [InlineData(BundledModels.MlpTiny, 3)]
    [InlineData(BundledModels.CnnTiny, 2)]
    [InlineData(BundledModels.MlpBench, 2)]
    [InlineData(BundledModels.MlpTinyCheap, 4)]
    public void Onnx_runtime_output_matches_the_csharp_forward_pass(string id, int rows)
    {
        GeneratedModel model = TestModels.Get(id);
        float[] input = TestModels.UniformInput(model.InputRowLength * rows, seed: 11);
        float[] expected = model.Forward(input, rows);

        using InferenceSession session = new(model.Bytes);
        long[] shape = [rows, .. model.InputRowShape.Select(d => (long)d)];
        using OrtValue x = OrtValue.CreateTensorValueFromMemory(input, shape);
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(new RunOptions(), ["x"], [x], ["y"]);
        ReadOnlySpan<float> actual = outputs[0].GetTensorDataAsSpan<float>();

        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 + (1e-3 * Math.Abs(expected[i])), $"{id}[{i}]: ORT {actual[i]} vs C# {expected[i]}");
        }
    }

    [Fact]
    public void SplitMix64_matches_the_reference_stream_for_seed_0()
    {
        SplitMix64 rng = new(0);

        Assert.Equal(0xE220A8397B1DCDAFUL, rng.Next());
        Assert.Equal(0x6E789E6AA1B965F4UL, rng.Next());
    }

    [Fact]
    public void The_cheap_variant_has_the_honest_signature_but_different_outputs()
    {
        GeneratedModel honest = TestModels.Get(BundledModels.MlpTiny);
        GeneratedModel cheap = TestModels.Get(BundledModels.MlpTinyCheap);
        float[] input = TestModels.UniformInput(64, seed: 3);

        Assert.Equal(honest.InputRowShape, cheap.InputRowShape);
        Assert.Equal(honest.OutputRowShape, cheap.OutputRowShape);
        Assert.NotEqual(honest.Forward(input, 1), cheap.Forward(input, 1));
        Assert.True(cheap.Bytes.Length < honest.Bytes.Length / 3);
    }
}
