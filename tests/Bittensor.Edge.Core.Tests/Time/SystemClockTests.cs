// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Time;

namespace Bittensor.Edge.Core.Tests.Time;

public class SystemClockTests
{
    [Fact]
    public void Wall_time_is_utc_and_close_to_the_system_time()
    {
        DateTimeOffset now = SystemClock.Instance.UtcNow;

        Assert.Equal(TimeSpan.Zero, now.Offset);
        Assert.True((DateTimeOffset.UtcNow - now).Duration() < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Elapsed_never_goes_backwards()
    {
        TimeSpan first = SystemClock.Instance.Elapsed;
        TimeSpan second = SystemClock.Instance.Elapsed;

        Assert.True(second >= first);
    }

    [Fact]
    public async Task A_zero_delay_completes_and_a_cancelled_one_is_cancelled()
    {
        await SystemClock.Instance.DelayAsync(TimeSpan.Zero, TestContext.Current.CancellationToken);

        Task cancelled = SystemClock.Instance.DelayAsync(TimeSpan.FromHours(1), new CancellationToken(canceled: true));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
    }
}
