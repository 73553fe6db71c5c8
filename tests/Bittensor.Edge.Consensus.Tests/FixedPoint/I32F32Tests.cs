// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.FixedPoint;
using FsCheck.Xunit;

namespace Bittensor.Edge.Consensus.Tests.FixedPoint;

public class I32F32Tests
{
    private const long One = 1L << 32;

    private static I32F32 Raw(long raw) => new(raw);

    [Fact]
    public void Addition_and_subtraction_saturate_at_the_range_ends()
    {
        Assert.Equal(I32F32.MaxValue, I32F32.MaxValue + Raw(1));
        Assert.Equal(I32F32.MinValue, I32F32.MinValue + Raw(-1));
        Assert.Equal(I32F32.MinValue, I32F32.MinValue - Raw(1));
        Assert.Equal(I32F32.MaxValue, I32F32.MaxValue - Raw(-1));
        Assert.Equal(I32F32.MaxValue, Raw(0) - I32F32.MinValue);
        Assert.Equal(Raw(3 * One / 2), I32F32.One + I32F32.Half);
        Assert.Equal(Raw(-One / 2), I32F32.Half - I32F32.One);
    }

    [Fact]
    public void Mul_rounds_toward_minus_infinity()
    {
        Assert.Equal(Raw(One / 4), I32F32.Half * I32F32.Half);
        // 2^-32 * 0.5 = 2^-33: floor gives 0 for the positive product and -2^-32 for the negative one.
        Assert.Equal(Raw(0), Raw(1) * I32F32.Half);
        Assert.Equal(Raw(-1), Raw(-1) * I32F32.Half);
        Assert.Equal(Raw(-3 * One), I32F32.FromInt(-3) * I32F32.One);
    }

    [Fact]
    public void Mul_saturates_instead_of_wrapping()
    {
        Assert.Equal(I32F32.MaxValue, I32F32.MaxValue * I32F32.FromInt(2));
        Assert.Equal(I32F32.MinValue, I32F32.MaxValue * I32F32.FromInt(-2));
        Assert.Equal(I32F32.MaxValue, I32F32.MinValue * I32F32.MinValue);
        Assert.Equal(I32F32.MinValue, I32F32.MinValue * I32F32.One);
        // 2^31 * 2^31 = 2^62 as a value does not fit; 2^15 * 2^15 = 2^30 does.
        Assert.Equal(I32F32.MaxValue, I32F32.FromInt(1 << 16) * I32F32.FromInt(1 << 16));
        Assert.Equal(I32F32.FromInt(1 << 30), I32F32.FromInt(1 << 15) * I32F32.FromInt(1 << 15));
    }

    [Property(Arbitrary = [typeof(RawArbitraries)], MaxTest = 3000)]
    public bool Mul_equals_the_saturated_128_bit_product_shifted_right(long a, long b)
    {
        Int128 reference = ((Int128)a * b) >> 32;
        long expected = reference > long.MaxValue ? long.MaxValue : reference < long.MinValue ? long.MinValue : (long)reference;
        return I32F32.Mul(Raw(a), Raw(b)).Raw == expected;
    }

    [Fact]
    public void Safe_div_returns_zero_for_a_zero_divisor_and_for_an_out_of_range_quotient()
    {
        Assert.Equal(I32F32.Zero, I32F32.SafeDiv(I32F32.One, I32F32.Zero));
        Assert.Equal(I32F32.Zero, I32F32.SafeDiv(I32F32.MaxValue, Raw(1)));
        Assert.Equal(I32F32.Zero, I32F32.SafeDiv(I32F32.MinValue, Raw(-1)));
        Assert.Equal(I32F32.Zero, I32F32.SafeDiv(I32F32.FromInt(1 << 30), Raw(One / 4)));
        Assert.Equal(Raw(One / 2), I32F32.SafeDiv(I32F32.One, I32F32.FromInt(2)));
        // 1/3 = 0x55555555 truncated; -1/3 truncates toward zero, not toward minus infinity.
        Assert.Equal(Raw(0x55555555), I32F32.SafeDiv(I32F32.One, I32F32.FromInt(3)));
        Assert.Equal(Raw(-0x55555555), I32F32.SafeDiv(I32F32.FromInt(-1), I32F32.FromInt(3)));
        Assert.Equal(Raw(-0x55555555), I32F32.SafeDiv(I32F32.One, I32F32.FromInt(-3)));
    }

    [Property(Arbitrary = [typeof(RawArbitraries)], MaxTest = 3000)]
    public bool U16_equals_the_floor_of_the_saturated_128_bit_product_clamped(long a)
    {
        Int128 product = ((Int128)a * ((Int128)65535 << 32)) >> 32;
        long saturated = product > long.MaxValue ? long.MaxValue : product < long.MinValue ? long.MinValue : (long)product;
        long floor = saturated >> 32;
        ushort expected = floor <= 0 ? (ushort)0 : floor >= 65535 ? (ushort)65535 : (ushort)floor;
        return Raw(a).ToU16() == expected;
    }

    [Property(Arbitrary = [typeof(RawArbitraries)], MaxTest = 3000)]
    public bool Safe_div_equals_the_truncated_128_bit_quotient_or_zero(long a, long b)
    {
        long expected = 0;
        if (b != 0)
        {
            Int128 q = ((Int128)a << 32) / b;
            expected = q > long.MaxValue || q < long.MinValue ? 0 : (long)q;
        }

        return I32F32.SafeDiv(Raw(a), Raw(b)).Raw == expected;
    }

    [Property(Arbitrary = [typeof(RawArbitraries)], MaxTest = 3000)]
    public bool Saturating_div_equals_the_truncated_128_bit_quotient_clamped(long a, long b)
    {
        if (b == 0)
        {
            return true;
        }

        Int128 q = ((Int128)a << 32) / b;
        long expected = q > long.MaxValue ? long.MaxValue : q < long.MinValue ? long.MinValue : (long)q;
        return I32F32.SaturatingDiv(Raw(a), Raw(b)).Raw == expected;
    }

    [Fact]
    public void Saturating_div_saturates_and_rejects_a_zero_divisor()
    {
        Assert.Equal(I32F32.MaxValue, I32F32.SaturatingDiv(I32F32.MaxValue, Raw(1)));
        Assert.Equal(I32F32.MinValue, I32F32.SaturatingDiv(I32F32.MaxValue, Raw(-1)));
        Assert.Equal(I32F32.FromInt(-10), I32F32.SaturatingDiv(I32F32.FromInt(1000), I32F32.FromInt(-100)));
        Assert.Throws<DivideByZeroException>(() => I32F32.SaturatingDiv(I32F32.One, I32F32.Zero));
    }

    [Fact]
    public void Fix_floor_and_round_follow_the_spec()
    {
        Assert.Equal(7L << 32, I32F32.FromInt(7).Raw);
        Assert.Equal(I32F32.MaxValue, I32F32.FromInt(1L << 40));
        Assert.Equal(I32F32.MinValue, I32F32.FromInt(-(1L << 40)));
        Assert.Equal(-1, Raw(-1).Floor());
        Assert.Equal(2, Raw(2 * One + One - 1).Floor());
        Assert.Equal(1, I32F32.Half.Round());
        Assert.Equal(2, Raw(One + One / 2).Round());
        Assert.Equal(1, Raw(One + One / 2 - 1).Round());
        Assert.Equal(-1, Raw(-One / 2).Round());
        Assert.Equal(0, Raw(-One / 2 + 1).Round());
        Assert.Equal(1L << 31, I32F32.MaxValue.Round());
        Assert.Equal(-(1L << 31), I32F32.MinValue.Round());
    }

    [Fact]
    public void Prop_maps_u16_ratios_onto_proportions()
    {
        Assert.Equal(I32F32.Zero, I32F32.Prop(0));
        Assert.Equal(I32F32.One, I32F32.Prop(65535));
        Assert.Equal((32767L << 32) / 65535, I32F32.Prop(32767).Raw);
        Assert.Equal(I32F32.SafeDiv(I32F32.FromInt(12345), I32F32.FromInt(65535)), I32F32.Prop(12345));
    }

    [Fact]
    public void U16_floors_and_clamps()
    {
        Assert.Equal(65535, I32F32.One.ToU16());
        Assert.Equal(65535, I32F32.FromInt(3).ToU16());
        Assert.Equal(65535, I32F32.MaxValue.ToU16());
        Assert.Equal(0, Raw(-1).ToU16());
        Assert.Equal(0, I32F32.MinValue.ToU16());
        Assert.Equal(32767, I32F32.Half.ToU16());
        Assert.Equal(65534, Raw(One - 1).ToU16());
    }

    [Property(MaxTest = 2000)]
    public bool U16_of_prop_loses_one_except_at_the_ends(ushort value) =>
        // 2^32 = 1 (mod 65535), so prop(v) * 65535 = v * 2^32 - v: the floor is v - 1 for 0 < v < 65535.
        I32F32.Prop(value).ToU16() == (value is 0 or 65535 ? value : value - 1);

    [Fact]
    public void Rao_rounds_down_and_clamps()
    {
        // consensus.md §1: a share of 0.275 of 10^9 gives 274999999.
        Assert.Equal(274999999UL, Raw(1181116006).ToRao(1_000_000_000));
        Assert.Equal(1_000_000_000UL, I32F32.One.ToRao(1_000_000_000));
        Assert.Equal(0UL, Raw(-1).ToRao(1_000_000_000));
        Assert.Equal(0UL, I32F32.Half.ToRao(1));
        Assert.Equal(ulong.MaxValue, I32F32.MaxValue.ToRao(ulong.MaxValue));
        Assert.Equal(ulong.MaxValue, I32F32.FromInt(2).ToRao(ulong.MaxValue));
        Assert.Equal(ulong.MaxValue, I32F32.One.ToRao(ulong.MaxValue));
    }

    [Property(Arbitrary = [typeof(RawArbitraries)], MaxTest = 2000)]
    public bool Rao_equals_the_I96F32_product(long share, long amount)
    {
        ulong e = unchecked((ulong)amount);
        return Raw(share).ToRao(e) == I96F32.FromI32F32(Raw(share)).MulInt(e).ToU64();
    }

    [Fact]
    public void Sum_saturates()
    {
        // Saturation happens at each step, in order: MAX + 1 stays MAX, then -5 applies.
        Assert.Equal(Raw(long.MaxValue - 5), I32F32.Sum([I32F32.MaxValue, I32F32.One, Raw(-5)]));
        Assert.Equal(I32F32.MaxValue, I32F32.Sum([Raw(-5), I32F32.MaxValue, I32F32.One]));
        Assert.Equal(I32F32.FromInt(2), I32F32.Sum([I32F32.One, I32F32.Half, I32F32.Half]));
    }

    [Fact]
    public void Comparisons_and_min_max_use_raw_values()
    {
        Assert.True(I32F32.Half < I32F32.One);
        Assert.True(I32F32.MinValue <= I32F32.Zero);
        Assert.Equal(I32F32.Half, I32F32.Min(I32F32.One, I32F32.Half));
        Assert.Equal(I32F32.One, I32F32.Max(I32F32.One, I32F32.Half));
        // Clamp applies the upper bound first, so crossed bounds yield the lower one (§3.12's sigmoid clamp).
        Assert.Equal(I32F32.One, I32F32.Clamp(I32F32.Zero, I32F32.One, I32F32.Half));
    }

    [Fact]
    public void ToString_prints_the_exact_decimal_value()
    {
        Assert.Equal("0.5", I32F32.Half.ToString());
        Assert.Equal("-1.25", Raw(-(One + One / 4)).ToString());
        Assert.Equal("0.00000000023283064365386962890625", Raw(1).ToString());
        Assert.Equal("-2147483648", I32F32.MinValue.ToString());
    }
}
