// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using Bittensor.Edge.Inference.Onnx;

namespace Bittensor.Edge.Inference.Tests;

/// <summary>Bundled models generated once per test run (mlp-bench-v1 is 25 MB).</summary>
internal static class TestModels
{
    private static readonly ConcurrentDictionary<string, Lazy<GeneratedModel>> s_models = new(StringComparer.Ordinal);

    public static GeneratedModel Get(string id) =>
        s_models.GetOrAdd(id, static i => new Lazy<GeneratedModel>(() => BundledModels.Create(i))).Value;

    /// <summary>Every dtype the host serves, in a fixed order (element sizes 4, 2, 8, 4, 1, 1).</summary>
    public static InferenceDType[] AllDTypes { get; } =
        [InferenceDType.Float32, InferenceDType.Float16, InferenceDType.Int64, InferenceDType.Int32, InferenceDType.UInt8, InferenceDType.Bool];

    /// <summary>
    /// An identity model with one input <c>in{i}</c> per dtype in <paramref name="dtypes"/>, each passed through to output
    /// <c>outputNames[i]</c> (default <c>out{i}</c>), all of shape <c>[N, rowShape…]</c>.
    /// </summary>
    public static byte[] Identity(string id, IReadOnlyList<InferenceDType> dtypes, long[] rowShape, IReadOnlyList<string>? outputNames = null)
    {
        string Out(int i) => outputNames?[i] ?? $"out{i}";
        OnnxDim[] shape = [OnnxDim.Batch, .. rowShape.Select(d => (OnnxDim)d)];
        return ModelWriter.Write(new OnnxGraph(
            id,
            [.. dtypes.Select((d, i) => new OnnxNode($"id{i}", "Identity", [$"in{i}"], [Out(i)], []))],
            [],
            [.. dtypes.Select((d, i) => new OnnxValueInfo($"in{i}", d, shape))],
            [.. dtypes.Select((d, i) => new OnnxValueInfo(Out(i), d, shape))]));
    }

    public static float[] UniformInput(int count, ulong seed)
    {
        SplitMix64 rng = new(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = -1f + (2f * rng.NextUnit());
        }

        return values;
    }
}
