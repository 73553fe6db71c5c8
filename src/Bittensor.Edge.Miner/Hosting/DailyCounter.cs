// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Miner.Hosting;

/// <summary>
/// Turns a cumulative counter that starts at zero with the process (such as <c>write_bytes</c> of <c>/proc/self/io</c>)
/// into "since local midnight" for telemetry (<c>bytesWrittenToday</c>).
/// </summary>
/// <remarks>
/// The day a reading belongs to is the local date in <paramref name="zone"/>. The first day counts from the counter's
/// zero (the process started that day); each later day from the first reading after its midnight, so what was written
/// between midnight and that reading (at most one telemetry interval) counts for the day before. Not thread-safe: the
/// main loop reads it.
/// </remarks>
internal sealed class DailyCounter(TimeZoneInfo zone)
{
    private DateOnly? _day;
    private long _baseline;

    /// <summary>How much of <paramref name="cumulative"/> was reached on the local day of <paramref name="utcNow"/>.</summary>
    public long SinceMidnight(DateTimeOffset utcNow, long cumulative)
    {
        DateOnly day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utcNow, zone).DateTime);
        if (_day is null)
        {
            _day = day;
        }
        else if (day != _day)
        {
            _day = day;
            _baseline = cumulative;
        }

        return Math.Max(0, cumulative - _baseline);
    }
}
