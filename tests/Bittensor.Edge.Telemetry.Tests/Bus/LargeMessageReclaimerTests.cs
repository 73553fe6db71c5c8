// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Telemetry.Bus;

namespace Bittensor.Edge.Telemetry.Tests.Bus;

public sealed class LargeMessageReclaimerTests
{
    private const int Put = 4 * 1024 * 1024;

    [Fact]
    public void Collects_once_per_threshold_of_large_messages_and_ignores_small_ones()
    {
        int collections = 0;
        LargeMessageReclaimer reclaimer = new(16L * 1024 * 1024, () => collections++);
        for (int i = 0; i < 10_000; i++)
        {
            reclaimer.Handled(LargeMessageReclaimer.LargeMessageBytes - 1);
        }

        Assert.Equal(0, collections);
        for (int i = 1; i <= 9; i++)
        {
            reclaimer.Handled(Put);
            Assert.Equal(i / 4, collections);
        }

        Assert.Equal(2, reclaimer.Collections);
    }

    [Fact]
    public void A_zero_threshold_turns_it_off()
    {
        int collections = 0;
        LargeMessageReclaimer reclaimer = new(0, () => collections++);
        for (int i = 0; i < 100; i++)
        {
            reclaimer.Handled(Put);
        }

        Assert.Equal(0, collections);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LargeMessageReclaimer(-1));
    }

    [Fact]
    public async Task Concurrent_messages_never_lose_a_collection_or_run_one_twice_for_the_same_bytes()
    {
        int collections = 0;
        LargeMessageReclaimer reclaimer = new(8L * Put, () => Interlocked.Increment(ref collections));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                reclaimer.Handled(Put);
            }
        })));

        // 800 puts of 4 MiB against a 32 MiB threshold: exactly 100 collections whatever the interleaving.
        Assert.Equal(100, collections);
    }

    [Fact]
    public void The_default_collection_returns_freed_large_objects_to_the_os()
    {
        for (int i = 0; i < 32; i++)
        {
            GC.KeepAlive(new byte[Put]);
        }

        LargeMessageReclaimer.CollectAndRelease();
        GCMemoryInfo info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        Assert.True(info.Compacted, "the reclaiming collection did not compact");
        Assert.True(info.GenerationInfo[3].SizeAfterBytes < 32L * Put, $"{info.GenerationInfo[3].SizeAfterBytes} bytes of large objects survived");
    }
}
