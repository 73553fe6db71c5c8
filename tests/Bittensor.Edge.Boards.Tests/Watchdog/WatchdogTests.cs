// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net.Sockets;
using System.Text;
using Bittensor.Edge.Boards.Watchdog;
using Bittensor.Edge.Core.Time;

namespace Bittensor.Edge.Boards.Tests.Watchdog;

public sealed class WatchdogTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(10);

    [Fact]
    public void Pings_reach_the_notify_socket_while_healthy()
    {
        using FakeSysfs dir = new();
        using NotifySocket systemd = NotifySocket.BindPath(Path.Combine(dir.Root, "notify"));
        using SdNotifier notifier = new(systemd.NotifySocketValue);
        notifier.Start();
        ManualClock clock = new();
        WatchdogHealth health = new(clock);
        WatchdogPinger pinger = new(notifier, clock, s_interval, health.IsHealthy);

        health.MainLoopTicked();
        Assert.True(pinger.Tick());
        Assert.Equal(["WATCHDOG=1"], systemd.Drain());

        clock.Advance(TimeSpan.FromSeconds(4));
        health.MainLoopTicked();
        Assert.False(pinger.Tick()); // not due yet
        clock.Advance(TimeSpan.FromSeconds(6));
        health.MainLoopTicked();
        Assert.True(pinger.Tick());
        Assert.Equal(["WATCHDOG=1"], systemd.Drain());
    }

    [Fact]
    public void Pings_stop_when_the_main_loop_stalls_and_resume_when_it_ticks()
    {
        using FakeSysfs dir = new();
        using NotifySocket systemd = NotifySocket.BindPath(Path.Combine(dir.Root, "notify"));
        using SdNotifier notifier = new(systemd.NotifySocketValue);
        notifier.Start();
        ManualClock clock = new();
        WatchdogHealth health = new(clock);
        WatchdogPinger pinger = new(notifier, clock, s_interval, health.IsHealthy);
        health.MainLoopTicked();
        Assert.True(pinger.Tick());
        systemd.Drain();

        // The loop last ticked 10 s ago: more than 5 s, so no ping, now or later.
        clock.Advance(s_interval);
        Assert.False(pinger.Tick());
        clock.Advance(s_interval);
        Assert.False(pinger.Tick());
        Assert.Empty(systemd.Drain());
        Assert.Equal(2, pinger.Withheld);

        health.MainLoopTicked();
        Assert.True(pinger.Tick());
        Assert.Equal(["WATCHDOG=1"], systemd.Drain());
    }

    [Fact]
    public void Pings_stop_while_a_worker_is_stuck_past_its_deadline()
    {
        ManualClock clock = new();
        VirtualSystemdNotifier notifier = new();
        WatchdogHealth health = new(clock);
        WatchdogPinger pinger = new(notifier, clock, s_interval, health.IsHealthy);

        health.HandlerStarted("storage", TimeSpan.FromSeconds(10));
        for (int second = 0; second <= 60; second++)
        {
            health.MainLoopTicked();
            pinger.Tick();
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Deadline at 10 s plus 30 s grace: pings at 0, 10, 20, 30 and 40 s, then none.
        Assert.Equal(5, notifier.Sent.Count);
        Assert.False(health.IsHealthy());

        health.HandlerFinished("storage");
        health.MainLoopTicked();
        Assert.True(pinger.Tick());
    }

    [Fact]
    public void Unhealthy_before_the_first_main_loop_tick()
    {
        ManualClock clock = new();
        VirtualSystemdNotifier notifier = new();
        WatchdogPinger pinger = new(notifier, clock, s_interval, new WatchdogHealth(clock).IsHealthy);
        Assert.False(pinger.Tick());
        Assert.Empty(notifier.Sent);
    }

    [Fact]
    public void Abstract_notify_socket_with_a_leading_at_is_supported()
    {
        string name = "bte-test-" + Guid.NewGuid().ToString("N");
        using NotifySocket systemd = NotifySocket.BindAbstract(name);
        using SdNotifier notifier = new("@" + name);
        notifier.Start();
        Assert.True(notifier.TryNotify("READY=1\nSTATUS=ok"));
        Assert.Equal(["READY=1\nSTATUS=ok"], systemd.Drain());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Without_notify_socket_notifications_do_nothing(string? value)
    {
        using SdNotifier notifier = new(value);
        notifier.Start();
        Assert.False(notifier.IsEnabled);
        Assert.False(notifier.TryNotify(WatchdogPinger.Ping));
    }

    [Fact]
    public void A_vanished_notify_socket_reads_false_without_throwing()
    {
        using FakeSysfs dir = new();
        using SdNotifier notifier = new(Path.Combine(dir.Root, "gone"));
        notifier.Start();
        Assert.False(notifier.TryNotify(WatchdogPinger.Ping));
    }

    [Theory]
    [InlineData("30000000", 10_000)]
    [InlineData("3000", 1)]
    public void Interval_is_a_third_of_watchdog_usec(string usec, int expectedMs)
    {
        Assert.True(WatchdogPinger.TryGetInterval(usec, out TimeSpan interval));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), interval);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("30s")]
    public void Malformed_watchdog_usec_reads_false(string? usec)
    {
        Assert.False(WatchdogPinger.TryGetInterval(usec, out _));
    }

    [Fact]
    public void A_relative_notify_socket_disables_the_notifier()
    {
        using SdNotifier notifier = SdNotifier.FromEnvironment(name => name == SdNotifier.NotifySocketVariable ? "relative/path" : null);
        notifier.Start();
        Assert.False(notifier.IsEnabled);
        Assert.Null(notifier.SocketPath);
    }

    [Fact]
    public void The_interval_is_for_our_pid_only_when_watchdog_pid_is_set()
    {
        static Func<string, string?> Env(string? usec, string? pid) => name => name switch
        {
            WatchdogPinger.WatchdogUsecVariable => usec,
            WatchdogPinger.WatchdogPidVariable => pid,
            _ => null,
        };

        Assert.True(WatchdogPinger.TryGetInterval(Env("30000000", "42"), 42, out TimeSpan ours));
        Assert.Equal(TimeSpan.FromSeconds(10), ours);
        Assert.True(WatchdogPinger.TryGetInterval(Env("3000000", null), 42, out TimeSpan anyPid));
        Assert.Equal(TimeSpan.FromSeconds(1), anyPid);
        Assert.False(WatchdogPinger.TryGetInterval(Env("30000000", "7"), 42, out _));
        Assert.False(WatchdogPinger.TryGetInterval(Env("30000000", "x"), 42, out _));
        Assert.False(WatchdogPinger.TryGetInterval(Env(null, "42"), 42, out _));
    }

    [Fact]
    public async Task The_run_loop_pings_each_interval_while_healthy_skips_when_not_and_ends_on_cancel()
    {
        using FakeSysfs dir = new();
        using NotifySocket systemd = NotifySocket.BindPath(Path.Combine(dir.Root, "notify"));
        using SdNotifier notifier = new(systemd.NotifySocketValue);
        notifier.Start();
        using SignallingClock clock = new();
        Queue<bool> answers = new([true, true, false, true]);
        WatchdogPinger pinger = new(notifier, clock, TimeSpan.FromSeconds(1), () => answers.Dequeue());
        using CancellationTokenSource stop = new();
        Task run = pinger.RunAsync(stop.Token);

        await clock.NextDelayAsync();
        Assert.Equal(["WATCHDOG=1"], systemd.Drain());
        clock.Inner.Advance(TimeSpan.FromSeconds(1));
        await clock.NextDelayAsync();
        Assert.Equal(["WATCHDOG=1"], systemd.Drain());
        clock.Inner.Advance(TimeSpan.FromSeconds(1));
        await clock.NextDelayAsync();
        Assert.Empty(systemd.Drain());
        clock.Inner.Advance(TimeSpan.FromSeconds(1));
        await clock.NextDelayAsync();
        Assert.Equal(["WATCHDOG=1"], systemd.Drain());
        Assert.Empty(answers);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public void Concurrent_handlers_of_one_worker_are_tracked_apart()
    {
        ManualClock clock = new();
        WatchdogHealth health = new(clock);
        health.MainLoopTicked();
        HandlerScope slow = health.BeginHandler("bus", TimeSpan.FromSeconds(1));
        using (health.BeginHandler("bus", TimeSpan.FromSeconds(1)))
        {
            Assert.Equal(2, health.RunningHandlers);
        }

        // The second handler finishing does not clear the first, which then sticks past its deadline + 30 s.
        Assert.Equal(1, health.RunningHandlers);
        clock.Advance(TimeSpan.FromSeconds(32));
        health.MainLoopTicked();
        Assert.False(health.IsHealthy());
        slow.Dispose();
        Assert.True(health.IsHealthy());
    }

    // A ManualClock that tells the test each time the loop starts waiting, so the test advances only then.
    private sealed class SignallingClock : Core.IClock, IDisposable
    {
        private readonly SemaphoreSlim _delays = new(0);

        public ManualClock Inner { get; } = new(DateTimeOffset.UnixEpoch);

        public DateTimeOffset UtcNow => Inner.UtcNow;

        public TimeSpan Elapsed => Inner.Elapsed;

        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken = default)
        {
            Task task = Inner.DelayAsync(delay, cancellationToken);
            _delays.Release();
            return task;
        }

        public async Task NextDelayAsync() => Assert.True(await _delays.WaitAsync(TimeSpan.FromSeconds(10)), "the watchdog loop did not wait again");

        public void Dispose() => _delays.Dispose();
    }

    /// <summary>The test's stand-in for systemd: a bound Unix datagram socket.</summary>
    private sealed class NotifySocket : IDisposable
    {
        private readonly Socket _socket;

        private NotifySocket(Socket socket, string notifySocketValue)
        {
            _socket = socket;
            NotifySocketValue = notifySocketValue;
        }

        public string NotifySocketValue { get; }

        public static NotifySocket BindPath(string path) => Bind(path, path);

        public static NotifySocket BindAbstract(string name) => Bind("\0" + name, "@" + name);

        public List<string> Drain()
        {
            List<string> received = [];
            byte[] buffer = new byte[4096];
            // Unix datagrams are queued before SendTo returns, so nothing pending means nothing was sent.
            while (_socket.Available > 0)
            {
                int length = _socket.Receive(buffer);
                received.Add(Encoding.UTF8.GetString(buffer, 0, length));
            }

            return received;
        }

        public void Dispose() => _socket.Dispose();

        private static NotifySocket Bind(string endPointPath, string value)
        {
            Socket socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(endPointPath));
            return new NotifySocket(socket, value);
        }
    }
}
