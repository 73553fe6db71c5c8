// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Protocol.Verification;

namespace Bittensor.Edge.Protocol.Tests.Verification;

public class StakePriorityGateTests
{
    [Fact]
    public async Task A_free_slot_is_entered_at_once()
    {
        StakePriorityGate gate = new(maxConcurrent: 1, maxQueued: 0);

        (QueueVerdict verdict, QueueLease? lease) = await gate.EnterAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(QueueVerdict.Entered, verdict);
        Assert.NotNull(lease);
        Assert.Equal(1, gate.Running);
        lease.Dispose();
        lease.Dispose();
        Assert.Equal(0, gate.Running);
    }

    [Fact]
    public async Task A_full_queue_answers_Full()
    {
        StakePriorityGate gate = new(maxConcurrent: 1, maxQueued: 1);
        (_, QueueLease? running) = await gate.EnterAsync(0, TestContext.Current.CancellationToken);
        using CancellationTokenSource never = new();
        ValueTask<(QueueVerdict, QueueLease?)> queued = gate.EnterAsync(0, never.Token);

        (QueueVerdict verdict, QueueLease? lease) = await gate.EnterAsync(0, never.Token);

        Assert.Equal(QueueVerdict.Full, verdict);
        Assert.Null(lease);
        running!.Dispose();
        (QueueVerdict second, QueueLease? secondLease) = await queued;
        Assert.Equal(QueueVerdict.Entered, second);
        secondLease!.Dispose();
    }

    [Fact]
    public async Task The_highest_stake_waiting_runs_next_and_equal_stakes_keep_arrival_order()
    {
        StakePriorityGate gate = new(maxConcurrent: 1, maxQueued: 8);
        CancellationToken none = TestContext.Current.CancellationToken;
        (_, QueueLease? running) = await gate.EnterAsync(0, none);
        List<string> order = [];
        Task Enter(string name, ulong stake) => Task.Run(
            async () =>
            {
                (_, QueueLease? lease) = await gate.EnterAsync(stake, none);
                lock (order)
                {
                    order.Add(name);
                }

                lease!.Dispose();
            },
            none);

        Task low = Enter("low", 1);
        while (gate.Queued < 1)
        {
            await Task.Yield();
        }

        Task highFirst = Enter("high-1", 500);
        while (gate.Queued < 2)
        {
            await Task.Yield();
        }

        Task highSecond = Enter("high-2", 500);
        while (gate.Queued < 3)
        {
            await Task.Yield();
        }

        running!.Dispose();
        await Task.WhenAll(low, highFirst, highSecond);

        Assert.Equal(["high-1", "high-2", "low"], order);
    }

    [Fact]
    public async Task A_deadline_passing_while_queued_answers_DeadlinePassed_and_frees_the_place()
    {
        StakePriorityGate gate = new(maxConcurrent: 1, maxQueued: 1);
        (_, QueueLease? running) = await gate.EnterAsync(0, TestContext.Current.CancellationToken);
        using CancellationTokenSource deadline = new();
        ValueTask<(QueueVerdict, QueueLease?)> queued = gate.EnterAsync(0, deadline.Token);

        await deadline.CancelAsync();
        (QueueVerdict verdict, QueueLease? lease) = await queued;

        Assert.Equal(QueueVerdict.DeadlinePassed, verdict);
        Assert.Null(lease);
        Assert.Equal(0, gate.Queued);
        running!.Dispose();
        Assert.Equal(0, gate.Running);
    }
}
