// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Inference.Batching;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Scoring;
using Bittensor.Edge.Inference.Sessions;
using FsCheck.Xunit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Inference.Tests.Scoring;

public class OutputComparerTests
{
    [Fact]
    public async Task The_honest_model_passes_and_the_cheaper_wrong_model_is_rejected()
    {
        ModelEntry honestEntry = TestRegistry.Entry(BundledModels.MlpTiny);
        ModelEntry cheapEntry = TestRegistry.Entry(BundledModels.MlpTinyCheap);
        ModelRegistry registry = TestRegistry.With(BundledModels.MlpTiny, BundledModels.MlpTinyCheap);
        await using InferenceHost validator = NewHost(registry, BundledModels.MlpTiny);
        await using InferenceHost honest = NewHost(registry, BundledModels.MlpTiny);
        await using InferenceHost cheat = NewHost(registry, BundledModels.MlpTinyCheap);
        Hash256 sha = Hash256.Parse(honestEntry.Sha256, null);

        for (uint request = 0; request < 8; request++)
        {
            ulong seed = InputGenerator.RequestSeed(Sha256.Hash([1]), Sha256.Hash([2]), TestRegistry.OtherKey.PublicKey, request);
            NamedTensor[] inputs = InputGenerator.Generate(honestEntry, rows: 1 + (int)(request % 4), seed);
            InferenceResult reference = await validator.InferAsync(honestEntry.Id, sha, inputs, TimeSpan.FromSeconds(12));
            InferenceResult good = await honest.InferAsync(honestEntry.Id, sha, inputs, TimeSpan.FromSeconds(12));
            InferenceResult bad = await cheat.InferAsync(cheapEntry.Id, Hash256.Parse(cheapEntry.Sha256, null), inputs, TimeSpan.FromSeconds(12));

            Assert.Equal(OutputMatch.Match, OutputComparer.Compare(good.Outputs, reference.Outputs, OutputComparer.ToleranceFor(honestEntry)));
            Assert.Equal(OutputMatch.OutsideTolerance, OutputComparer.Compare(bad.Outputs, reference.Outputs, OutputComparer.ToleranceFor(honestEntry)));
        }
    }

    [Fact]
    public void Names_dtypes_shapes_and_integers_must_match_exactly()
    {
        NamedTensor reference = new("y", InferenceDType.Int64, [1, 2], new byte[16]);
        Tolerance loose = new(1, 1);

        Assert.Equal(OutputMatch.Match, OutputComparer.Compare([reference], [reference], loose));
        Assert.Equal(OutputMatch.NamesDiffer, OutputComparer.Compare([reference with { Name = "z" }], [reference], loose));
        Assert.Equal(OutputMatch.NamesDiffer, OutputComparer.Compare([], [reference], loose));
        Assert.Equal(OutputMatch.DTypeDiffers, OutputComparer.Compare([reference with { DType = InferenceDType.Float32, Data = new byte[8] }], [reference], loose));
        Assert.Equal(OutputMatch.ShapeDiffers, OutputComparer.Compare([reference with { Shape = [2, 1] }], [reference], loose));
        byte[] off = new byte[16];
        off[8] = 1;
        Assert.Equal(OutputMatch.ExactMismatch, OutputComparer.Compare([reference with { Data = off }], [reference], loose));
    }

    [Property(MaxTest = 300)]
    public void The_float32_comparison_decides_as_the_element_rule_does(float[] reference, float[] noise, bool loose)
    {
        // Answers near, far from, and equal to the reference, with NaN, ±Inf and extremes mixed in by FsCheck.
        float[] answer = [.. reference.Select((r, i) => i < noise.Length ? (i % 3 == 0 ? r : r + noise[i]) : r)];
        Tolerance tolerance = loose ? new Tolerance(1e-2, 1e-1) : Tolerance.Default;
        bool expected = answer.Zip(reference).All(p => OutputComparer.Within(p.First, p.Second, tolerance));

        Assert.Equal(expected ? OutputMatch.Match : OutputMatch.OutsideTolerance, OutputComparer.Compare([Float32(answer)], [Float32(reference)], tolerance));
    }

    [Theory]
    [InlineData(1f, float.PositiveInfinity, false)] // a finite answer to an infinite reference: |m − ∞| ≤ abs + rel·∞ must not pass
    [InlineData(float.PositiveInfinity, float.PositiveInfinity, true)]
    [InlineData(float.NegativeInfinity, float.PositiveInfinity, false)]
    [InlineData(float.PositiveInfinity, 1f, false)]
    [InlineData(float.NaN, float.NaN, true)]
    [InlineData(float.NaN, 1f, false)]
    [InlineData(1f, float.NaN, false)]
    [InlineData(float.MaxValue, float.MaxValue, true)]
    public void Float32_specials_follow_the_spec_inside_a_tensor(float answer, float reference, bool match)
    {
        Tolerance loose = new(1, 1);
        float[] m = [0.5f, answer, 2f];
        float[] r = [0.5f, reference, 2f];

        Assert.Equal(match ? OutputMatch.Match : OutputMatch.OutsideTolerance, OutputComparer.Compare([Float32(m)], [Float32(r)], loose));
    }

    private static NamedTensor Float32(float[] values) =>
        new("y", InferenceDType.Float32, [1, values.Length], System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    [Fact]
    public void Non_finite_values_follow_the_spec()
    {
        Tolerance t = Tolerance.Default;

        Assert.False(OutputComparer.Within(double.NaN, 1.0, t));
        Assert.False(OutputComparer.Within(double.PositiveInfinity, 1.0, t));
        Assert.True(OutputComparer.Within(double.NaN, double.NaN, t));
        Assert.False(OutputComparer.Within(1.0, double.NaN, t));
        Assert.True(OutputComparer.Within(1.0 + 1e-4 + 1e-3 - 1e-12, 1.0, t));
        Assert.False(OutputComparer.Within(1.0 + 1e-4 + 1e-3 + 1e-9, 1.0, t));
    }

    [Property]
    public void The_latency_score_is_between_a_tenth_and_one_and_never_rises_with_latency(ushort a, ushort b)
    {
        double fast = OutputComparer.Score(true, TimeSpan.FromMilliseconds(Math.Min(a, b) + 1), 50);
        double slow = OutputComparer.Score(true, TimeSpan.FromMilliseconds(Math.Max(a, b) + 1), 50);

        Assert.InRange(fast, 0.1, 1);
        Assert.InRange(slow, 0.1, 1);
        Assert.True(slow <= fast);
    }

    [Fact]
    public void Scores_and_the_quality_ema_follow_section_5()
    {
        Assert.Equal(1.0, OutputComparer.Score(true, TimeSpan.FromMilliseconds(25), 50));
        Assert.Equal(0.5, OutputComparer.Score(true, TimeSpan.FromMilliseconds(100), 50));
        Assert.Equal(0.1, OutputComparer.Score(true, TimeSpan.FromSeconds(10), 50));
        Assert.Equal(0.0, OutputComparer.Score(false, TimeSpan.FromMilliseconds(1), 50));
        Assert.Equal(0.05, OutputComparer.UpdateQuality(0, [1.0, 1.0], anyMismatch: false), 12);
        Assert.Equal((0.95 * 0.5) + (0.05 * 0.5), OutputComparer.UpdateQuality(0.5, [0.0, 1.0], anyMismatch: false), 12);
        Assert.Equal(0.0, OutputComparer.UpdateQuality(0.9, [1.0], anyMismatch: true));
    }

    [Fact]
    public void Request_seeds_and_generated_inputs_are_deterministic_and_in_domain()
    {
        ModelEntry entry = TestRegistry.Entry(BundledModels.MlpTiny);
        ulong seed = InputGenerator.RequestSeed(Sha256.Hash([1]), Sha256.Hash([2]), TestRegistry.Key.PublicKey, 3);

        NamedTensor[] first = InputGenerator.Generate(entry, 4, seed);
        NamedTensor[] second = InputGenerator.Generate(entry, 4, seed);

        Assert.Equal(first[0].Data.ToArray(), second[0].Data.ToArray());
        Assert.NotEqual(seed, InputGenerator.RequestSeed(Sha256.Hash([1]), Sha256.Hash([2]), TestRegistry.Key.PublicKey, 4));
        for (int i = 0; i < 4 * 64; i++)
        {
            Assert.InRange(InputGenerator.ElementAt(InferenceDType.Float32, first[0].Data.Span, i), -1.0, 1.0);
        }
    }

    private static InferenceHost NewHost(ModelRegistry registry, string id)
    {
        InferenceHost host = new(new ManualClock(), new SessionSettings { IntraOpThreads = 1 }, new BatchSettings(32, TimeSpan.Zero), new FixedExecutionProviderCatalog([]), NullLogger.Instance);
        Assert.True(host.TryLoad(registry, id, TestModels.Get(id).Bytes, out string? error), error);
        return host;
    }
}
