// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using Bittensor.Edge.Core;

namespace Bittensor.Edge.Boards.Watchdog;

/// <summary>
/// Sends <c>WATCHDOG=1</c> every <c>WATCHDOG_USEC/3</c>, only while a health callback says the process is well
/// (specs/fleet.md §2), so a stuck process misses its pings and systemd restarts it.
/// </summary>
/// <remarks>
/// Not thread-safe: one loop calls <see cref="Tick"/> (or runs <see cref="RunAsync"/>). It does not own the notifier.
/// </remarks>
public sealed class WatchdogPinger
{
    /// <summary>The environment variable systemd sets to the unit's <c>WatchdogSec</c> in microseconds.</summary>
    public const string WatchdogUsecVariable = "WATCHDOG_USEC";

    /// <summary>The environment variable naming the process systemd watches; other processes must not ping.</summary>
    public const string WatchdogPidVariable = "WATCHDOG_PID";

    /// <summary>The datagram sent.</summary>
    public const string Ping = "WATCHDOG=1";

    private readonly ISystemdNotifier _notifier;
    private readonly IClock _clock;
    private readonly Func<bool> _isHealthy;
    private TimeSpan? _lastPing;

    /// <summary>A pinger sending every <paramref name="interval"/> while <paramref name="isHealthy"/> returns true.</summary>
    public WatchdogPinger(ISystemdNotifier notifier, IClock clock, TimeSpan interval, Func<bool> isHealthy)
    {
        ArgumentNullException.ThrowIfNull(notifier);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(isHealthy);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _notifier = notifier;
        _clock = clock;
        _isHealthy = isHealthy;
        Interval = interval;
    }

    /// <summary>Time between pings.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Pings sent.</summary>
    public long Sent { get; private set; }

    /// <summary>Pings withheld because the process was unhealthy.</summary>
    public long Withheld { get; private set; }

    /// <summary>The ping interval for a <c>WATCHDOG_USEC</c> value: a third of it.</summary>
    /// <returns><see langword="false"/> when the value is missing, not a positive integer, or too small.</returns>
    public static bool TryGetInterval(string? watchdogUsec, out TimeSpan interval)
    {
        interval = TimeSpan.Zero;
        if (!ulong.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out ulong usec) || usec < 3 || usec > (ulong)TimeSpan.MaxValue.Ticks / 10)
        {
            return false;
        }

        interval = TimeSpan.FromTicks((long)(usec / 3) * TimeSpan.TicksPerMicrosecond);
        return true;
    }

    /// <summary>
    /// The ping interval for process <paramref name="processId"/> from its environment: a third of <c>WATCHDOG_USEC</c>,
    /// and only when <c>WATCHDOG_PID</c> is unset or names this process (systemd sets it so that children started with
    /// the same environment do not ping for the service).
    /// </summary>
    /// <returns><see langword="false"/> when systemd runs no watchdog for this process.</returns>
    public static bool TryGetInterval(Func<string, string?> getEnvironmentVariable, int processId, out TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        interval = TimeSpan.Zero;
        string? pid = getEnvironmentVariable(WatchdogPidVariable);
        if (!string.IsNullOrEmpty(pid)
            && !(int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int watched) && watched == processId))
        {
            return false;
        }

        return TryGetInterval(getEnvironmentVariable(WatchdogUsecVariable), out interval);
    }

    /// <summary>Pings when an interval has passed since the last ping (or none was sent yet) and the process is healthy.</summary>
    /// <returns><see langword="true"/> when a ping went out.</returns>
    public bool Tick()
    {
        TimeSpan now = _clock.Elapsed;
        if (_lastPing is { } last && now - last < Interval)
        {
            return false;
        }

        if (!_isHealthy())
        {
            Withheld++;
            return false;
        }

        if (!_notifier.TryNotify(Ping))
        {
            return false;
        }

        _lastPing = now;
        Sent++;
        return true;
    }

    /// <summary>
    /// Ticks every <see cref="Interval"/> until cancelled, then returns normally; does nothing when the notifier is
    /// disabled. A health check that says no withholds that ping, so systemd restarts a stuck process.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (!_notifier.IsEnabled)
        {
            return;
        }

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Tick();
                await _clock.DelayAsync(Interval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end of the loop.
        }
    }
}
