// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Node.Validator;

/// <summary>Settings of the inference validator (specs/inference.md §5; keys <c>validator:inference*</c>).</summary>
public sealed class InferenceValidatorOptions
{
    /// <summary>The subnet to validate.</summary>
    public ushort Netuid { get; set; } = 1;

    /// <summary>Time between rounds: 10 blocks of 12 s (≈ 2 min) by default, as storage.</summary>
    public TimeSpan RoundInterval { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Synthetic requests per miner per round (8).</summary>
    public int RequestsPerMiner { get; set; } = 8;

    /// <summary>A model whose reference run costs less than this is recomputed for every request (50 ms).</summary>
    public TimeSpan RecomputeAllBelow { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Share of requests recomputed for costlier models, drawn after the responses arrive (25 %).</summary>
    public double SampleFraction { get; set; } = 0.25;

    /// <summary>A capacity burst runs in the first round and then every this many rounds (36 ≈ once per 360-block tempo).</summary>
    public int CapacityEveryRounds { get; set; } = 36;

    /// <summary>Length of a capacity burst (5 s).</summary>
    public TimeSpan CapacityBurst { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Requests in flight during a burst (16).</summary>
    public int CapacityConcurrency { get; set; } = 16;

    /// <summary>Share of burst answers recomputed (10 %).</summary>
    public double CapacityRecomputeFraction { get; set; } = 0.1;

    /// <summary>Bursts whose median is the miner's capacity (3).</summary>
    public int CapacityHistory { get; set; } = 3;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (RoundInterval <= TimeSpan.Zero || CapacityBurst <= TimeSpan.Zero || RecomputeAllBelow < TimeSpan.Zero)
        {
            throw new ArgumentException("roundInterval and capacityBurst must be positive, recomputeAllBelow not negative.");
        }

        if (RequestsPerMiner is < 1 or > 1024 || CapacityEveryRounds < 1 || CapacityConcurrency is < 1 or > 256 || CapacityHistory < 1)
        {
            throw new ArgumentException("requestsPerMiner (1..1024), capacityEveryRounds, capacityConcurrency (1..256) and capacityHistory must be positive.");
        }

        if (SampleFraction is < 0 or > 1 || CapacityRecomputeFraction is < 0 or > 1)
        {
            throw new ArgumentException("sampleFraction and capacityRecomputeFraction must be within 0..1.");
        }
    }
}
