// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Bittensor.Edge.Core;

namespace Bittensor.Edge.Node;

/// <summary>
/// A minimal sd_notify (no libsystemd): datagrams to the Unix socket in <c>$NOTIFY_SOCKET</c> (a leading <c>@</c> is an
/// abstract socket), used for <c>READY=1</c>, <c>STATUS=…</c>, <c>STOPPING=1</c> and the <c>WATCHDOG=1</c> pings that a
/// <c>Type=notify</c> unit with <c>WatchdogSec=</c> expects (fleet.md §2). Without <c>NOTIFY_SOCKET</c> there is no
/// notifier (<see cref="Create"/> returns <see langword="null"/>) and the node runs in the foreground as usual.
/// </summary>
/// <remarks>Thread-safe: each notification is one datagram. Dispose closes the socket.</remarks>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endpoint;

    private SystemdNotifier(string socketPath, TimeSpan? watchdogInterval)
    {
        SocketPath = socketPath;
        WatchdogInterval = watchdogInterval;
        _endpoint = new UnixDomainSocketEndPoint(socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>The socket path as given in <c>$NOTIFY_SOCKET</c>.</summary>
    public string SocketPath { get; }

    /// <summary>
    /// How often to ping: a third of <c>$WATCHDOG_USEC</c> (fleet.md §2), or <see langword="null"/> when systemd runs
    /// no watchdog for this process (<c>$WATCHDOG_PID</c> names another one, or no usable <c>$WATCHDOG_USEC</c>).
    /// </summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>The notifier of this process's environment, or <see langword="null"/> when not started by systemd.</summary>
    public static SystemdNotifier? Create(Func<string, string?> getEnvironmentVariable, int processId)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        string? socket = getEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(socket) || (socket[0] != '/' && socket[0] != '@'))
        {
            return null;
        }

        TimeSpan? interval = null;
        string? pid = getEnvironmentVariable("WATCHDOG_PID");
        bool forUs = string.IsNullOrEmpty(pid) || (int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int watchedPid) && watchedPid == processId);
        if (forUs && ulong.TryParse(getEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong usec) && usec > 0)
        {
            interval = TimeSpan.FromMicroseconds(usec / 3);
        }

        return new SystemdNotifier(socket, interval);
    }

    /// <summary>Sends one notification (lines such as <c>READY=1</c>); <see langword="false"/> with the reason when it cannot be delivered.</summary>
    public bool TryNotify(string state, out string? error)
    {
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endpoint);
            error = null;
            return true;
        }
        catch (SocketException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Sends <c>WATCHDOG=1</c> every <see cref="WatchdogInterval"/> on <paramref name="clock"/> while
    /// <paramref name="isAlive"/> returns <see langword="true"/>, until cancelled (then returns normally). A check that
    /// hangs or says no stops the pings, so systemd restarts the stuck process. Returns at once without an interval.
    /// </summary>
    public async Task RunWatchdogAsync(IClock clock, Func<bool> isAlive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(isAlive);
        if (WatchdogInterval is not TimeSpan interval)
        {
            return;
        }

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (isAlive())
                {
                    TryNotify("WATCHDOG=1", out _);
                }

                await clock.DelayAsync(interval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end of the loop.
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();
}
