// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Bittensor.Edge.Telemetry.Tests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of the broker, so a test can cut the network (a flap) without the broker noticing
/// a clean close first: <see cref="Cut"/> resets every relayed connection; <see cref="Refusing"/> makes new ones fail.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _accept = Task.CompletedTask;

    private TcpProxy(int target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
    }

    public Uri Uri => new($"mqtt://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>While true, new connections are accepted and closed at once (the network is down).</summary>
    public bool Refusing { get; set; }

    public int Accepted { get; private set; }

    public static Task<TcpProxy> StartAsync(int targetPort)
    {
        TcpProxy proxy = new(targetPort);
        proxy._listener.Start();
        proxy._accept = Task.Run(proxy.AcceptLoopAsync);
        return Task.FromResult(proxy);
    }

    /// <summary>Resets every relayed connection (RST, no MQTT DISCONNECT).</summary>
    public void Cut()
    {
        foreach (Socket socket in _sockets.Keys)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        _sockets.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _accept;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Accepted++;
            if (Refusing)
            {
                client.LingerState = new LingerOption(true, 0);
                client.Close();
                continue;
            }

            Socket server = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target), _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                client.Close();
                server.Dispose();
                continue;
            }

            _sockets[client] = 0;
            _sockets[server] = 0;
            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    break;
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        try
        {
            to.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        to.Close();
        from.Close();
        _sockets.TryRemove(from, out _);
        _sockets.TryRemove(to, out _);
    }
}
