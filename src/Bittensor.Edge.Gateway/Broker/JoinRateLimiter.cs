// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using Bittensor.Edge.Core;

namespace Bittensor.Edge.Gateway.Broker;

/// <summary>
/// At most N join connects per source address in any 60 s window (fleet.md §3), on <see cref="IClock.Elapsed"/>.
/// Refused attempts count too, so a flood stays refused until it slows down.
/// </summary>
/// <remarks>Thread-safe. Memory is bounded: addresses idle for a window are forgotten on the next sweep.</remarks>
public sealed class JoinRateLimiter
{
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(1);
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, Queue<TimeSpan>> _attempts = [];
    private readonly IClock _clock;
    private readonly int _perMinute;
    private TimeSpan _lastSweep;

    /// <summary>A limiter allowing <paramref name="perMinute"/> connects per address per minute.</summary>
    public JoinRateLimiter(IClock clock, int perMinute)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        _clock = clock;
        _perMinute = perMinute;
    }

    /// <summary>Counts one attempt from <paramref name="address"/>; false when it is over the limit.</summary>
    public bool TryAcquire(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        TimeSpan now = _clock.Elapsed;
        lock (_lock)
        {
            if (now - _lastSweep > s_window)
            {
                Sweep(now);
            }

            if (!_attempts.TryGetValue(address, out Queue<TimeSpan>? times))
            {
                times = new Queue<TimeSpan>();
                _attempts[address] = times;
            }

            while (times.Count > 0 && now - times.Peek() >= s_window)
            {
                times.Dequeue();
            }

            bool allowed = times.Count < _perMinute;

            // Refused attempts are remembered too, but capped so one address cannot grow its queue without bound.
            if (times.Count < _perMinute * 2)
            {
                times.Enqueue(now);
            }

            return allowed;
        }
    }

    private void Sweep(TimeSpan now)
    {
        _lastSweep = now;
        foreach (IPAddress address in _attempts.Where(kv => kv.Value.Count == 0 || now - kv.Value.Last() >= s_window).Select(kv => kv.Key).ToList())
        {
            _attempts.Remove(address);
        }
    }
}
