// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Verification;

/// <summary>Token-bucket budgets of <see cref="HotkeyRateLimiter"/> (specs/protocol.md §3.3 step 4).</summary>
/// <remarks>
/// The validator default, 200 requests/s with a burst of 1 000, covers a full store round (at most 64 StoreChunk per
/// round, storage-proofs.md §3) and a 5 s capacity burst at concurrency 16 (inference.md §5) at up to 200 completions/s
/// per caller without a 429. Raise it for a gateway whose fleet answers faster.
/// </remarks>
public sealed record RateLimitOptions
{
    /// <summary>Sustained requests per second for a caller without a validator permit (20).</summary>
    public double PermitlessPerSecond { get; init; } = 20;

    /// <summary>Burst for a caller without a validator permit (40).</summary>
    public double PermitlessBurst { get; init; } = 40;

    /// <summary>Sustained requests per second for a caller with a validator permit.</summary>
    public double ValidatorPerSecond { get; init; } = 200;

    /// <summary>Burst for a caller with a validator permit.</summary>
    public double ValidatorBurst { get; init; } = 1_000;

    /// <summary>Checks every budget is positive and each burst at least one request; throws <see cref="ArgumentException"/> otherwise.</summary>
    public void Validate()
    {
        if (!(PermitlessPerSecond > 0) || !(ValidatorPerSecond > 0) || !(PermitlessBurst >= 1) || !(ValidatorBurst >= 1)
            || double.IsInfinity(PermitlessPerSecond) || double.IsInfinity(ValidatorPerSecond)
            || double.IsInfinity(PermitlessBurst) || double.IsInfinity(ValidatorBurst))
        {
            ThrowHelper.ThrowArgument(nameof(RateLimitOptions), "Rates must be positive and finite, and bursts at least 1.");
        }
    }
}

/// <summary>
/// A token bucket per hotkey on <see cref="IClock.Elapsed"/> (monotonic): each request takes one token; the bucket
/// refills at the caller's rate up to its burst. A caller's class (validator permit or not) is given per call, so a
/// permit gained or lost applies at once.
/// </summary>
/// <remarks>
/// Thread-safe; each bucket has its own lock. Only callers that passed the blacklist reach the limiter, so the table is
/// bounded by the metagraph; idle full buckets are still dropped once the table holds more than
/// <see cref="PruneThreshold"/> hotkeys.
/// </remarks>
public sealed class HotkeyRateLimiter
{
    /// <summary>Table size above which idle full buckets are dropped.</summary>
    public const int PruneThreshold = 4_096;

    private readonly ConcurrentDictionary<PublicKey, Bucket> _buckets = new();
    private readonly IClock _clock;
    private readonly RateLimitOptions _options;

    /// <summary>A limiter with <paramref name="options"/> timed by <paramref name="clock"/>.</summary>
    public HotkeyRateLimiter(IClock clock, RateLimitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _options = options ?? new RateLimitOptions();
        _options.Validate();
    }

    /// <summary>Hotkeys with a bucket.</summary>
    public int TrackedHotkeys => _buckets.Count;

    /// <summary>
    /// Whether <paramref name="hotkey"/> has a token left, without taking it: the axon's cheap early check (§3.3
    /// step 4), before the body is read. Only <see cref="TryAcquire"/>, called once the signature verified, spends.
    /// </summary>
    public bool HasToken(in PublicKey hotkey, bool validatorPermit) => Take(hotkey, validatorPermit, spend: false);

    /// <summary>Takes one token for <paramref name="hotkey"/>; <see langword="false"/> means answer 429.</summary>
    public bool TryAcquire(in PublicKey hotkey, bool validatorPermit) => Take(hotkey, validatorPermit, spend: true);

    private bool Take(in PublicKey hotkey, bool validatorPermit, bool spend)
    {
        double rate = validatorPermit ? _options.ValidatorPerSecond : _options.PermitlessPerSecond;
        double burst = validatorPermit ? _options.ValidatorBurst : _options.PermitlessBurst;
        TimeSpan now = _clock.Elapsed;
        if (_buckets.Count > PruneThreshold)
        {
            Prune(now);
        }

        if (!spend && !_buckets.ContainsKey(hotkey))
        {
            return true; // a fresh bucket is full
        }

        Bucket bucket = _buckets.GetOrAdd(hotkey, static (_, state) => new Bucket(state.burst, state.now), (burst, now));
        lock (bucket)
        {
            double refill = (now - bucket.Last).TotalSeconds * rate;
            if (refill > 0)
            {
                bucket.Tokens = Math.Min(burst, bucket.Tokens + refill);
                bucket.Last = now;
            }
            else
            {
                bucket.Tokens = Math.Min(burst, bucket.Tokens);
            }

            if (bucket.Tokens >= 1)
            {
                if (spend)
                {
                    bucket.Tokens -= 1;
                }
                return true;
            }

            return false;
        }
    }

    private void Prune(TimeSpan now)
    {
        double slowest = Math.Min(_options.PermitlessPerSecond, _options.ValidatorPerSecond);
        double biggest = Math.Max(_options.PermitlessBurst, _options.ValidatorBurst);
        TimeSpan refillAll = TimeSpan.FromSeconds(biggest / slowest);
        foreach (KeyValuePair<PublicKey, Bucket> entry in _buckets)
        {
            bool idle;
            lock (entry.Value)
            {
                idle = now - entry.Value.Last >= refillAll;
            }

            if (idle)
            {
                _buckets.TryRemove(entry);
            }
        }
    }

    private sealed class Bucket(double tokens, TimeSpan last)
    {
        public double Tokens { get; set; } = tokens;

        public TimeSpan Last { get; set; } = last;
    }
}
