// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Miner.Hosting;

namespace Bittensor.Edge.Miner.Tests.Hosting;

/// <summary>The pieces behind telemetry's <c>inferenceP95Ms</c> and <c>bytesWrittenToday</c>.</summary>
public sealed class TelemetryReadingsTests
{
    [Fact]
    public void The_p95_is_the_nearest_rank_of_what_arrived_since_the_last_take()
    {
        LatencyWindow window = new();
        Assert.Null(window.TakeP95());
        foreach (int ms in Enumerable.Range(1, 100).Reverse())
        {
            window.Record(TimeSpan.FromMilliseconds(ms));
        }

        Assert.Equal(95, window.TakeP95());
        Assert.Null(window.TakeP95());

        for (int i = 0; i < 99; i++)
        {
            window.Record(TimeSpan.FromMilliseconds(5));
        }

        window.Record(TimeSpan.FromSeconds(3)); // one slow request in a hundred does not move the p95
        Assert.Equal(5, window.TakeP95());
    }

    [Fact]
    public void A_full_window_keeps_the_latest_latencies()
    {
        LatencyWindow window = new(capacity: 4);
        for (int ms = 1; ms <= 10; ms++)
        {
            window.Record(TimeSpan.FromMilliseconds(ms * 100));
        }

        Assert.Equal(1000, window.TakeP95());
        window.Record(TimeSpan.FromMilliseconds(7.126));
        Assert.Equal(7.13, window.TakeP95());
    }

    [Fact]
    public void Bytes_today_restart_at_local_midnight_not_utc_midnight()
    {
        TimeZoneInfo plusTwo = TimeZoneInfo.CreateCustomTimeZone("test+2", TimeSpan.FromHours(2), "test+2", "test+2");
        DailyCounter today = new(plusTwo);
        DateTimeOffset day1 = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

        Assert.Equal(100, today.SinceMidnight(day1, 100)); // the process started today: counted from zero
        Assert.Equal(300, today.SinceMidnight(day1.AddHours(13), 300)); // 21:00 UTC = 23:00 local, same day
        Assert.Equal(0, today.SinceMidnight(day1.AddHours(14.5), 350)); // 22:30 UTC = 00:30 local: a new day
        Assert.Equal(150, today.SinceMidnight(day1.AddHours(20), 500));
    }

    [Fact]
    public void Write_bytes_are_read_from_proc_self_io_and_missing_accounting_is_null()
    {
        using TempDir dir = new();
        string io = Path.Combine(dir.Root, "io");
        File.WriteAllText(io, "rchar: 1000\nwchar: 2000\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n");
        Assert.Equal(8192, SystemReadings.ProcessWriteBytes(io));

        File.WriteAllText(io, "rchar: 1000\n");
        Assert.Null(SystemReadings.ProcessWriteBytes(io));
        Assert.Null(SystemReadings.ProcessWriteBytes(Path.Combine(dir.Root, "absent")));

        if (File.Exists("/proc/self/io"))
        {
            Assert.True(SystemReadings.ProcessWriteBytes() >= 0);
        }
    }
}
