// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net.Sockets;
using System.Text;
using Bittensor.Edge.Core.Time;

namespace Bittensor.Edge.Node.Tests;

public sealed class SystemdNotifierTests : IDisposable
{
    private readonly string _socketPath = Path.Combine(Path.GetTempPath(), "bte-notify-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
    private readonly Socket _systemd = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public SystemdNotifierTests() => _systemd.Bind(new UnixDomainSocketEndPoint(_socketPath));

    public void Dispose()
    {
        _systemd.Dispose();
        File.Delete(_socketPath);
    }

    [Fact]
    public void Without_notify_socket_there_is_no_notifier()
    {
        Assert.Null(SystemdNotifier.Create(_ => null, 42));
        Assert.Null(SystemdNotifier.Create(name => name == "NOTIFY_SOCKET" ? "relative/path" : null, 42));
    }

    [Fact]
    public async Task Notifications_arrive_as_datagrams_on_the_socket()
    {
        using SystemdNotifier notifier = SystemdNotifier.Create(Env(null, null), 42)!;
        Assert.True(notifier.TryNotify("READY=1\nSTATUS=ok", out _));
        Assert.Equal("READY=1\nSTATUS=ok", await ReceiveAsync());
        Assert.Null(notifier.WatchdogInterval);
    }

    [Fact]
    public void The_watchdog_interval_is_a_third_of_watchdog_usec_and_only_for_our_pid()
    {
        using SystemdNotifier ours = SystemdNotifier.Create(Env("30000000", "42"), 42)!;
        Assert.Equal(TimeSpan.FromSeconds(10), ours.WatchdogInterval);
        using SystemdNotifier anyPid = SystemdNotifier.Create(Env("3000000", null), 42)!;
        Assert.Equal(TimeSpan.FromSeconds(1), anyPid.WatchdogInterval);
        using SystemdNotifier other = SystemdNotifier.Create(Env("30000000", "7"), 42)!;
        Assert.Null(other.WatchdogInterval);
    }

    [Fact]
    public async Task The_watchdog_pings_each_interval_while_alive_and_skips_a_ping_when_not()
    {
        using SignallingClock clock = new();
        using SystemdNotifier notifier = SystemdNotifier.Create(Env("3000000", null), 42)!;
        using CancellationTokenSource stop = new();
        Queue<bool> answers = new([true, true, false, true]);
        Task run = notifier.RunWatchdogAsync(clock, () => answers.Dequeue(), stop.Token);

        await clock.NextDelayAsync();
        Assert.Equal("WATCHDOG=1", await ReceiveAsync());
        clock.Inner.Advance(TimeSpan.FromSeconds(1));
        await clock.NextDelayAsync();
        Assert.Equal("WATCHDOG=1", await ReceiveAsync());
        clock.Inner.Advance(TimeSpan.FromSeconds(1));
        await clock.NextDelayAsync();
        Assert.Equal(0, _systemd.Available);
        clock.Inner.Advance(TimeSpan.FromSeconds(1));
        await clock.NextDelayAsync();
        Assert.Equal("WATCHDOG=1", await ReceiveAsync());
        Assert.Empty(answers);
        await stop.CancelAsync();
        await run;
    }

    private Func<string, string?> Env(string? usec, string? pid) => name => name switch
    {
        "NOTIFY_SOCKET" => _socketPath,
        "WATCHDOG_USEC" => usec,
        "WATCHDOG_PID" => pid,
        _ => null,
    };

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

    private async Task<string> ReceiveAsync()
    {
        byte[] buffer = new byte[256];
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(10));
        int count = await _systemd.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, count);
    }
}
