// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Primitives;

namespace Bittensor.Edge.Chain.Tests.Execution;

public sealed class ArithmeticTests
{
    [Fact]
    public void From_a_tenth_of_a_tao_360_blocks_of_decay_give_0_049999863_tao()
    {
        ulong burn = ChainConstants.InitialBurn;
        for (int i = 0; i < 360; i++)
        {
            burn = WeightsMath.DecayBurn(burn, 500_000);
        }

        Assert.Equal(49_999_863UL, burn);
    }

    [Fact]
    public void Burn_decay_stops_at_the_minimum()
    {
        Assert.Equal(500_000UL, WeightsMath.DecayBurn(500_000, 500_000));
        Assert.Equal(500_000UL, WeightsMath.DecayBurn(500_001, 500_000));
    }

    [Fact]
    public void Burn_decay_uses_a_u128_product()
    {
        Assert.Equal((ulong)(((UInt128)ulong.MaxValue * 4_286_705_684) >> 32), WeightsMath.DecayBurn(ulong.MaxValue, 0));
    }

    [Theory]
    [InlineData(100_000_000UL, 100_000_000_000UL, 126_000_000UL)]
    [InlineData(99UL, 100_000_000_000UL, 124UL)]
    [InlineData(90_000_000_000UL, 100_000_000_000UL, 100_000_000_000UL)]
    public void A_registration_raises_the_burn_by_126_percent_up_to_the_maximum(ulong burn, ulong max, ulong expected)
    {
        Assert.Equal(expected, WeightsMath.RaiseBurn(burn, max));
    }

    [Fact]
    public void One_tao_splits_18_41_41_with_the_rounding_in_the_validator_pool()
    {
        (Rao owner, Rao server, Rao validator) = EmissionSplit.SplitBlockEmission(Rao.FromTao(1));

        Assert.Equal(179_995_422UL, owner.Value);
        Assert.Equal(410_002_288UL, server.Value);
        Assert.Equal(410_002_290UL, validator.Value);
        Assert.Equal(Rao.FromTao(1), owner + server + validator);
    }

    [Theory]
    [InlineData(1, 1_000_000_000UL, 1_000_000_000UL)]
    [InlineData(3, 333_333_333UL, 333_333_334UL)]
    [InlineData(7, 142_857_142UL, 142_857_148UL)]
    public void The_block_mint_is_shared_equally_with_the_remainder_to_the_lowest_netuid(int subnets, ulong share, ulong first)
    {
        (Rao each, Rao lowest) = EmissionSplit.ShareBlockEmission(subnets);

        Assert.Equal(share, each.Value);
        Assert.Equal(first, lowest.Value);
        Assert.Equal(ChainConstants.BlockEmission, (each.Value * (ulong)(subnets - 1)) + lowest.Value);
    }

    [Fact]
    public void The_validator_pool_is_shared_by_share_and_the_remainder_is_carried()
    {
        Rao[] amounts = EmissionSplit.SplitValidatorPool(new Rao(100), [1, 1, 1], out Rao carried);

        Assert.Equal([new Rao(33), new Rao(33), new Rao(33)], amounts);
        Assert.Equal(new Rao(1), carried);
    }

    [Fact]
    public void With_no_validator_shares_the_whole_pool_is_carried()
    {
        Rao[] amounts = EmissionSplit.SplitValidatorPool(new Rao(100), [0, 0], out Rao carried);

        Assert.All(amounts, a => Assert.True(a.IsZero));
        Assert.Equal(new Rao(100), carried);
    }

    [Theory]
    [InlineData(new ushort[] { 43690, 21845 }, new ushort[] { 65535, 32768 })]
    [InlineData(new ushort[] { 32767, 0, 32767 }, new ushort[] { 65535, 0, 65535 })]
    [InlineData(new ushort[] { 0, 0 }, new ushort[] { 0, 0 })]
    [InlineData(new ushort[] { 1 }, new ushort[] { 65535 })]
    [InlineData(new ushort[] { 65535, 1 }, new ushort[] { 65535, 1 })]
    public void Weights_are_max_upscaled_with_the_fixed_point_rule(ushort[] values, ushort[] expected)
    {
        WeightsMath.MaxUpscale(values);

        Assert.Equal(expected, values);
    }

    [Theory]
    [InlineData(1, 0, 0, true)]
    [InlineData(1, 0, 2, true)]
    [InlineData(1, 1, 1, true)]
    [InlineData(1, 1, 2, false)]
    [InlineData(100, 0, 99, true)]
    [InlineData(100, 0, 200, true)]
    [InlineData(100, 1, 98, true)]
    [InlineData(100, 1, 199, true)]
    [InlineData(100, 1, 99, false)]
    [InlineData(0, 1, 0, false)]
    public void Epochs_run_on_subtensors_schedule(ushort tempo, ushort netuid, ulong block, bool runs)
    {
        Assert.Equal(runs, WeightsMath.IsEpochBlock(block, netuid, tempo));
    }

    [Theory]
    [InlineData(10, 1, 0)]
    [InlineData(10, 1, 8)]
    [InlineData(10, 1, 9)]
    [InlineData(100, 0, 150)]
    [InlineData(360, 3, 12345)]
    public void The_next_epoch_block_is_the_first_scheduled_block_from_now(ushort tempo, ushort netuid, ulong block)
    {
        ulong next = WeightsMath.NextEpochBlock(block, netuid, tempo)!.Value;

        Assert.True(next >= block);
        Assert.True(WeightsMath.IsEpochBlock(next, netuid, tempo));
        for (ulong b = block; b < next; b++)
        {
            Assert.False(WeightsMath.IsEpochBlock(b, netuid, tempo));
        }
    }

    [Theory]
    [InlineData(10, 1, 5, 1)]
    [InlineData(10, 1, 9, 1)]
    [InlineData(10, 2, 30, 2)]
    [InlineData(360, 1, 1000, 1)]
    public void The_reveal_window_is_exactly_the_blocks_of_the_reveal_epoch(ushort tempo, ushort netuid, ulong commitBlock, ulong period)
    {
        (ulong first, ulong last) = WeightsMath.RevealWindow(commitBlock, netuid, tempo, period);
        ulong target = WeightsMath.EpochIndex(commitBlock, netuid, tempo) + period;

        Assert.Equal(target, WeightsMath.EpochIndex(first, netuid, tempo));
        Assert.Equal(target, WeightsMath.EpochIndex(last, netuid, tempo));
        Assert.Equal(target - 1, WeightsMath.EpochIndex(first - 1, netuid, tempo));
        Assert.Equal(target + 1, WeightsMath.EpochIndex(last + 1, netuid, tempo));
    }
}
