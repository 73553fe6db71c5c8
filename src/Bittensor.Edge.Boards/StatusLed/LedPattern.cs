// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Boards.StatusLed;

/// <summary>Status LED patterns (specs/fleet.md §2, LED).</summary>
public enum LedPattern
{
    /// <summary>Stopped: dark.</summary>
    Off = 0,

    /// <summary>Working: lit.</summary>
    Solid,

    /// <summary>Connecting or unenrolled: 1 Hz, half on.</summary>
    Blink1Hz,

    /// <summary>Error or critical: 4 Hz, half on.</summary>
    Blink4Hz,

    /// <summary>Updating: two 100 ms flashes 100 ms apart, once a second.</summary>
    DoubleBlink,

    /// <summary>Identify: 10 Hz, half on (for <see cref="StatusLedController.IdentifyDuration"/>).</summary>
    Identify10Hz,
}

/// <summary>The timing of each <see cref="LedPattern"/>, as a function of time since the pattern began.</summary>
public static class LedPatterns
{
    /// <summary>Whether the LED is lit <paramref name="sinceStart"/> into <paramref name="pattern"/>.</summary>
    public static bool IsLit(LedPattern pattern, TimeSpan sinceStart)
    {
        long ms = (long)sinceStart.TotalMilliseconds;
        return pattern switch
        {
            LedPattern.Solid => true,
            LedPattern.Blink1Hz => ms % 1000 < 500,
            LedPattern.Blink4Hz => ms % 250 < 125,
            LedPattern.Identify10Hz => ms % 100 < 50,
            LedPattern.DoubleBlink => (ms % 1000) is < 100 or (>= 200 and < 300),
            _ => false,
        };
    }

    /// <summary>The time from <paramref name="sinceStart"/> to the pattern's next edge, or null for a steady pattern.</summary>
    public static TimeSpan? UntilNextEdge(LedPattern pattern, TimeSpan sinceStart)
    {
        long ms = (long)sinceStart.TotalMilliseconds;
        long next = pattern switch
        {
            LedPattern.Blink1Hz => NextMultiple(ms, 500),
            LedPattern.Blink4Hz => NextMultiple(ms, 125),
            LedPattern.Identify10Hz => NextMultiple(ms, 50),
            LedPattern.DoubleBlink => NextDoubleBlinkEdge(ms),
            _ => -1,
        };
        return next < 0 ? null : TimeSpan.FromMilliseconds(next) - sinceStart;
    }

    private static long NextMultiple(long ms, long step) => ((ms / step) + 1) * step;

    private static long NextDoubleBlinkEdge(long ms)
    {
        long period = ms / 1000 * 1000;
        long phase = ms % 1000;
        long edge = phase < 100 ? 100 : phase < 200 ? 200 : phase < 300 ? 300 : 1000;
        return period + edge;
    }
}
