// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.Epoch;

namespace Bittensor.Edge.Consensus.Tests.Epoch;

/// <summary>The parallel row and column passes give exactly the sequential result (on inputs big enough to use them).</summary>
public class ParallelEpochTests
{
    [Theory]
    [InlineData(false, false, 65535)]
    [InlineData(true, false, 65535)]
    [InlineData(true, true, 65535)]
    [InlineData(false, false, 20000)]
    [InlineData(true, true, 0)]
    public void Parallel_passes_equal_the_sequential_epoch(bool yuma3, bool liquidAlpha, int bondsPenalty)
    {
        SubnetState state = LargeState(n: 1500, validators: 48, seed: 7);
        SubnetHyperparameters parameters = SubnetHyperparameters.ReplayDefaults with
        {
            Yuma3 = yuma3,
            LiquidAlpha = liquidAlpha,
            BondsPenalty = (ushort)bondsPenalty,
        };

        // Two epochs, so the second starts from bonds in every column.
        for (int epoch = 0; epoch < 2; epoch++)
        {
            EpochResult sequential = YumaEpoch.RunCore(state, parameters, 1000, 1_000_000_000, default, parallel: false);
            EpochResult parallel = YumaEpoch.RunCore(state, parameters, 1000, 1_000_000_000, default, parallel: true);
            Assert.Equal(sequential.Consensus.ToArray(), parallel.Consensus.ToArray());
            Assert.Equal(sequential.Incentive.ToArray(), parallel.Incentive.ToArray());
            Assert.Equal(sequential.ValidatorTrust.ToArray(), parallel.ValidatorTrust.ToArray());
            Assert.Equal(sequential.Dividends.ToArray(), parallel.Dividends.ToArray());
            Assert.Equal(sequential.Emission.ToArray(), parallel.Emission.ToArray());
            Assert.Equal(sequential.ValidatorEmission.ToArray(), parallel.ValidatorEmission.ToArray());
            Assert.Equal(sequential.Bonds.ToArray(), parallel.Bonds.ToArray());
            Assert.Contains(sequential.Consensus.ToArray(), c => c > 0);
            state.Apply(parallel);
        }
    }

    private static SubnetState LargeState(int n, int validators, int seed)
    {
        Random random = new(seed);
        SubnetState state = new(n);
        for (int i = 0; i < n; i++)
        {
            state.LastUpdate[i] = 999;
            // Every seventh miner registered after the validators' weights: those entries are masked (step 5c),
            // so rows keep fewer entries than they store and the parallel compaction has gaps to close.
            state.BlockAtRegistration[i] = i >= validators && i % 7 == 0 ? 999UL : 0UL;
        }

        for (int i = 0; i < validators; i++)
        {
            state.Stake[i] = (ulong)random.NextInt64(1, 1L << 50);
            state.ValidatorPermit[i] = true;
            ushort[] uids = new ushort[n];
            ushort[] values = new ushort[n];
            for (int j = 0; j < n; j++)
            {
                uids[j] = (ushort)j;
                values[j] = (ushort)random.Next(0, 65536);
            }

            state.SetWeights(i, SparseRow.Create(uids, values));
        }

        return state;
    }
}
