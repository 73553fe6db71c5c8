// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Time;

namespace Bittensor.Edge.Core.Tests.Time;

public class ManualClockTests
{
    private static readonly DateTimeOffset Start = new(2030, 5, 6, 7, 8, 9, TimeSpan.Zero);

    [Fact]
    public void Advance_moves_both_readings()
    {
        ManualClock clock = new(Start);
        clock.Advance(TimeSpan.FromSeconds(90));

        Assert.Equal(Start.AddSeconds(90), clock.UtcNow);
        Assert.Equal(TimeSpan.FromSeconds(90), clock.Elapsed);
    }

    [Fact]
    public void A_delay_completes_only_when_its_deadline_is_reached()
    {
        ManualClock clock = new(Start);
        Task delay = clock.DelayAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        clock.Advance(TimeSpan.FromSeconds(9.999));
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(delay.IsCompletedSuccessfully);
        Assert.Equal(0, clock.PendingDelays);
    }

    [Fact]
    public void Due_delays_complete_in_deadline_order_each_seeing_its_own_deadline()
    {
        ManualClock clock = new(Start);
        int[] seconds = [5, 1, 3, 3, 8];
        List<(int, TimeSpan)> seen = [];
        Task[] tasks = seconds.Select((s, i) => clock.DelayAsync(TimeSpan.FromSeconds(s), TestContext.Current.CancellationToken)
            .ContinueWith(_ => seen.Add((i, clock.Elapsed)), TaskContinuationOptions.ExecuteSynchronously)).ToArray();

        clock.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(
            [(1, TimeSpan.FromSeconds(1)), (2, TimeSpan.FromSeconds(3)), (3, TimeSpan.FromSeconds(3)), (0, TimeSpan.FromSeconds(5))],
            seen);
        Assert.False(tasks[4].IsCompleted);
        Assert.Equal(TimeSpan.FromSeconds(6), clock.Elapsed);
    }

    [Fact]
    public void A_delay_requested_by_a_continuation_completes_within_the_same_advance()
    {
        ManualClock clock = new(Start);
        Task? second = null;
        _ = clock.DelayAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken).ContinueWith(
            _ => second = clock.DelayAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken),
            TaskContinuationOptions.ExecuteSynchronously);

        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.NotNull(second);
        Assert.True(second.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Cancellation_cancels_a_pending_delay()
    {
        ManualClock clock = new(Start);
        using CancellationTokenSource cts = new();
        Task delay = clock.DelayAsync(TimeSpan.FromHours(1), cts.Token);

        await cts.CancelAsync();

        Assert.True(delay.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delay);
        clock.Advance(TimeSpan.FromHours(2));
        Assert.True(delay.IsCanceled);
    }

    [Fact]
    public void An_already_cancelled_token_gives_a_cancelled_task()
    {
        ManualClock clock = new(Start);

        Assert.True(clock.DelayAsync(TimeSpan.FromSeconds(1), new CancellationToken(canceled: true)).IsCanceled);
    }

    [Fact]
    public void Zero_delay_is_complete_and_infinite_delay_waits_for_cancellation()
    {
        ManualClock clock = new(Start);
        using CancellationTokenSource cts = new();

        Assert.True(clock.DelayAsync(TimeSpan.Zero, TestContext.Current.CancellationToken).IsCompletedSuccessfully);
        Task forever = clock.DelayAsync(Timeout.InfiniteTimeSpan, cts.Token);
        clock.Advance(TimeSpan.FromDays(365));
        Assert.False(forever.IsCompleted);
        cts.Cancel();
        Assert.True(forever.IsCanceled);
    }

    [Fact]
    public void Negative_delays_and_backward_advances_are_bugs()
    {
        ManualClock clock = new(Start);

        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = clock.DelayAsync(TimeSpan.FromSeconds(-2), TestContext.Current.CancellationToken); });
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromTicks(-1)));
    }

    [Fact]
    public void SetUtcNow_moves_only_the_wall_clock()
    {
        ManualClock clock = new(Start);
        Task delay = clock.DelayAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        clock.SetUtcNow(Start.AddDays(-1));
        Assert.Equal(Start.AddDays(-1), clock.UtcNow);
        Assert.Equal(TimeSpan.Zero, clock.Elapsed);
        Assert.False(delay.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(delay.IsCompleted);
        Assert.Equal(Start.AddDays(-1).AddSeconds(5), clock.UtcNow);
    }

    [Fact]
    public void Delays_from_many_threads_all_complete_after_one_advance()
    {
        ManualClock clock = new(Start);
        Task[] delays = new Task[64];
        Parallel.For(0, delays.Length, i => delays[i] = clock.DelayAsync(TimeSpan.FromMilliseconds(i + 1), TestContext.Current.CancellationToken));

        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.All(delays, d => Assert.True(d.IsCompletedSuccessfully));
    }
}
