// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core;

namespace Bittensor.Edge.Miner.Bus;

/// <summary>
/// The device's memory of recent requests (fleet.md §5): the last <see cref="Capacity"/> correlation ids for
/// <see cref="Lifetime"/>, each with its reply. A QoS 1 redelivery of a request in flight joins the running handler; one
/// already answered gets the cached reply when it was at most <see cref="MaxCachedReplyBytes"/>. Larger replies
/// (<c>storage.get</c>'s 4 MiB) are forgotten once sent and simply recomputed, which is safe because reads are idempotent
/// and puts are keyed by root.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class CorrelationCache
{
    /// <summary>Correlation ids remembered.</summary>
    public const int Capacity = 1024;

    /// <summary>Largest reply kept for redeliveries.</summary>
    public const int MaxCachedReplyBytes = 64 * 1024;

    /// <summary>How long an id is remembered.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly Lock _lock = new();
    private readonly IClock _clock;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, Entry Entry)> _order = new();

    /// <summary>An empty cache on <paramref name="clock"/>.</summary>
    public CorrelationCache(IClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
    }

    /// <summary>Entries the eviction queue holds, forgotten ones included; at most about 2 × <see cref="Capacity"/>.</summary>
    internal int QueueLength
    {
        get
        {
            lock (_lock)
            {
                return _order.Count;
            }
        }
    }

    /// <summary>Ids remembered now (answered or in flight).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                Expire(_clock.Elapsed);
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// The reply for <paramref name="correlationId"/>: the cached or in-flight one when this id was seen
    /// (<paramref name="hit"/> true), else the result of <paramref name="run"/>, which is remembered (and dropped again
    /// once it completes with null, fails, or turns out larger than <see cref="MaxCachedReplyBytes"/>).
    /// </summary>
    public Task<byte[]?> GetOrRun(ReadOnlySpan<byte> correlationId, Func<Task<byte[]?>> run, out bool hit)
    {
        ArgumentNullException.ThrowIfNull(run);
        string key = Convert.ToHexStringLower(correlationId);
        Entry entry;
        lock (_lock)
        {
            TimeSpan now = _clock.Elapsed;
            Expire(now);
            if (_entries.TryGetValue(key, out Entry? existing) && existing.Reply is { } known)
            {
                hit = true;
                return known.Task;
            }

            entry = new Entry(now);
            _entries[key] = entry;
            _order.Enqueue((key, entry));
            while (_entries.Count > Capacity && _order.TryDequeue(out (string Key, Entry Entry) oldest))
            {
                Remove(oldest.Key, oldest.Entry);
            }

            // Forgotten entries wait in the queue until they reach its head; drop them in one pass before they pile up.
            if (_order.Count > 2 * Capacity)
            {
                (string Key, Entry Entry)[] live = [.. _order.Where(item => IsCurrent(item.Key, item.Entry))];
                _order.Clear();
                foreach ((string Key, Entry Entry) item in live)
                {
                    _order.Enqueue(item);
                }
            }
        }

        hit = false;
        TaskCompletionSource<byte[]?> answer = entry.Reply!;
        _ = CompleteAsync(key, entry, answer, run);
        return answer.Task;
    }

    private async Task CompleteAsync(string key, Entry entry, TaskCompletionSource<byte[]?> answer, Func<Task<byte[]?>> run)
    {
        byte[]? reply = null;
        try
        {
            reply = await run().ConfigureAwait(false);
            answer.TrySetResult(reply);
        }
        catch (Exception e)
        {
            answer.TrySetException(e);
        }

        if (reply is null || reply.Length > MaxCachedReplyBytes)
        {
            lock (_lock)
            {
                Remove(key, entry);
            }
        }
    }

    // Under _lock. The queue may hold entries already removed (forgotten large replies, evictions); they are skipped.
    private void Expire(TimeSpan now)
    {
        while (_order.TryPeek(out (string Key, Entry Entry) oldest) && (now - oldest.Entry.At >= Lifetime || !IsCurrent(oldest.Key, oldest.Entry)))
        {
            _order.Dequeue();
            Remove(oldest.Key, oldest.Entry);
        }
    }

    private bool IsCurrent(string key, Entry entry) => _entries.TryGetValue(key, out Entry? current) && ReferenceEquals(current, entry);

    // A removed entry may still sit in _order until it reaches the head, so it lets go of its reply here: before, every
    // forgotten 140 KB storage.prove reply stayed reachable through the queue for the full five minutes (hundreds of MB
    // under load, found with dotnet-gcdump).
    private void Remove(string key, Entry entry)
    {
        if (IsCurrent(key, entry))
        {
            _entries.Remove(key);
        }

        entry.Reply = null;
    }

    private sealed class Entry(TimeSpan at)
    {
        public TimeSpan At { get; } = at;

        /// <summary>The reply while the entry is remembered; null once removed (the waiters hold its task).</summary>
        public TaskCompletionSource<byte[]?>? Reply { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
