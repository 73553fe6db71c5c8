// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.Epoch;
using Bittensor.Edge.Consensus.FixedPoint;
using FsCheck.Xunit;

namespace Bittensor.Edge.Consensus.Tests.FixedPoint;

public class I64F64AndI96F32Tests
{
    [Fact]
    public void Ratio_is_the_rounded_down_quotient_with_64_fraction_bits()
    {
        Assert.Equal((Int128)1 << 63, I64F64.Ratio(1, 2).Raw);
        Assert.Equal((Int128)1 << 64, I64F64.Ratio(5, 5).Raw);
        Assert.Equal((Int128)(((UInt128)1 << 64) / 3), I64F64.Ratio(1, 3).Raw);
        Assert.Throws<ArgumentOutOfRangeException>(() => I64F64.Ratio(1, 0));
    }

    [Fact]
    public void Alpha_fixed_of_the_default_moving_average_is_about_one_tenth()
    {
        // 2^32 - floor(0.9 * 2^32) = 4294967296 - 3865470566.
        Assert.Equal(429496730L, YumaEpoch.AlphaFixed(900_000));
        Assert.Equal(1L << 32, YumaEpoch.AlphaFixed(0));
        Assert.Equal(0L, YumaEpoch.AlphaFixed(1_000_000));
    }

    [Property(MaxTest = 2000)]
    public bool Stake_normalization_equals_the_I64F64_route(ulong[] stakes)
    {
        if (stakes.Length == 0)
        {
            return true;
        }

        ulong[] bounded = new ulong[stakes.Length];
        for (int i = 0; i < stakes.Length; i++)
        {
            bounded[i] = stakes[i] >> 8; // keeps the total below 2^63 for up to 128 entries
        }

        ulong total = 0;
        foreach (ulong s in bounded)
        {
            total += s;
        }

        long[] normalized = new long[bounded.Length];
        YumaEpoch.NormalizeStake(bounded, 0, -1, normalized);
        for (int i = 0; i < bounded.Length; i++)
        {
            long expected = total == 0 ? 0 : I64F64.Ratio(bounded[i], total).ToI32F32().Raw;
            if (normalized[i] != expected)
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void Stake_normalization_rejects_a_total_of_2_to_the_63()
    {
        long[] normalized = new long[2];
        Assert.Throws<ArgumentException>(() => YumaEpoch.NormalizeStake([1UL << 62, 1UL << 62], 0, -1, normalized));
        YumaEpoch.NormalizeStake([(1UL << 62) - 1, 1UL << 62], 0, -1, normalized);
        Assert.Equal(1L << 31, normalized[1]);
    }

    [Fact]
    public void Stake_threshold_zeroes_small_stakes_except_the_owner()
    {
        long[] normalized = new long[3];
        YumaEpoch.NormalizeStake([10, 5, 5], 6, 2, normalized);
        Assert.Equal([(10L << 32) / 15, 0, (5L << 32) / 15], normalized);
    }

    [Fact]
    public void I96F32_widening_multiplication_and_conversion()
    {
        I96F32 x = I96F32.FromI32F32(I32F32.Half).MulInt(3);
        Assert.Equal((Int128)3 << 31, x.Raw);
        Assert.Equal(1UL, x.ToU64());
        Assert.Equal(0UL, I96F32.FromI32F32(new I32F32(-1)).MulInt(5).ToU64());
        Assert.Equal(ulong.MaxValue, new I96F32(Int128.MaxValue).ToU64());
        Assert.Equal(Int128.MaxValue, new I96F32(Int128.MaxValue / 2).MulInt(3).Raw);
    }
}
