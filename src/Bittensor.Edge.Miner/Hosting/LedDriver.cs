// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Boards.StatusLed;
using Bittensor.Edge.Core;

namespace Bittensor.Edge.Miner.Hosting;

/// <summary>
/// Plays the status LED: the main loop sets the pattern each tick (<see cref="SetPattern"/>), the <c>identify</c>
/// command starts 10 Hz for 30 s, and <see cref="RunAsync"/> toggles at each edge (a 4 Hz blink needs edges every
/// 125 ms, finer than the 1 s main loop).
/// </summary>
/// <remarks>Thread-safe: a lock serialises the one <see cref="StatusLedController"/>. Does not own the LED.</remarks>
public sealed class LedDriver
{
    private static readonly TimeSpan s_maxWait = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly StatusLedController _controller;
    private readonly IClock _clock;

    /// <summary>A driver for a started <paramref name="led"/>.</summary>
    public LedDriver(IStatusLed led, IClock clock)
    {
        _controller = new StatusLedController(led, clock);
        _clock = clock;
    }

    /// <summary>The pattern showing now.</summary>
    public LedPattern Showing
    {
        get
        {
            lock (_lock)
            {
                return _controller.Showing;
            }
        }
    }

    /// <summary>Sets the pattern (its phase restarts only when it changes).</summary>
    public void SetPattern(LedPattern pattern)
    {
        lock (_lock)
        {
            _controller.SetPattern(pattern);
        }
    }

    /// <summary>10 Hz for 30 s.</summary>
    public void Identify()
    {
        lock (_lock)
        {
            _controller.Identify();
        }
    }

    /// <summary>Toggles at each edge until cancelled, then turns the LED off.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan? next;
                lock (_lock)
                {
                    next = _controller.Tick();
                }

                TimeSpan wait = next is { } edge && edge < s_maxWait ? edge : s_maxWait;
                await _clock.DelayAsync(wait <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : wait, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }

        SetPattern(LedPattern.Off);
    }
}
