// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Inference.Onnx;

/// <summary>
/// SplitMix64 (inference.md §6): the one random stream behind generated weights, self-test inputs and validator
/// inputs (§5). <c>state += 0x9E3779B97F4A7C15; z = state; z = (z ^ (z &gt;&gt; 30))·0xBF58476D1CE4E5B9;
/// z = (z ^ (z &gt;&gt; 27))·0x94D049BB133111EB; return z ^ (z &gt;&gt; 31)</c>.
/// </summary>
/// <remarks>A mutable value type: pass it by <see langword="ref"/>. Not thread-safe.</remarks>
public struct SplitMix64
{
    private ulong _state;

    /// <summary>A stream starting from <paramref name="seed"/>.</summary>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The next 64 bits.</summary>
    public ulong Next()
    {
        unchecked
        {
            _state += 0x9E3779B97F4A7C15UL;
            ulong z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary><c>u = (next() &gt;&gt; 40)·2⁻²⁴</c>, in [0, 1) with 24 bits (exact in float32).</summary>
    public float NextUnit() => (Next() >> 40) * (1.0f / 16777216.0f);
}
