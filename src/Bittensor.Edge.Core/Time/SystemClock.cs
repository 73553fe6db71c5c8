// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;

namespace Bittensor.Edge.Core.Time;

/// <summary>The real clock: <see cref="TimeProvider.System"/> for wall time and delays, <see cref="Stopwatch"/> for intervals.</summary>
/// <remarks>Thread-safe. Use <see cref="Instance"/>; production code receives it as an <see cref="IClock"/>.</remarks>
public sealed class SystemClock : IClock
{
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();

    private SystemClock()
    {
    }

    /// <summary>The one instance.</summary>
    public static SystemClock Instance { get; } = new();

    /// <inheritdoc/>
    public DateTimeOffset UtcNow => TimeProvider.System.GetUtcNow();

    /// <summary>Monotonic time since this clock was first used in the process.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startTimestamp);

    /// <inheritdoc/>
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken = default) =>
        Task.Delay(delay, TimeProvider.System, cancellationToken);
}
