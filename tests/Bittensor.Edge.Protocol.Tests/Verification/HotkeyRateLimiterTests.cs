// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Protocol.Verification;

namespace Bittensor.Edge.Protocol.Tests.Verification;

public class HotkeyRateLimiterTests
{
    private static readonly PublicKey s_alice = new(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly PublicKey s_bob = new(Enumerable.Repeat((byte)2, 32).ToArray());

    private readonly ManualClock _clock = new();

    [Fact]
    public void A_caller_without_a_permit_gets_a_burst_of_40_then_20_per_second()
    {
        HotkeyRateLimiter limiter = new(_clock);

        Assert.Equal(40, Drain(limiter, s_alice, permit: false));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(20, Drain(limiter, s_alice, permit: false));
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(1, Drain(limiter, s_alice, permit: false));
    }

    [Fact]
    public void The_bucket_never_refills_beyond_its_burst()
    {
        HotkeyRateLimiter limiter = new(_clock);
        Drain(limiter, s_alice, permit: false);

        _clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(40, Drain(limiter, s_alice, permit: false));
    }

    [Fact]
    public void A_validator_permit_gets_the_larger_configured_budget()
    {
        HotkeyRateLimiter limiter = new(_clock, new RateLimitOptions { ValidatorPerSecond = 100, ValidatorBurst = 300 });

        Assert.Equal(300, Drain(limiter, s_alice, permit: true));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(100, Drain(limiter, s_alice, permit: true));
    }

    [Fact]
    public void The_default_validator_budget_covers_a_store_round_and_a_capacity_burst()
    {
        RateLimitOptions defaults = new();

        Assert.True(defaults.ValidatorBurst >= 64 + 16);
        Assert.True(defaults.ValidatorPerSecond > defaults.PermitlessPerSecond);
    }

    [Fact]
    public void Hotkeys_have_separate_buckets()
    {
        HotkeyRateLimiter limiter = new(_clock);
        Drain(limiter, s_alice, permit: false);

        Assert.True(limiter.TryAcquire(s_bob, validatorPermit: false));
        Assert.False(limiter.TryAcquire(s_alice, validatorPermit: false));
        Assert.Equal(2, limiter.TrackedHotkeys);
    }

    [Fact]
    public void Losing_a_permit_caps_the_bucket_at_the_smaller_burst()
    {
        HotkeyRateLimiter limiter = new(_clock);
        Assert.True(limiter.TryAcquire(s_alice, validatorPermit: true));

        Assert.Equal(40, Drain(limiter, s_alice, permit: false));
    }

    [Fact]
    public void Options_with_a_zero_rate_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new HotkeyRateLimiter(_clock, new RateLimitOptions { PermitlessPerSecond = 0 }));
    }

    private static int Drain(HotkeyRateLimiter limiter, PublicKey hotkey, bool permit)
    {
        int granted = 0;
        while (limiter.TryAcquire(hotkey, permit))
        {
            granted++;
            Assert.True(granted < 100_000);
        }

        return granted;
    }
}
