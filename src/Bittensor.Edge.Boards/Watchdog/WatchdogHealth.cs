// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core;

namespace Bittensor.Edge.Boards.Watchdog;

/// <summary>
/// The health rule behind <c>WATCHDOG=1</c> (specs/fleet.md §2): the main loop ticked in the last 5 s and no
/// worker's handler has run past its deadline by 30 s.
/// </summary>
/// <remarks>Thread-safe: workers report from their own threads.</remarks>
public sealed class WatchdogHealth
{
    /// <summary>Longest gap between main-loop ticks.</summary>
    public static readonly TimeSpan MainLoopLimit = TimeSpan.FromSeconds(5);

    /// <summary>How far past its deadline a handler may run before its worker counts as stuck.</summary>
    public static readonly TimeSpan StuckGrace = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly IClock _clock;
    private readonly Dictionary<string, TimeSpan> _running = new(StringComparer.Ordinal);
    private TimeSpan? _lastTick;
    private long _nextHandler;

    /// <summary>A health rule on <paramref name="clock"/>; unhealthy until the first tick.</summary>
    public WatchdogHealth(IClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
    }

    /// <summary>The main loop calls this every tick.</summary>
    public void MainLoopTicked()
    {
        TimeSpan now = _clock.Elapsed;
        lock (_lock)
        {
            _lastTick = now;
        }
    }

    /// <summary>A worker (<c>mqtt</c>, <c>storage</c>) starts a handler due within <paramref name="deadline"/>.</summary>
    public void HandlerStarted(string worker, TimeSpan deadline)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        ArgumentOutOfRangeException.ThrowIfLessThan(deadline, TimeSpan.Zero);
        TimeSpan now = _clock.Elapsed;
        lock (_lock)
        {
            _running[worker] = now + deadline;
        }
    }

    /// <summary>
    /// One of several concurrent handlers of <paramref name="worker"/> starts, due within <paramref name="deadline"/>;
    /// disposing the returned scope marks it finished. Use this where a worker runs handlers in parallel (the miner's
    /// bus requests); <see cref="HandlerStarted"/> tracks one handler per worker name.
    /// </summary>
    public HandlerScope BeginHandler(string worker, TimeSpan deadline)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        string key = $"{worker}#{Interlocked.Increment(ref _nextHandler)}";
        HandlerStarted(key, deadline);
        return new HandlerScope(this, key);
    }

    /// <summary>Handlers running now (any worker).</summary>
    public int RunningHandlers
    {
        get
        {
            lock (_lock)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>The worker's handler finished.</summary>
    public void HandlerFinished(string worker)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        lock (_lock)
        {
            _running.Remove(worker);
        }
    }

    /// <summary>Whether a ping may go out now.</summary>
    public bool IsHealthy()
    {
        TimeSpan now = _clock.Elapsed;
        lock (_lock)
        {
            if (_lastTick is not { } tick || now - tick > MainLoopLimit)
            {
                return false;
            }

            foreach (TimeSpan deadline in _running.Values)
            {
                if (now - deadline > StuckGrace)
                {
                    return false;
                }
            }

            return true;
        }
    }
}

/// <summary>A running handler of <see cref="WatchdogHealth.BeginHandler"/>; dispose when it finishes.</summary>
public readonly struct HandlerScope : IDisposable
{
    private readonly WatchdogHealth? _health;
    private readonly string? _key;

    internal HandlerScope(WatchdogHealth health, string key)
    {
        _health = health;
        _key = key;
    }

    /// <summary>Marks the handler finished (idempotent).</summary>
    public void Dispose()
    {
        if (_health is not null && _key is not null)
        {
            _health.HandlerFinished(_key);
        }
    }
}
