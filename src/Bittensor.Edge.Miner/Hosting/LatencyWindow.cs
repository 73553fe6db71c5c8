// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Miner.Hosting;

/// <summary>
/// Latencies recorded since the last <see cref="TakeP95"/>, for a telemetry sample's percentile: the last
/// <see cref="Capacity"/> of them when more arrive between two samples.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class LatencyWindow
{
    private readonly Lock _lock = new();
    private readonly double[] _ms;
    private int _count;
    private int _next;

    /// <summary>A window that keeps up to <paramref name="capacity"/> latencies.</summary>
    public LatencyWindow(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ms = new double[capacity];
    }

    /// <summary>Most latencies kept between two takes.</summary>
    public int Capacity => _ms.Length;

    /// <summary>Records one latency.</summary>
    public void Record(TimeSpan latency)
    {
        lock (_lock)
        {
            _ms[_next] = Math.Max(0, latency.TotalMilliseconds);
            _next = (_next + 1) % _ms.Length;
            _count = Math.Min(_count + 1, _ms.Length);
        }
    }

    /// <summary>
    /// The 95th percentile (nearest rank) of the latencies recorded since the last take, in ms rounded to 0.01, and
    /// forgets them; null when there were none.
    /// </summary>
    public double? TakeP95()
    {
        double[] taken;
        lock (_lock)
        {
            if (_count == 0)
            {
                return null;
            }

            taken = new double[_count];
            Array.Copy(_ms, taken, _count); // the order does not matter: they are sorted next
            _count = 0;
            _next = 0;
        }

        Array.Sort(taken);
        int rank = (int)Math.Ceiling(0.95 * taken.Length);
        return Math.Round(taken[rank - 1], 2);
    }
}
