// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Miner.Bus;
using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Miner.Tests.Bus;

public sealed class CorrelationCacheTests
{
    [Fact]
    public async Task An_id_is_remembered_for_five_minutes_then_recomputed()
    {
        ManualClock clock = new();
        CorrelationCache cache = new(clock);
        byte[] id = BusEnvelope.NewCorrelationId();
        int runs = 0;
        Task<byte[]?> Run() => Task.FromResult<byte[]?>([(byte)++runs]);

        Assert.Equal([1], await cache.GetOrRun(id, Run, out bool hit));
        Assert.False(hit);
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal([1], await cache.GetOrRun(id, Run, out hit));
        Assert.True(hit);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([2], await cache.GetOrRun(id, Run, out hit));
        Assert.False(hit);
    }

    [Fact]
    public async Task At_most_1024_ids_are_kept_oldest_out_first()
    {
        CorrelationCache cache = new(new ManualClock());
        List<byte[]> ids = [];
        for (int i = 0; i <= CorrelationCache.Capacity; i++)
        {
            byte[] id = BusEnvelope.NewCorrelationId();
            ids.Add(id);
            await cache.GetOrRun(id, () => Task.FromResult<byte[]?>([1]), out _);
        }

        Assert.Equal(CorrelationCache.Capacity, cache.Count);
        await cache.GetOrRun(ids[0], () => Task.FromResult<byte[]?>([2]), out bool oldestHit);
        Assert.False(oldestHit);
        await cache.GetOrRun(ids[^1], () => Task.FromResult<byte[]?>([2]), out bool newestHit);
        Assert.True(newestHit);
    }

    [Fact]
    public async Task A_redelivery_while_the_first_is_running_joins_it_and_large_or_empty_replies_are_not_kept()
    {
        CorrelationCache cache = new(new ManualClock());
        byte[] id = BusEnvelope.NewCorrelationId();
        TaskCompletionSource<byte[]?> slow = new();
        Task<byte[]?> first = cache.GetOrRun(id, () => slow.Task, out _);
        Task<byte[]?> second = cache.GetOrRun(id, () => Task.FromResult<byte[]?>([9]), out bool joined);
        Assert.True(joined);
        slow.SetResult([7]);
        Assert.Equal([7], await second);
        Assert.Equal([7], await first);

        byte[] big = new byte[CorrelationCache.MaxCachedReplyBytes + 1];
        byte[] bigId = BusEnvelope.NewCorrelationId();
        await cache.GetOrRun(bigId, () => Task.FromResult<byte[]?>(big), out _);
        await cache.GetOrRun(bigId, () => Task.FromResult<byte[]?>([1]), out bool bigHit);
        Assert.False(bigHit);

        byte[] nullId = BusEnvelope.NewCorrelationId();
        await cache.GetOrRun(nullId, () => Task.FromResult<byte[]?>(null), out _);
        await cache.GetOrRun(nullId, () => Task.FromResult<byte[]?>([1]), out bool nullHit);
        Assert.False(nullHit);
    }

    [Fact]
    public async Task A_forgotten_large_reply_is_not_kept_reachable()
    {
        // Before the fix every storage.prove reply (~140 KB, over MaxCachedReplyBytes) stayed reachable for five minutes
        // through the eviction queue: hundreds of MB on a device under load.
        CorrelationCache cache = new(new ManualClock());
        WeakReference reply = await AnswerLargeAsync(cache);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        Assert.False(reply.IsAlive, "a forgotten large reply is still reachable from the cache");
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task The_eviction_queue_stays_bounded_when_every_reply_is_forgotten()
    {
        CorrelationCache cache = new(new ManualClock());
        for (int i = 0; i < 5 * CorrelationCache.Capacity; i++)
        {
            await cache.GetOrRun(BusEnvelope.NewCorrelationId(), () => Task.FromResult<byte[]?>(new byte[CorrelationCache.MaxCachedReplyBytes + 1]), out _);
        }

        Assert.Equal(0, cache.Count);
        Assert.InRange(cache.QueueLength, 0, 2 * CorrelationCache.Capacity);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> AnswerLargeAsync(CorrelationCache cache)
    {
        byte[] large = new byte[CorrelationCache.MaxCachedReplyBytes + 1];
        WeakReference weak = new(large);
        byte[]? answered = await cache.GetOrRun(BusEnvelope.NewCorrelationId(), () => Task.FromResult<byte[]?>(large), out _);
        Assert.Same(large, answered);
        return weak;
    }
}
