// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.Epoch;

namespace Bittensor.Edge.Consensus.Tests.Epoch;

public class EpochScheduleTests
{
    [Theory]
    // consensus.md §7, from subtensor's comment table.
    [InlineData(1, 0, new ulong[] { 0, 2, 4, 6 })]
    [InlineData(1, 1, new ulong[] { 1, 3, 5 })]
    [InlineData(100, 0, new ulong[] { 99, 200, 301 })]
    [InlineData(100, 1, new ulong[] { 98, 199, 300 })]
    // The worked example: tempo 9 on netuid 1.
    [InlineData(9, 1, new ulong[] { 7, 17, 27 })]
    public void Epochs_run_exactly_in_the_listed_blocks(int tempo, int netuid, ulong[] epochBlocks)
    {
        ulong last = epochBlocks[^1];
        for (ulong block = 0; block <= last; block++)
        {
            bool expected = Array.IndexOf(epochBlocks, block) >= 0;
            Assert.Equal(expected, EpochSchedule.IsEpochBlock(block, (ushort)netuid, (ushort)tempo));
        }
    }

    [Fact]
    public void Blocks_until_next_epoch_counts_down_to_zero()
    {
        Assert.Equal(99UL, EpochSchedule.BlocksUntilNextEpoch(0, 0, 100));
        Assert.Equal(1UL, EpochSchedule.BlocksUntilNextEpoch(98, 0, 100));
        Assert.Equal(0UL, EpochSchedule.BlocksUntilNextEpoch(99, 0, 100));
        Assert.Equal(100UL, EpochSchedule.BlocksUntilNextEpoch(100, 0, 100));
        Assert.Equal(0UL, EpochSchedule.BlocksUntilNextEpoch(98, 1, 100));
    }

    [Fact]
    public void Tempo_zero_never_runs()
    {
        Assert.Equal(ulong.MaxValue, EpochSchedule.BlocksUntilNextEpoch(5, 3, 0));
        for (ulong block = 0; block < 50; block++)
        {
            Assert.False(EpochSchedule.IsEpochBlock(block, 0, 0));
        }
    }

    [Fact]
    public void Block_arithmetic_wraps_like_subtensor_near_the_end_of_u64()
    {
        // (2^64 - 1) + 0 + 1 wraps to 0, and 0 mod 361 = 0 leaves 360 blocks.
        Assert.Equal(360UL, EpochSchedule.BlocksUntilNextEpoch(ulong.MaxValue, 0, 360));
    }
}
