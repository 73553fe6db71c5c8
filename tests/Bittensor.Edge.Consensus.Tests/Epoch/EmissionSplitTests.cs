// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.Epoch;
using Bittensor.Edge.Consensus.FixedPoint;
using FsCheck.Xunit;

namespace Bittensor.Edge.Consensus.Tests.Epoch;

public class EmissionSplitTests
{
    [Fact]
    public void Owner_cut_is_11796_over_65535_with_32_fraction_bits() => Assert.Equal(773074452UL, EmissionSplit.OwnerCutRaw);

    [Theory]
    // Worked by hand from §8: owner = floor(a * cut / 2^32), server = floor(((a << 32) - a * cut) / 2 / 2^32).
    [InlineData(1_000_000_000UL, 179995422UL, 410002288UL, 410002290UL)]
    [InlineData(1UL, 0UL, 0UL, 1UL)]
    [InlineData(7UL, 1UL, 2UL, 4UL)]
    [InlineData(ulong.MaxValue, 3320329488713121791UL, 7563207292498214911UL, 7563207292498214913UL)]
    public void Block_split_matches_the_spec_arithmetic(ulong amount, ulong owner, ulong server, ulong validator) =>
        Assert.Equal(new BlockEmissionSplit(owner, server, validator), EmissionSplit.SplitBlock(amount));

    [Property(MaxTest = 2000)]
    public bool Block_split_conserves_the_amount_and_favours_validators_by_at_most_two_rao(ulong amount)
    {
        BlockEmissionSplit split = EmissionSplit.SplitBlock(amount);
        UInt128 total = (UInt128)split.Owner + split.Server + split.Validator;
        return total == amount && split.Validator >= split.Server && split.Validator - split.Server <= 2;
    }

    [Fact]
    public void Validators_share_what_miners_leave_and_the_floor_remainder_is_carried()
    {
        ulong[] server = [0, 0, 400];
        I32F32[] shares = [new(1), new(1), new(1)];
        ulong[] amounts = new ulong[3];
        // V = 1000 - 400 = 600, split in thirds exactly.
        Assert.Equal(0UL, EmissionSplit.PayValidators(1000, server, shares, amounts));
        Assert.Equal([200UL, 200, 200], amounts);

        // V = 601: 200 each, 1 rao carried.
        Assert.Equal(1UL, EmissionSplit.PayValidators(1001, server, shares, amounts));
        Assert.Equal([200UL, 200, 200], amounts);
    }

    [Fact]
    public void Without_validator_shares_the_whole_pool_is_carried()
    {
        ulong[] amounts = [9, 9];
        Assert.Equal(700UL, EmissionSplit.PayValidators(1000, [300, 0], [I32F32.Zero, I32F32.Zero], amounts));
        Assert.Equal([0UL, 0], amounts);
    }

    [Fact]
    public void Payout_uses_128_bit_products()
    {
        ulong[] amounts = new ulong[2];
        ulong carried = EmissionSplit.PayValidators(ulong.MaxValue, [0, 0], [new(3L << 32), new(1L << 32)], amounts);
        Assert.Equal((ulong)((UInt128)ulong.MaxValue * 3 / 4), amounts[0]);
        Assert.Equal(ulong.MaxValue / 4, amounts[1]);
        Assert.Equal(ulong.MaxValue - amounts[0] - amounts[1], carried);
    }

    [Fact]
    public void Payout_rejects_inconsistent_inputs()
    {
        ulong[] amounts = new ulong[1];
        Assert.Throws<ArgumentException>(() => EmissionSplit.PayValidators(10, [11], [I32F32.One], amounts));
        Assert.Throws<ArgumentException>(() => EmissionSplit.PayValidators(10, [], [new(-1)], amounts));
        Assert.Throws<ArgumentException>(() => EmissionSplit.PayValidators(10, [], [I32F32.One, I32F32.One], amounts));
    }
}
