// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net.Sockets;
using System.Text;

namespace Bittensor.Edge.Boards.Watchdog;

/// <summary>
/// sd_notify without libsystemd: datagrams to the Unix socket named by <c>NOTIFY_SOCKET</c>, where a leading
/// <c>@</c> means an abstract socket. With no socket named (or a value that is neither an absolute path nor
/// <c>@name</c>), every call does nothing and returns false. The one sd_notify of the project: <c>bte-miner</c>,
/// <c>bte-node</c> and <c>bte-gateway</c> all use it, with <see cref="WatchdogPinger"/> for <c>WATCHDOG=1</c>.
/// </summary>
/// <remarks>
/// The socket is created in <see cref="Start"/>, not in the constructor; <see cref="Dispose"/> closes it.
/// Thread-safe: sends are serialised.
/// </remarks>
public sealed class SdNotifier : ISystemdNotifier, IDisposable
{
    /// <summary>The environment variable systemd sets for <c>Type=notify</c> units.</summary>
    public const string NotifySocketVariable = "NOTIFY_SOCKET";

    private readonly Lock _lock = new();
    private readonly UnixDomainSocketEndPoint? _endPoint;
    private Socket? _socket;
    private bool _disposed;

    /// <summary>A notifier for the socket <paramref name="notifySocket"/> (the value of <c>NOTIFY_SOCKET</c>), or a disabled one for null or empty.</summary>
    public SdNotifier(string? notifySocket)
    {
        // systemd sets an absolute path or @abstract; anything else (a relative path) is not ours to guess at.
        if (string.IsNullOrEmpty(notifySocket) || (notifySocket[0] != '/' && notifySocket[0] != '@'))
        {
            return;
        }

        SocketPath = notifySocket;

        string path = notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket;
        _endPoint = new UnixDomainSocketEndPoint(path);
    }

    /// <summary>A notifier for this process's <c>NOTIFY_SOCKET</c>.</summary>
    public static SdNotifier FromEnvironment() => new(Environment.GetEnvironmentVariable(NotifySocketVariable));

    /// <summary>A notifier for the <c>NOTIFY_SOCKET</c> that <paramref name="getEnvironmentVariable"/> returns (tests pass their own).</summary>
    public static SdNotifier FromEnvironment(Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        return new SdNotifier(getEnvironmentVariable(NotifySocketVariable));
    }

    /// <summary>The socket as given in <c>NOTIFY_SOCKET</c>, or null when disabled (for log lines).</summary>
    public string? SocketPath { get; }

    /// <inheritdoc/>
    public bool IsEnabled => _endPoint is not null;

    /// <summary>Creates the datagram socket; does nothing when disabled.</summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_endPoint is not null && _socket is null)
            {
                _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            }
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Enabled but <see cref="Start"/> was not called.</exception>
    public bool TryNotify(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (_endPoint is null)
        {
            return false;
        }

        byte[] payload = Encoding.UTF8.GetBytes(state);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_socket is null)
            {
                ThrowHelper.ThrowInvalidOperation("Call Start before notifying.");
            }

            try
            {
                return _socket.SendTo(payload, SocketFlags.None, _endPoint) == payload.Length;
            }
            catch (SocketException)
            {
                // systemd gone or the socket removed: the watchdog will act, nothing to do here.
                return false;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _socket?.Dispose();
            _socket = null;
        }
    }
}
