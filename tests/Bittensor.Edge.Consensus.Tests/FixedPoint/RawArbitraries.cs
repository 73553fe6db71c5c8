// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using FsCheck;
using FsCheck.Fluent;

namespace Bittensor.Edge.Consensus.Tests.FixedPoint;

/// <summary>Raw I32F32 values over the whole long range, weighted toward edges and epoch-sized values.</summary>
public static class RawArbitraries
{
    private static readonly long[] s_edges =
    [
        0, 1, -1, long.MaxValue, long.MinValue, long.MaxValue - 1, long.MinValue + 1, 1L << 32, -(1L << 32),
        1L << 31, -(1L << 31), (1L << 31) - 1, int.MaxValue, int.MinValue, 65535L << 32, 1L << 62, -(1L << 62),
    ];

    public static Arbitrary<long> RawValues()
    {
        Gen<long> full = Gen.Zip(Gen.Choose(int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue))
            .Select(t => ((long)t.Item1 << 32) | (uint)t.Item2);
        Gen<long> proportion = Gen.Zip(Gen.Choose(0, 2), Gen.Choose(int.MinValue, int.MaxValue))
            .Select(t => ((long)t.Item1 << 32) | (uint)t.Item2);
        return Gen.Frequency((3, full), (3, proportion), (1, Gen.Elements(s_edges)), (1, Gen.Choose(-1000, 1000).Select(v => (long)v)))
            .ToArbitrary();
    }
}
