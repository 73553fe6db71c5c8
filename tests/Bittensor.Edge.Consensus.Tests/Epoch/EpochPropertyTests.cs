// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.Epoch;
using Bittensor.Edge.Consensus.Tests.Builders;
using FsCheck.Xunit;

namespace Bittensor.Edge.Consensus.Tests.Epoch;

/// <summary>Invariants of the epoch on random valid states (n ≤ 64), per <c>specs/consensus.md</c> §3.</summary>
public class EpochPropertyTests
{
    [Property(Arbitrary = [typeof(EpochCaseArbitraries)], MaxTest = 300)]
    public void Normalized_outputs_sum_to_at_most_one(EpochCase c)
    {
        EpochResult r = c.Run();
        // Each is u16 of a vector normalized to sum <= 1; flooring can only lower the sum.
        Assert.True(Sum(r.StakeWeight) <= 65535, "stake_weight");
        Assert.True(Sum(r.Incentive) <= 65535, "incentive");
        Assert.True(Sum(r.Dividends) <= 65535, "dividends");
    }

    [Property(Arbitrary = [typeof(EpochCaseArbitraries)], MaxTest = 300)]
    public void Outputs_are_consistent_with_each_other(EpochCase c)
    {
        EpochResult r = c.Run();
        int owner = c.Parameters.OwnerUid ?? -1;
        int permits = 0;
        for (int i = 0; i < r.Count; i++)
        {
            bool oldPermit = c.State.ValidatorPermit[i] || i == owner;
            // Step 5a: rows of uids without an old permit are emptied, so they cannot trust anything.
            Assert.True(oldPermit || r.ValidatorTrust[i] == 0, $"vtrust of uid {i} without a permit");
            // Step 14: only uids with a new permit store bonds.
            Assert.True(r.ValidatorPermit[i] || r.Bonds[i].Count == 0, $"bonds of uid {i} without a new permit");
            // Step 13: ce >= se + ve entry by entry, and rao() is superadditive.
            Assert.True((UInt128)r.ServerEmission[i] + r.ValidatorEmission[i] <= r.Emission[i], $"emission parts of uid {i}");
            // Step 12 (Yuma3): D_i = mul(t_i, A_i), so dividends need active stake: active, an old permit and stake.
            if (c.Parameters.Yuma3 && r.Dividends[i] > 0)
            {
                Assert.True(r.Active[i] && oldPermit && c.State.Stake[i] > 0, $"Yuma3 dividends of uid {i}");
            }

            permits += r.ValidatorPermit[i] ? 1 : 0;
            // Step 3: new permits go to non-zero stake that passed the threshold (and the owner).
            Assert.True(
                !r.ValidatorPermit[i] || i == owner || (c.State.Stake[i] > 0 && c.State.Stake[i] >= c.Parameters.StakeThreshold),
                $"new permit of uid {i} without counted stake");
        }

        Assert.True(permits <= c.Parameters.MaxAllowedValidators + (owner >= 0 ? 1 : 0), "too many permits");
    }

    [Property(Arbitrary = [typeof(EpochCaseArbitraries)], MaxTest = 300)]
    public void Emission_sums_to_E_less_a_rounding_bound_when_some_stake_counts(EpochCase c)
    {
        EpochResult r = c.Run();
        UInt128 total = 0;
        foreach (ulong e in r.Emission)
        {
            total += e;
        }

        int owner = c.Parameters.OwnerUid ?? -1;
        bool someStake = false;
        for (int i = 0; i < r.Count; i++)
        {
            someStake |= c.State.Stake[i] > 0 && (c.State.Stake[i] >= c.Parameters.StakeThreshold || i == owner);
        }

        Assert.True(total <= c.RaoEmission, $"emitted {total} of {c.RaoEmission}");
        if (!someStake)
        {
            Assert.Equal(UInt128.Zero, total);
            return;
        }

        // The shares ce sum to at least 2^32 - n raw (n truncating divisions), and each rao() floor loses < 1 rao:
        // total > E - n * E / 2^32 - n.
        UInt128 n = (UInt128)r.Count;
        UInt128 loss = n + ((n * c.RaoEmission) >> 32) + 1;
        UInt128 lower = c.RaoEmission > loss ? c.RaoEmission - loss : 0;
        Assert.True(total >= lower, $"emitted {total} of {c.RaoEmission}, below {lower}");
    }

    [Property(Arbitrary = [typeof(DistinctStakeArbitraries)], MaxTest = 200)]
    public void Relabelling_uids_relabels_every_output(EpochCase c, int permutationSeed)
    {
        int n = c.State.Count;
        int[] to = [.. Enumerable.Range(0, n)];
        new Random(permutationSeed).Shuffle(to);
        SubnetState permuted = new(n);
        for (int i = 0; i < n; i++)
        {
            int k = to[i];
            permuted.Stake[k] = c.State.Stake[i];
            permuted.BlockAtRegistration[k] = c.State.BlockAtRegistration[i];
            permuted.LastUpdate[k] = c.State.LastUpdate[i];
            permuted.ValidatorPermit[k] = c.State.ValidatorPermit[i];
            permuted.SetWeights(k, Relabel(c.State.GetWeights(i), to));
            permuted.SetBonds(k, Relabel(c.State.GetBonds(i), to));
        }

        SubnetHyperparameters parameters = c.Parameters with { OwnerUid = c.Parameters.OwnerUid is int o ? to[o] : null };
        EpochResult a = c.Run();
        EpochResult b = YumaEpoch.Run(permuted, parameters, c.Block, c.RaoEmission);
        for (int i = 0; i < n; i++)
        {
            int k = to[i];
            Assert.Equal(a.Active[i], b.Active[k]);
            Assert.Equal(a.StakeWeight[i], b.StakeWeight[k]);
            Assert.Equal(a.Consensus[i], b.Consensus[k]);
            Assert.Equal(a.Incentive[i], b.Incentive[k]);
            Assert.Equal(a.Dividends[i], b.Dividends[k]);
            Assert.Equal(a.ValidatorTrust[i], b.ValidatorTrust[k]);
            Assert.Equal(a.ValidatorPermit[i], b.ValidatorPermit[k]);
            Assert.Equal(a.Emission[i], b.Emission[k]);
            Assert.Equal(a.ServerEmission[i], b.ServerEmission[k]);
            Assert.Equal(a.ValidatorEmission[i], b.ValidatorEmission[k]);
            Assert.Equal(Relabel(a.Bonds[i], to), b.Bonds[k]);
        }
    }

    [Property(Arbitrary = [typeof(EpochCaseArbitraries)], MaxTest = 100)]
    public void Same_inputs_give_the_same_outputs_sequentially_and_in_parallel(EpochCase c)
    {
        EpochResult first = c.Run();
        EpochResult second = c.Run();
        EpochResult[] parallel = new EpochResult[4];
        Parallel.For(0, parallel.Length, k => parallel[k] = c.Run());
        AssertSame(first, second);
        foreach (EpochResult r in parallel)
        {
            AssertSame(first, r);
        }
    }

    private static void AssertSame(EpochResult a, EpochResult b)
    {
        Assert.Equal(a.Active.ToArray(), b.Active.ToArray());
        Assert.Equal(a.StakeWeight.ToArray(), b.StakeWeight.ToArray());
        Assert.Equal(a.Consensus.ToArray(), b.Consensus.ToArray());
        Assert.Equal(a.Incentive.ToArray(), b.Incentive.ToArray());
        Assert.Equal(a.Dividends.ToArray(), b.Dividends.ToArray());
        Assert.Equal(a.ValidatorTrust.ToArray(), b.ValidatorTrust.ToArray());
        Assert.Equal(a.ValidatorPermit.ToArray(), b.ValidatorPermit.ToArray());
        Assert.Equal(a.Emission.ToArray(), b.Emission.ToArray());
        Assert.Equal(a.ServerEmission.ToArray(), b.ServerEmission.ToArray());
        Assert.Equal(a.ValidatorEmission.ToArray(), b.ValidatorEmission.ToArray());
        Assert.Equal(a.ValidatorShare.ToArray(), b.ValidatorShare.ToArray());
        Assert.Equal(a.Bonds.ToArray(), b.Bonds.ToArray());
    }

    private static SparseRow Relabel(SparseRow row, int[] to)
    {
        (int, int)[] entries = new (int, int)[row.Count];
        for (int t = 0; t < row.Count; t++)
        {
            entries[t] = (to[row.Uids[t]], row.Values[t]);
        }

        Array.Sort(entries);
        return SparseRow.Create(entries);
    }

    private static long Sum(ReadOnlySpan<ushort> values)
    {
        long sum = 0;
        foreach (ushort v in values)
        {
            sum += v;
        }

        return sum;
    }
}
