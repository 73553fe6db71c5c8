// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.Epoch;

namespace Bittensor.Edge.Consensus.Benchmarks;

/// <summary>
/// The pinned consensus benchmark scenarios of specs/benchmarks.md, generated from seed 1 with
/// weights drawn uniformly. Shared by <c>bte consensus bench</c> and the BenchmarkDotNet classes so
/// both measure the same thing.
/// </summary>
public static class BenchScenarios
{
    /// <summary>The block every pinned epoch runs at.</summary>
    public const ulong Block = 10_000;

    /// <summary>The rao every pinned epoch distributes.</summary>
    public const ulong RaoEmission = 1_000_000_000;

    /// <summary>The pinned scenarios, in the order of benchmarks.md.</summary>
    public static IReadOnlyList<BenchScenario> All { get; } =
    [
        new("epoch_ms_n256_v64", "Yuma3 + liquid alpha, new-subnet defaults, dense", 256, 64, WeightsPerValidator: null,
            new SubnetHyperparameters { Yuma3 = true, LiquidAlpha = true, MaxAllowedValidators = 64 }, TargetMs: null),
        new("epoch_ms_n4096_v64", "Yuma2 settings, no liquid alpha, dense", 4096, 64, WeightsPerValidator: null,
            new SubnetHyperparameters { MaxAllowedValidators = 64 }, TargetMs: 10),
        new("epoch_ms_n4096_v64_la", "Yuma3 + liquid alpha, dense", 4096, 64, WeightsPerValidator: null,
            new SubnetHyperparameters { Yuma3 = true, LiquidAlpha = true, MaxAllowedValidators = 64 }, TargetMs: 50),
        new("epoch_ms_n65536_v64_w32", "Yuma3 without liquid alpha, 32 weights per validator", 65536, 64, WeightsPerValidator: 32,
            new SubnetHyperparameters { Yuma3 = true, MaxAllowedValidators = 64 }, TargetMs: 100),
    ];

    /// <summary>Looks a scenario up by its metric name.</summary>
    public static BenchScenario Get(string metric)
    {
        foreach (BenchScenario s in All)
        {
            if (s.Metric == metric)
            {
                return s;
            }
        }
        throw new ArgumentException($"No pinned scenario named '{metric}'.", nameof(metric));
    }

    /// <summary>
    /// Builds the scenario's state: validators are uids 0..v−1 with stake and permits, every uid was
    /// registered at block 0, validators set their weights in the block before the epoch, and one
    /// epoch has already run so that the measured epoch starts from real bonds.
    /// </summary>
    public static SubnetState CreateState(BenchScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        Random random = new(1);
        int n = scenario.N;
        SubnetState state = new(n);
        for (int v = 0; v < scenario.Validators; v++)
        {
            // 1,000 to 100,000 TAO each, distinct with overwhelming probability.
            state.Stake[v] = (ulong)random.NextInt64(1_000_000_000_000, 100_000_000_000_000);
            state.ValidatorPermit[v] = true;
        }

        ushort[] uids = new ushort[scenario.WeightsPerValidator ?? n];
        ushort[] values = new ushort[uids.Length];
        for (int v = 0; v < scenario.Validators; v++)
        {
            if (scenario.WeightsPerValidator is null)
            {
                for (int j = 0; j < n; j++)
                {
                    uids[j] = (ushort)j;
                }
            }
            else
            {
                DistinctSortedUids(random, n, uids);
            }
            for (int k = 0; k < values.Length; k++)
            {
                values[k] = (ushort)random.Next(0, 65536);
            }
            state.SetWeightsUpscaled(v, SparseRow.Create(uids, values), Block - 1);
        }

        state.Apply(YumaEpoch.Run(state, scenario.Parameters, Block - scenario.Parameters.Tempo - 1, RaoEmission));
        return state;
    }

    private static void DistinctSortedUids(Random random, int n, ushort[] destination)
    {
        HashSet<int> picked = new(destination.Length);
        while (picked.Count < destination.Length)
        {
            picked.Add(random.Next(n));
        }
        int i = 0;
        foreach (int uid in picked)
        {
            destination[i++] = (ushort)uid;
        }
        Array.Sort(destination);
    }
}

/// <summary>One pinned benchmark scenario.</summary>
/// <param name="Metric">Its metric name in specs/benchmarks.md.</param>
/// <param name="Description">What it measures.</param>
/// <param name="N">Number of uids.</param>
/// <param name="Validators">Validators holding permits (uids 0..Validators−1).</param>
/// <param name="WeightsPerValidator">Weights per validator, or null for dense (every uid).</param>
/// <param name="Parameters">The subnet's hyperparameters.</param>
/// <param name="TargetMs">The target on a 2-core x64 machine, if any.</param>
public sealed record BenchScenario(string Metric, string Description, int N, int Validators, int? WeightsPerValidator,
    SubnetHyperparameters Parameters, double? TargetMs);
