// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Verification;

/// <summary>The outcome of a <see cref="NonceStore"/> check or commit.</summary>
public enum NonceVerdict
{
    /// <summary>The nonce is acceptable (check) or recorded (commit).</summary>
    Accepted,

    /// <summary>Older than <c>now − (Δ + T)</c> (401).</summary>
    Stale,

    /// <summary>Newer than <c>now + Δ</c> (401).</summary>
    TooFarInFuture,

    /// <summary>Not greater than the last nonce seen for the same (hotkey, uuid) (401).</summary>
    Replayed,

    /// <summary>A new (hotkey, uuid) key while the table is full (503).</summary>
    TableFull,
}

/// <summary>
/// The nonce rules of specs/protocol.md §3.4. With <c>now</c> the clock's wall time in ns, <c>Δ</c> =
/// <see cref="ProtocolConstants.NonceSkew"/> and <c>T</c> the request timeout: always
/// <c>now − (Δ + T) ≤ nonce ≤ now + Δ</c>; per (hotkey, uuid) already seen, <c>nonce &gt; last_nonce</c>.
/// </summary>
/// <remarks>
/// <para>
/// Use <see cref="Check"/> before reading the body (§3.3 step 5) and <see cref="Commit"/> only after the signature verifies
/// (step 8): an unsigned request never moves a stored nonce. <see cref="Commit"/> re-checks ordering and capacity
/// atomically, so of two concurrent requests with the same key and nonce exactly one is accepted.
/// </para>
/// <para>
/// Entries whose last nonce is older than <c>now − (Δ + 120 s)</c> are dropped (every replay of them fails the window,
/// since T ≤ 120 s): when the table is full before refusing a new key, and otherwise at most once per
/// <see cref="PruneInterval"/>. At most <see cref="Capacity"/> keys are kept. Thread-safe: one lock guards the table.
/// </para>
/// </remarks>
public sealed class NonceStore
{
    /// <summary>How often, on the wall clock, a call also prunes expired entries.</summary>
    public static readonly TimeSpan PruneInterval = TimeSpan.FromSeconds(10);

    private static readonly ulong s_skewNs = ToNanos(ProtocolConstants.NonceSkew);
    private static readonly ulong s_retentionNs = ToNanos(ProtocolConstants.NonceSkew + ProtocolConstants.NonceRetention);

    private readonly Lock _lock = new();
    private readonly Dictionary<NonceKey, ulong> _last = [];
    private readonly IClock _clock;
    private ulong _lastPruneNs;

    /// <summary>A store timed by <paramref name="clock"/> holding at most <paramref name="capacity"/> keys.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is not positive.</exception>
    public NonceStore(IClock clock, int capacity = ProtocolConstants.MaxNonceKeys)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (capacity <= 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(capacity), capacity, "Capacity must be positive.");
        }

        _clock = clock;
        Capacity = capacity;
    }

    /// <summary>Most keys kept.</summary>
    public int Capacity { get; }

    /// <summary>Keys currently stored.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _last.Count;
            }
        }
    }

    /// <summary>The pre-check of §3.3 step 5: window, ordering and room for a new key. Stores nothing.</summary>
    public NonceVerdict Check(in PublicKey hotkey, Guid uuid, ulong nonce, TimeSpan timeout) =>
        Evaluate(new NonceKey(hotkey, uuid), nonce, timeout, commit: false);

    /// <summary>Records <paramref name="nonce"/> for (hotkey, uuid) when it still passes every rule (§3.3 step 8).</summary>
    public NonceVerdict Commit(in PublicKey hotkey, Guid uuid, ulong nonce, TimeSpan timeout) =>
        Evaluate(new NonceKey(hotkey, uuid), nonce, timeout, commit: true);

    /// <summary>Drops entries older than <c>now − (Δ + 120 s)</c>; returns how many were dropped.</summary>
    public int Prune()
    {
        ulong now = UnixNanos.From(_clock.UtcNow);
        lock (_lock)
        {
            return PruneLocked(now);
        }
    }

    private NonceVerdict Evaluate(NonceKey key, ulong nonce, TimeSpan timeout, bool commit)
    {
        if (timeout < TimeSpan.Zero)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(timeout), timeout, "A timeout cannot be negative.");
        }

        ulong now = UnixNanos.From(_clock.UtcNow);
        ulong back = s_skewNs + ToNanos(timeout);
        ulong lower = now > back ? now - back : 0;
        ulong upper = now > ulong.MaxValue - s_skewNs ? ulong.MaxValue : now + s_skewNs;
        if (nonce < lower)
        {
            return NonceVerdict.Stale;
        }

        if (nonce > upper)
        {
            return NonceVerdict.TooFarInFuture;
        }

        lock (_lock)
        {
            if (now - Math.Min(now, _lastPruneNs) >= ToNanos(PruneInterval))
            {
                PruneLocked(now);
            }

            if (_last.TryGetValue(key, out ulong last))
            {
                if (nonce <= last)
                {
                    return NonceVerdict.Replayed;
                }
            }
            else if (_last.Count >= Capacity && PruneLocked(now) == 0 && _last.Count >= Capacity)
            {
                return NonceVerdict.TableFull;
            }

            if (commit)
            {
                _last[key] = nonce;
            }

            return NonceVerdict.Accepted;
        }
    }

    private int PruneLocked(ulong now)
    {
        _lastPruneNs = now;
        ulong cutoff = now > s_retentionNs ? now - s_retentionNs : 0;
        int removed = 0;
        foreach (KeyValuePair<NonceKey, ulong> entry in _last)
        {
            if (entry.Value < cutoff)
            {
                _last.Remove(entry.Key);
                removed++;
            }
        }

        return removed;
    }

    private static ulong ToNanos(TimeSpan span) => (ulong)span.Ticks * 100UL;

    private readonly record struct NonceKey(PublicKey Hotkey, Guid Uuid);
}
