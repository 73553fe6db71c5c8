// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.FixedPoint;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Bittensor.Edge.Consensus.Tests.FixedPoint;

public class ExpTests
{
    private const long One = 1L << 32;
    private const long Twenty = 20L << 32;

    [Fact]
    public void Exp_of_zero_is_one_and_exp_of_one_is_e_truncated_to_23_bits()
    {
        Assert.Equal(I32F32.One, I32F32.Exp(I32F32.Zero));
        Assert.Equal(22802600L << 9, I32F32.Exp(I32F32.One).Raw);
    }

    [Theory]
    [InlineData(2L << 32, "7.38905609893065")]
    [InlineData(-(2L << 32), "0.1353352832366127")]
    [InlineData(5L << 32, "148.4131591025766")]
    [InlineData(-(1L << 32), "0.36787944117144233")]
    // At |x| = 20 the series cut after x^31 is 0.8 % short of e^20 (485165195.41): sum_{k<=31} 20^k/k!.
    [InlineData(20L << 32, "481239357.67419165")]
    [InlineData(-(20L << 32), "0.000000002077968029948663")]
    public void Exp_is_close_to_the_truncated_taylor_series(long raw, string expectedText)
    {
        // A sanity bound only (1e-6 relative, or the 2^-32 resolution); exactness comes from the reference
        // comparison below.
        decimal expected = decimal.Parse(expectedText, System.Globalization.CultureInfo.InvariantCulture);
        decimal value = I32F32.Exp(new I32F32(raw)).Raw / 4294967296m;
        decimal tolerance = Math.Max(expected * 0.000001m, 0.0000000005m);
        Assert.InRange(value, expected - tolerance, expected + tolerance);
    }

    [Property(Arbitrary = [typeof(ExpArbitraries)], MaxTest = 5000)]
    public bool Unrolled_exp_with_early_exit_equals_the_full_31_term_loop(long x) =>
        FixedExp.ExpRaw(x) == FixedExp.ExpRawReference(x);

    [Fact]
    public void Unrolled_exp_equals_the_full_loop_at_the_edges_and_on_a_grid()
    {
        long[] edges = [Twenty, -Twenty, Twenty - 1, -Twenty + 1, 1, -1, One - 1, One + 1, -One, One / 2, -One / 2];
        foreach (long x in edges)
        {
            Assert.Equal(FixedExp.ExpRawReference(x), FixedExp.ExpRaw(x));
        }

        for (long x = -Twenty; x <= Twenty; x += One / 64 + 12345)
        {
            Assert.Equal(FixedExp.ExpRawReference(x), FixedExp.ExpRaw(x));
        }
    }

    [Fact]
    public void Exp_rejects_arguments_outside_the_clamped_range()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => I32F32.Exp(new I32F32(Twenty + 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => I32F32.Exp(new I32F32(-Twenty - 1)));
    }

    public static class ExpArbitraries
    {
        public static Arbitrary<long> RawValues() =>
            Gen.Frequency(
                    (4, Gen.Zip(Gen.Choose(-20, 19), Gen.Choose(int.MinValue, int.MaxValue)).Select(t => ((long)t.Item1 << 32) + (uint)t.Item2)),
                    (2, Gen.Choose(-1 << 20, 1 << 20).Select(v => (long)v)),
                    (1, Gen.Elements(Twenty, -Twenty, One, -One, 0L)))
                .ToArbitrary();
    }
}
