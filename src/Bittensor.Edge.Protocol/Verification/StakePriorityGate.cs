// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Protocol.Verification;

/// <summary>The outcome of <see cref="StakePriorityGate.EnterAsync"/>.</summary>
public enum QueueVerdict
{
    /// <summary>The request holds a handler slot; dispose the lease when done.</summary>
    Entered,

    /// <summary>The queue was full on arrival (503).</summary>
    Full,

    /// <summary>The deadline passed while the request was queued (408).</summary>
    DeadlinePassed,
}

/// <summary>
/// The priority step (specs/protocol.md §3.3 step 9): at most <see cref="MaxConcurrent"/> handlers run at once; the
/// rest wait, highest caller stake first (arrival order among equal stakes), up to <see cref="MaxQueued"/> waiting.
/// </summary>
/// <remarks>
/// Thread-safe; one lock guards the queue. Waiters are completed outside the lock and asynchronously, so a releasing
/// thread never runs the next handler inline.
/// </remarks>
public sealed class StakePriorityGate
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Waiter, (ulong InverseStake, long Sequence)> _waiting = new();
    private long _sequence;
    private int _running;

    /// <summary>A queue running <paramref name="maxConcurrent"/> handlers with room for <paramref name="maxQueued"/> waiters.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrent"/> is not positive or <paramref name="maxQueued"/> is negative.</exception>
    public StakePriorityGate(int maxConcurrent, int maxQueued)
    {
        if (maxConcurrent <= 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(maxConcurrent), maxConcurrent, "At least one handler must be able to run.");
        }

        if (maxQueued < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(maxQueued), maxQueued, "The queue length cannot be negative.");
        }

        MaxConcurrent = maxConcurrent;
        MaxQueued = maxQueued;
    }

    /// <summary>Most handlers running at once.</summary>
    public int MaxConcurrent { get; }

    /// <summary>Most requests waiting.</summary>
    public int MaxQueued { get; }

    /// <summary>Handlers running now.</summary>
    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    /// <summary>Requests waiting now.</summary>
    public int Queued
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>
    /// Waits for a handler slot. Completes with <see cref="QueueVerdict.Entered"/> and a lease to dispose when the handler
    /// is done, <see cref="QueueVerdict.Full"/> at once when no slot is free and the queue is full, or
    /// <see cref="QueueVerdict.DeadlinePassed"/> when <paramref name="deadline"/> fires first. Never throws for these outcomes.
    /// </summary>
    /// <param name="stakeRao">The caller's stake; higher runs first.</param>
    /// <param name="deadline">Fires at the request's deadline.</param>
    public async ValueTask<(QueueVerdict Verdict, QueueLease? Lease)> EnterAsync(ulong stakeRao, CancellationToken deadline)
    {
        if (deadline.IsCancellationRequested)
        {
            return (QueueVerdict.DeadlinePassed, null);
        }

        Waiter waiter;
        lock (_lock)
        {
            if (_running < MaxConcurrent && _waiting.Count == 0)
            {
                _running++;
                return (QueueVerdict.Entered, new QueueLease(this));
            }

            if (_waiting.Count >= MaxQueued)
            {
                return (QueueVerdict.Full, null);
            }

            waiter = new Waiter();
            _waiting.Enqueue(waiter, (ulong.MaxValue - stakeRao, _sequence++));
        }

        bool granted;
        using (deadline.Register(
            static state =>
            {
                (StakePriorityGate queue, Waiter w) = ((StakePriorityGate, Waiter))state!;
                queue.Abandon(w);
            },
            (this, waiter)))
        {
            granted = await waiter.Completion.Task.ConfigureAwait(false);
        }

        return granted ? (QueueVerdict.Entered, new QueueLease(this)) : (QueueVerdict.DeadlinePassed, null);
    }

    private void Abandon(Waiter waiter)
    {
        bool removed;
        lock (_lock)
        {
            removed = _waiting.Remove(waiter, out _, out _);
        }

        if (removed)
        {
            waiter.Completion.TrySetResult(false);
        }
    }

    internal void Release()
    {
        Waiter? next;
        lock (_lock)
        {
            if (!_waiting.TryDequeue(out next, out _))
            {
                _running--;
                return;
            }
        }

        next.Completion.TrySetResult(true);
    }

    private sealed class Waiter
    {
        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A held handler slot; <see cref="Dispose"/> hands it to the next waiter. Disposing twice is harmless.</summary>
public sealed class QueueLease : IDisposable
{
    private StakePriorityGate? _queue;

    internal QueueLease(StakePriorityGate queue)
    {
        _queue = queue;
    }

    /// <inheritdoc/>
    public void Dispose() => Interlocked.Exchange(ref _queue, null)?.Release();
}
