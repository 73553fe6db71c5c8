// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.Epoch;

namespace Bittensor.Edge.Consensus.Tests.Epoch;

public class WeightUpscaleTests
{
    [Theory]
    // consensus.md §4 and the worked example.
    [InlineData(new ushort[] { 43690, 21845 }, new ushort[] { 65535, 32768 })]
    [InlineData(new ushort[] { 32767, 0, 32767 }, new ushort[] { 65535, 0, 65535 })]
    [InlineData(new ushort[] { 30000, 10000 }, new ushort[] { 65535, 21845 })]
    [InlineData(new ushort[] { 20000, 20000 }, new ushort[] { 65535, 65535 })]
    [InlineData(new ushort[] { 0, 0 }, new ushort[] { 0, 0 })]
    [InlineData(new ushort[] { 65535, 1 }, new ushort[] { 65535, 1 })]
    [InlineData(new ushort[] { 1, 1 }, new ushort[] { 65535, 65535 })]
    [InlineData(new ushort[] { 32768, 16384 }, new ushort[] { 65535, 32768 })]
    [InlineData(new ushort[] { 32769, 16384 }, new ushort[] { 65535, 32767 })]
    [InlineData(new ushort[] { }, new ushort[] { })]
    public void Max_upscale_scales_the_largest_value_to_65535(ushort[] values, ushort[] expected) =>
        Assert.Equal(expected, WeightUpscale.MaxUpscale(values));

    [Fact]
    public void Set_weights_stores_the_upscaled_row_and_the_block()
    {
        SubnetState state = new(4);
        state.SetWeightsUpscaled(0, SparseRow.Create((2, 43690), (3, 21845)), 12);
        Assert.Equal(SparseRow.Create((2, 65535), (3, 32768)), state.GetWeights(0));
        Assert.Equal(12UL, state.LastUpdate[0]);
    }
}
