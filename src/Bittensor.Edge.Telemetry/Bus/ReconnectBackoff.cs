// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Telemetry.Bus;

/// <summary>
/// The reconnect delays of fleet.md §4: <see cref="DeviceBusOptions.ReconnectMinDelay"/> doubling per failed attempt up
/// to <see cref="DeviceBusOptions.ReconnectMaxDelay"/>, then scaled by a uniform factor in 1 ± jitter (so a whole fleet
/// that lost its gateway at once does not reconnect in step). With the defaults: 1, 2, 4, …, 32, 60, 60 s, each ±20 %.
/// </summary>
/// <remarks>Not thread-safe (the connection loop is the only caller); the random source is seedable for tests.</remarks>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly double _jitter;
    private readonly Random _random;

    public ReconnectBackoff(TimeSpan min, TimeSpan max, double jitter, Random random)
    {
        _min = min;
        _max = max;
        _jitter = jitter;
        _random = random;
    }

    /// <summary>The delay before attempt <paramref name="failures"/> + 1, after that many failures in a row (0 after a drop).</summary>
    public TimeSpan Delay(int failures)
    {
        double baseSeconds = _min.TotalSeconds;
        for (int i = 0; i < failures && baseSeconds < _max.TotalSeconds; i++)
        {
            baseSeconds *= 2;
        }

        baseSeconds = Math.Min(baseSeconds, _max.TotalSeconds);
        double factor = 1 + (((_random.NextDouble() * 2) - 1) * _jitter);
        return TimeSpan.FromSeconds(baseSeconds * factor);
    }
}
