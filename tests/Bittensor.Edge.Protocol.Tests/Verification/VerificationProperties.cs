// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Protocol.Verification;
using FsCheck.Xunit;

namespace Bittensor.Edge.Protocol.Tests.Verification;

public class VerificationProperties
{
    private static readonly PublicKey s_alice = new(Enumerable.Repeat((byte)1, 32).ToArray());

    [Property]
    public bool A_commit_is_accepted_exactly_when_its_nonce_exceeds_every_earlier_accepted_one(ushort[] offsetsMs)
    {
        ManualClock clock = new();
        NonceStore store = new(clock);
        Guid uuid = Guid.NewGuid();
        ulong start = UnixNanos.From(clock.UtcNow) - 4_000_000_000UL;
        ulong? highest = null;
        foreach (ushort offset in offsetsMs ?? [])
        {
            ulong nonce = start + ((ulong)(offset % 8_000) * 1_000_000UL);
            NonceVerdict verdict = store.Commit(s_alice, uuid, nonce, TimeSpan.FromSeconds(12));
            bool expected = highest is null || nonce > highest;
            if ((verdict == NonceVerdict.Accepted) != expected)
            {
                return false;
            }

            if (expected)
            {
                highest = nonce;
            }
        }

        return true;
    }

    [Property]
    public bool The_limiter_never_grants_more_than_burst_plus_rate_times_elapsed(byte[] stepsMs, bool permit)
    {
        ManualClock clock = new();
        RateLimitOptions options = new() { PermitlessPerSecond = 20, PermitlessBurst = 40, ValidatorPerSecond = 50, ValidatorBurst = 100 };
        HotkeyRateLimiter limiter = new(clock, options);
        double rate = permit ? 50 : 20;
        double burst = permit ? 100 : 40;
        int granted = 0;
        foreach (byte step in stepsMs ?? [])
        {
            clock.Advance(TimeSpan.FromMilliseconds(step));
            for (int i = 0; i < 3; i++)
            {
                granted += limiter.TryAcquire(s_alice, permit) ? 1 : 0;
            }
        }

        return granted <= burst + (rate * clock.Elapsed.TotalSeconds) + 1e-9;
    }
}
