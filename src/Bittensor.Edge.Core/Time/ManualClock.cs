// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Core.Time;

/// <summary>
/// A clock that moves only when told: tests and the simulation call <see cref="Advance"/> instead of sleeping.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. <see cref="Advance"/> completes every due <see cref="DelayAsync"/> task in deadline order
/// (ties in the order they were requested), and before completing each it sets <see cref="Elapsed"/> and
/// <see cref="UtcNow"/> to that task's deadline. Tasks complete on the thread that calls
/// <see cref="Advance"/>, outside the clock's lock, so synchronous continuations run there and may
/// schedule new delays; a new delay that falls due within the same advance completes in it too.
/// </para>
/// <para>
/// <see cref="SetUtcNow"/> moves only the wall clock (as when NTP steps it); delays follow the monotonic
/// <see cref="Elapsed"/>.
/// </para>
/// </remarks>
public sealed class ManualClock : IClock
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Waiter, (TimeSpan Deadline, long Sequence)> _waiters = new();
    private DateTimeOffset _utcNow;
    private TimeSpan _elapsed;
    private long _sequence;

    /// <summary>A clock at <paramref name="utcNow"/> with <see cref="Elapsed"/> zero.</summary>
    public ManualClock(DateTimeOffset utcNow)
    {
        _utcNow = utcNow.ToUniversalTime();
    }

    /// <summary>A clock at 2025-01-01T00:00:00Z with <see cref="Elapsed"/> zero.</summary>
    public ManualClock()
        : this(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <inheritdoc/>
    public DateTimeOffset UtcNow
    {
        get
        {
            lock (_lock)
            {
                return _utcNow;
            }
        }
    }

    /// <inheritdoc/>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_lock)
            {
                return _elapsed;
            }
        }
    }

    /// <summary>Delays not yet completed or cancelled.</summary>
    public int PendingDelays
    {
        get
        {
            lock (_lock)
            {
                int pending = 0;
                foreach ((Waiter waiter, _) in _waiters.UnorderedItems)
                {
                    if (!waiter.Completion.Task.IsCompleted)
                    {
                        pending++;
                    }
                }

                return pending;
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A zero delay completes at once; <see cref="Timeout.InfiniteTimeSpan"/> completes only by cancellation.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative and not infinite.</exception>
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken = default)
    {
        if (delay < TimeSpan.Zero && delay != Timeout.InfiniteTimeSpan)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(delay), delay, "A delay cannot be negative (except Timeout.InfiniteTimeSpan).");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (delay == TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        // Register before enqueueing, so that Advance on another thread always sees the registration to dispose.
        Waiter waiter = new();
        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.Register(
                static state =>
                {
                    (Waiter w, CancellationToken token) = ((Waiter, CancellationToken))state!;
                    w.Completion.TrySetCanceled(token);
                },
                (waiter, cancellationToken));
        }

        if (delay != Timeout.InfiniteTimeSpan)
        {
            lock (_lock)
            {
                _waiters.Enqueue(waiter, (_elapsed + delay, _sequence++));
            }
        }

        return waiter.Completion.Task;
    }

    /// <summary>Moves time forward by <paramref name="by"/>, completing due delays in deadline order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="by"/> is negative.</exception>
    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(by), by, "Time only moves forward.");
        }

        TimeSpan target;
        lock (_lock)
        {
            target = _elapsed + by;
        }

        while (true)
        {
            Waiter? due = null;
            lock (_lock)
            {
                if (_waiters.TryPeek(out Waiter? next, out (TimeSpan Deadline, long Sequence) key) && key.Deadline <= target)
                {
                    _waiters.Dequeue();
                    MoveTo(key.Deadline);
                    due = next;
                }
                else
                {
                    MoveTo(target);
                }
            }

            if (due is null)
            {
                return;
            }

            due.Registration.Dispose();
            due.Completion.TrySetResult();
        }
    }

    /// <summary>Sets the wall clock; <see cref="Elapsed"/> and pending delays are unaffected.</summary>
    public void SetUtcNow(DateTimeOffset utcNow)
    {
        lock (_lock)
        {
            _utcNow = utcNow.ToUniversalTime();
        }
    }

    private void MoveTo(TimeSpan elapsed)
    {
        if (elapsed > _elapsed)
        {
            _utcNow += elapsed - _elapsed;
            _elapsed = elapsed;
        }
    }

    private sealed class Waiter
    {
        public TaskCompletionSource Completion { get; } = new();

        public CancellationTokenRegistration Registration { get; set; }
    }
}
