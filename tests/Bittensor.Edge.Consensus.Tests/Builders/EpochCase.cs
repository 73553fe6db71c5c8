// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.Epoch;
using FsCheck;
using FsCheck.Fluent;

namespace Bittensor.Edge.Consensus.Tests.Builders;

/// <summary>
/// A random valid epoch input (n ≤ 64): state, parameters, block and emission, built from a seed so that a failing
/// case is reported as its seed and can be rebuilt exactly.
/// </summary>
public sealed record EpochCase(int Seed, SubnetState State, SubnetHyperparameters Parameters, ulong Block, ulong RaoEmission)
{
    public EpochResult Run() => YumaEpoch.Run(State, Parameters, Block, RaoEmission);

    public override string ToString() =>
        $"EpochCase(seed {Seed}: n = {State.Count}, block {Block}, E = {RaoEmission}, {Parameters})";

    /// <summary>Builds a case; <paramref name="distinctSmallStakes"/> makes every stake distinct and below 2^25, so
    /// normalized stakes are distinct too (no permit ties that uid order would break).</summary>
    public static EpochCase Build(int seed, bool distinctSmallStakes = false)
    {
        Random random = new(seed);
        int n = random.Next(1, 65);
        SubnetState state = new(n);
        ulong block = (ulong)random.Next(0, 3000);
        HashSet<ulong> used = [];
        for (int i = 0; i < n; i++)
        {
            if (distinctSmallStakes)
            {
                ulong stake;
                do
                {
                    stake = (ulong)random.NextInt64(1, 1L << 25);
                }
                while (!used.Add(stake));
                state.Stake[i] = stake;
            }
            else
            {
                state.Stake[i] = random.Next(4) switch
                {
                    0 => 0,
                    1 => (ulong)random.NextInt64(1, 1000),
                    _ => (ulong)random.NextInt64(1, 1L << 56),
                };
            }

            state.BlockAtRegistration[i] = (ulong)random.NextInt64(0, (long)block + 1);
            state.LastUpdate[i] = state.BlockAtRegistration[i] + (ulong)random.NextInt64(0, (long)(block - state.BlockAtRegistration[i]) + 1);
            state.ValidatorPermit[i] = random.Next(3) > 0;
        }

        for (int i = 0; i < n; i++)
        {
            if (random.Next(5) < 3)
            {
                state.SetWeights(i, RandomRow(random, n, random.Next(1, 4) / 3.0 + 0.05));
            }

            if (random.Next(2) == 0)
            {
                state.SetBonds(i, RandomRow(random, n, 0.5));
            }
        }

        ushort alphaLow = (ushort)random.Next(1638, 65536);
        SubnetHyperparameters parameters = new()
        {
            Tempo = (ushort)random.Next(0, 400),
            Kappa = random.Next(3) == 0 ? (ushort)random.Next(0, 65536) : (ushort)32767,
            BondsPenalty = random.Next(3) switch { 0 => (ushort)0, 1 => (ushort)65535, _ => (ushort)random.Next(1, 65535) },
            BondsMovingAverage = (ulong)random.Next(0, 1_000_001),
            Yuma3 = random.Next(2) == 0,
            LiquidAlpha = random.Next(2) == 0,
            AlphaLow = alphaLow,
            AlphaHigh = (ushort)random.Next(alphaLow, 65536),
            AlphaSigmoidSteepness = (short)random.Next(-2000, 5000),
            MaxAllowedValidators = (ushort)random.Next(0, n + 4),
            ActivityCutoff = (ulong)random.Next(0, 3000),
            StakeThreshold = random.Next(3) == 0 ? (ulong)random.NextInt64(0, 1L << 40) : 0,
            OwnerUid = random.Next(3) == 0 ? random.Next(n) : null,
        };

        ulong emission = random.Next(3) switch
        {
            0 => 1_000_000_000,
            1 => (ulong)random.NextInt64(0, 1L << 40),
            _ => (ulong)random.NextInt64(long.MaxValue) * 2,
        };
        return new EpochCase(seed, state, parameters, block, emission);
    }

    private static SparseRow RandomRow(Random random, int n, double density)
    {
        List<(int, int)> entries = [];
        for (int j = 0; j < n; j++)
        {
            if (random.NextDouble() < density)
            {
                entries.Add((j, random.Next(5) == 0 ? 0 : random.Next(0, 65536)));
            }
        }

        return SparseRow.Create([.. entries]);
    }
}

/// <summary>FsCheck generators of <see cref="EpochCase"/>.</summary>
public static class EpochCaseArbitraries
{
    public static Arbitrary<EpochCase> Cases() =>
        Gen.Choose(0, int.MaxValue).Select(seed => EpochCase.Build(seed)).ToArbitrary();
}

/// <summary>FsCheck generators of <see cref="EpochCase"/> with distinct stakes below 2^25.</summary>
public static class DistinctStakeArbitraries
{
    public static Arbitrary<EpochCase> Cases() =>
        Gen.Choose(0, int.MaxValue).Select(seed => EpochCase.Build(seed, distinctSmallStakes: true)).ToArbitrary();
}
