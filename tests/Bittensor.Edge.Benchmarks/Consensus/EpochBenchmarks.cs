// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using BenchmarkDotNet.Attributes;
using Bittensor.Edge.Consensus.Benchmarks;
using Bittensor.Edge.Consensus.Epoch;

namespace Bittensor.Edge.Benchmarks.Consensus;

/// <summary>
/// One Yuma epoch on each pinned scenario of specs/benchmarks.md. The baseline is one pass that
/// reads every stored weight once, so the ratio says how many such passes an epoch costs.
/// </summary>
[MemoryDiagnoser]
public class EpochBenchmarks
{
    private SubnetState _state = null!;
    private BenchScenario _scenario = null!;

    /// <summary>The metric name of the scenario.</summary>
    [Params("epoch_ms_n256_v64", "epoch_ms_n4096_v64", "epoch_ms_n4096_v64_la", "epoch_ms_n65536_v64_w32")]
    public string Scenario { get; set; } = "";

    /// <summary>Builds the scenario (seed 1) and runs its first epoch.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _scenario = BenchScenarios.Get(Scenario);
        _state = BenchScenarios.CreateState(_scenario);
    }

    /// <summary>Reads every weight once: the floor any epoch pays.</summary>
    [Benchmark(Baseline = true)]
    public long WeightPass()
    {
        long sum = 0;
        for (int uid = 0; uid < _state.Count; uid++)
        {
            foreach (ushort value in _state.GetWeights(uid).Values)
            {
                sum += value;
            }
        }
        return sum;
    }

    /// <summary>One full epoch.</summary>
    [Benchmark]
    public EpochResult Epoch() => YumaEpoch.Run(_state, _scenario.Parameters, BenchScenarios.Block, BenchScenarios.RaoEmission);
}
