// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Core;

/// <summary>
/// The one source of time. Production code takes an <see cref="IClock"/>; tests and the
/// simulation use a manual clock and advance it instead of sleeping.
/// </summary>
/// <remarks>Implementations are safe to call from any thread.</remarks>
public interface IClock
{
    /// <summary>The current wall-clock time in UTC.</summary>
    DateTimeOffset UtcNow { get; }

    /// <summary>A monotonic reading for measuring intervals.</summary>
    TimeSpan Elapsed { get; }

    /// <summary>Completes when <paramref name="delay"/> has passed on this clock.</summary>
    Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken = default);
}
