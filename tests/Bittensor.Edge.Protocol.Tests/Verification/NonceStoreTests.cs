// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Protocol.Verification;

namespace Bittensor.Edge.Protocol.Tests.Verification;

public class NonceStoreTests
{
    private const ulong Second = 1_000_000_000;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(12);
    private static readonly PublicKey s_alice = new(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly PublicKey s_bob = new(Enumerable.Repeat((byte)2, 32).ToArray());

    private readonly ManualClock _clock = new();

    private ulong Now => UnixNanos.From(_clock.UtcNow);

    [Fact]
    public void A_nonce_at_now_is_accepted_and_committed()
    {
        NonceStore store = new(_clock);
        Guid uuid = Guid.NewGuid();

        Assert.Equal(NonceVerdict.Accepted, store.Check(s_alice, uuid, Now, s_timeout));
        Assert.Equal(0, store.Count);
        Assert.Equal(NonceVerdict.Accepted, store.Commit(s_alice, uuid, Now, s_timeout));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void The_window_is_inclusive_at_now_minus_skew_plus_timeout_and_at_now_plus_skew()
    {
        NonceStore store = new(_clock);
        ulong lower = Now - (16 * Second);
        ulong upper = Now + (4 * Second);

        Assert.Equal(NonceVerdict.Accepted, store.Check(s_alice, Guid.NewGuid(), lower, s_timeout));
        Assert.Equal(NonceVerdict.Stale, store.Check(s_alice, Guid.NewGuid(), lower - 1, s_timeout));
        Assert.Equal(NonceVerdict.Accepted, store.Check(s_alice, Guid.NewGuid(), upper, s_timeout));
        Assert.Equal(NonceVerdict.TooFarInFuture, store.Check(s_alice, Guid.NewGuid(), upper + 1, s_timeout));
    }

    [Fact]
    public void A_longer_timeout_widens_only_the_lower_bound()
    {
        NonceStore store = new(_clock);
        ulong old = Now - (100 * Second);

        Assert.Equal(NonceVerdict.Stale, store.Check(s_alice, Guid.NewGuid(), old, s_timeout));
        Assert.Equal(NonceVerdict.Accepted, store.Check(s_alice, Guid.NewGuid(), old, TimeSpan.FromSeconds(120)));
        Assert.Equal(NonceVerdict.TooFarInFuture, store.Check(s_alice, Guid.NewGuid(), Now + (5 * Second), TimeSpan.FromSeconds(120)));
    }

    [Fact]
    public void Per_hotkey_and_uuid_nonces_must_strictly_increase()
    {
        NonceStore store = new(_clock);
        Guid uuid = Guid.NewGuid();
        ulong nonce = Now;

        Assert.Equal(NonceVerdict.Accepted, store.Commit(s_alice, uuid, nonce, s_timeout));
        Assert.Equal(NonceVerdict.Replayed, store.Check(s_alice, uuid, nonce, s_timeout));
        Assert.Equal(NonceVerdict.Replayed, store.Check(s_alice, uuid, nonce - 1, s_timeout));
        Assert.Equal(NonceVerdict.Replayed, store.Commit(s_alice, uuid, nonce, s_timeout));
        Assert.Equal(NonceVerdict.Accepted, store.Commit(s_alice, uuid, nonce + 1, s_timeout));
    }

    [Fact]
    public void Another_uuid_or_another_hotkey_is_a_separate_key()
    {
        NonceStore store = new(_clock);
        Guid uuid = Guid.NewGuid();
        ulong nonce = Now;
        store.Commit(s_alice, uuid, nonce, s_timeout);

        Assert.Equal(NonceVerdict.Accepted, store.Commit(s_alice, Guid.NewGuid(), nonce, s_timeout));
        Assert.Equal(NonceVerdict.Accepted, store.Commit(s_bob, uuid, nonce, s_timeout));
        Assert.Equal(3, store.Count);
    }

    [Fact]
    public void A_check_alone_never_moves_the_stored_nonce()
    {
        NonceStore store = new(_clock);
        Guid uuid = Guid.NewGuid();
        ulong nonce = Now;
        store.Commit(s_alice, uuid, nonce, s_timeout);

        Assert.Equal(NonceVerdict.Accepted, store.Check(s_alice, uuid, nonce + 10, s_timeout));
        Assert.Equal(NonceVerdict.Accepted, store.Commit(s_alice, uuid, nonce + 5, s_timeout));
    }

    [Fact]
    public void Entries_older_than_skew_plus_120_seconds_are_pruned_and_their_replays_fail_the_window()
    {
        NonceStore store = new(_clock);
        Guid uuid = Guid.NewGuid();
        ulong nonce = Now;
        store.Commit(s_alice, uuid, nonce, s_timeout);
        Assert.Equal(NonceVerdict.Accepted, store.Commit(s_bob, Guid.NewGuid(), nonce + (3 * Second), s_timeout));

        _clock.Advance(TimeSpan.FromSeconds(124));
        Assert.Equal(0, store.Prune());
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, store.Prune());
        Assert.Equal(1, store.Count);
        Assert.Equal(NonceVerdict.Stale, store.Check(s_alice, uuid, nonce, TimeSpan.FromSeconds(120)));
    }

    [Fact]
    public void A_full_table_refuses_new_keys_but_serves_known_ones()
    {
        NonceStore store = new(_clock, capacity: 2);
        Guid first = Guid.NewGuid();
        ulong nonce = Now;
        store.Commit(s_alice, first, nonce, s_timeout);
        store.Commit(s_alice, Guid.NewGuid(), nonce, s_timeout);

        Assert.Equal(NonceVerdict.TableFull, store.Check(s_alice, Guid.NewGuid(), nonce, s_timeout));
        Assert.Equal(NonceVerdict.TableFull, store.Commit(s_bob, Guid.NewGuid(), nonce, s_timeout));
        Assert.Equal(NonceVerdict.Accepted, store.Commit(s_alice, first, nonce + 1, s_timeout));
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public void A_full_table_makes_room_by_pruning_expired_entries()
    {
        NonceStore store = new(_clock, capacity: 1);
        store.Commit(s_alice, Guid.NewGuid(), Now, s_timeout);
        _clock.Advance(TimeSpan.FromSeconds(125));

        Assert.Equal(NonceVerdict.Accepted, store.Commit(s_bob, Guid.NewGuid(), Now, s_timeout));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void The_default_capacity_is_200000_keys()
    {
        Assert.Equal(200_000, new NonceStore(_clock).Capacity);
    }

    [Fact]
    public async Task Of_concurrent_commits_of_one_key_and_nonce_exactly_one_is_accepted()
    {
        NonceStore store = new(_clock);
        Guid uuid = Guid.NewGuid();
        ulong nonce = Now;

        NonceVerdict[] verdicts = await Task.WhenAll(
            Enumerable.Range(0, 64).Select(_ => Task.Run(() => store.Commit(s_alice, uuid, nonce, s_timeout), TestContext.Current.CancellationToken)));

        Assert.Equal(1, verdicts.Count(v => v == NonceVerdict.Accepted));
        Assert.Equal(63, verdicts.Count(v => v == NonceVerdict.Replayed));
    }
}
