// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core;

namespace Bittensor.Edge.Boards.StatusLed;

/// <summary>
/// Plays <see cref="LedPattern"/>s on an <see cref="IStatusLed"/> against an <see cref="IClock"/>. A pattern's
/// phase starts when it is set; <see cref="Identify"/> overrides the pattern with 10 Hz for 30 s, then the set
/// pattern resumes.
/// </summary>
/// <remarks>
/// Call <see cref="Tick"/> whenever time may have moved (<see cref="RunAsync"/> does so at each edge); it writes
/// to the LED only when its state changes. Not thread-safe: one loop owns it. It does not own the LED.
/// </remarks>
public sealed class StatusLedController
{
    /// <summary>How long <see cref="Identify"/> lasts.</summary>
    public static readonly TimeSpan IdentifyDuration = TimeSpan.FromSeconds(30);

    private readonly IStatusLed _led;
    private readonly IClock _clock;
    private LedPattern _pattern;
    private TimeSpan _patternStart;
    private TimeSpan? _identifyUntil;
    private TimeSpan _identifyStart;
    private bool? _written;

    /// <summary>A controller for a started <paramref name="led"/>, pattern <see cref="LedPattern.Off"/>.</summary>
    public StatusLedController(IStatusLed led, IClock clock)
    {
        ArgumentNullException.ThrowIfNull(led);
        ArgumentNullException.ThrowIfNull(clock);
        _led = led;
        _clock = clock;
        _patternStart = clock.Elapsed;
    }

    /// <summary>The pattern set by <see cref="SetPattern"/>.</summary>
    public LedPattern Pattern => _pattern;

    /// <summary>The pattern showing now (<see cref="LedPattern.Identify10Hz"/> while identifying).</summary>
    public LedPattern Showing => _identifyUntil is { } until && _clock.Elapsed < until ? LedPattern.Identify10Hz : _pattern;

    /// <summary>Sets the pattern; its phase restarts unless it is already the pattern.</summary>
    public void SetPattern(LedPattern pattern)
    {
        if (pattern == _pattern)
        {
            return;
        }

        _pattern = pattern;
        _patternStart = _clock.Elapsed;
        Tick();
    }

    /// <summary>Blinks at 10 Hz for <see cref="IdentifyDuration"/> from now.</summary>
    public void Identify()
    {
        _identifyStart = _clock.Elapsed;
        _identifyUntil = _identifyStart + IdentifyDuration;
        Tick();
    }

    /// <summary>Brings the LED to the state the pattern asks for now.</summary>
    /// <returns>The time until the next edge, or null while the pattern is steady.</returns>
    public TimeSpan? Tick()
    {
        TimeSpan now = _clock.Elapsed;
        LedPattern showing;
        TimeSpan sinceStart;
        TimeSpan? identifyLeft = null;
        if (_identifyUntil is { } until && now < until)
        {
            showing = LedPattern.Identify10Hz;
            sinceStart = now - _identifyStart;
            identifyLeft = until - now;
        }
        else
        {
            _identifyUntil = null;
            showing = _pattern;
            sinceStart = now - _patternStart;
        }

        bool lit = LedPatterns.IsLit(showing, sinceStart);
        if (_written != lit && _led.TrySet(lit))
        {
            _written = lit;
        }

        TimeSpan? next = LedPatterns.UntilNextEdge(showing, sinceStart);
        return identifyLeft is { } left && (next is null || left < next) ? left : next;
    }

    /// <summary>Ticks at every edge until cancelled; a steady pattern is re-checked once a second.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait = Tick() ?? TimeSpan.FromSeconds(1);
            if (wait > TimeSpan.FromSeconds(1))
            {
                wait = TimeSpan.FromSeconds(1);
            }

            await _clock.DelayAsync(wait, cancellationToken).ConfigureAwait(false);
        }
    }
}
