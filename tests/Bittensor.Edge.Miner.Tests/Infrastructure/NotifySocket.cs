// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net.Sockets;
using System.Text;

namespace Bittensor.Edge.Miner.Tests.Infrastructure;

/// <summary>The test's stand-in for systemd: a bound Unix datagram socket whose path goes into NOTIFY_SOCKET.</summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
    }

    public string Path { get; }

    public List<string> Received { get; } = [];

    /// <summary>Reads datagrams until one contains <paramref name="line"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForAsync(string line, TimeSpan timeout)
    {
        using CancellationTokenSource expiry = new(timeout);
        byte[] buffer = new byte[4096];
        while (true)
        {
            int length = await _socket.ReceiveAsync(buffer, SocketFlags.None, expiry.Token);
            string datagram = Encoding.UTF8.GetString(buffer, 0, length);
            Received.Add(datagram);
            if (datagram.Split('\n').Contains(line) || datagram.Contains(line, StringComparison.Ordinal))
            {
                return datagram;
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
