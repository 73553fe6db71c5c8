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
