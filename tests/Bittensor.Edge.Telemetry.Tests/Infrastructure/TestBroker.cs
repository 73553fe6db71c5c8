// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Server;

namespace Bittensor.Edge.Telemetry.Tests.Infrastructure;

/// <summary>
/// A real embedded MQTTnet broker on 127.0.0.1 (persistent sessions, like the gateway's), restartable on the same
/// port. It records every CONNECT packet and the disconnect types so tests can check the client's settings.
/// </summary>
public sealed class TestBroker : IAsyncDisposable
{
    private readonly Lock _ackLock = new();
    private readonly Dictionary<string, int> _acks = [];
    private readonly List<(string ClientId, int Count, TaskCompletionSource Done)> _ackWaiters = [];
    private readonly X509Certificate2? _certificate;
    private MqttServer? _server;

    private TestBroker(int port, X509Certificate2? certificate = null)
    {
        Port = port;
        _certificate = certificate;
    }

    public int Port { get; }

    public Uri Uri => new($"{(_certificate is null ? "mqtt" : "mqtts")}://127.0.0.1:{Port}");

    /// <summary>Every CONNECT the broker validated, in order.</summary>
    public ConcurrentQueue<ConnectInfo> Connects { get; } = new();

    public ConcurrentQueue<MqttClientDisconnectType> Disconnects { get; } = new();

    /// <summary>Completes at the first client disconnect the broker sees.</summary>
    public TaskCompletionSource FirstDisconnect { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MqttServer Server => _server ?? throw new InvalidOperationException("The broker is stopped.");

    /// <summary>Starts a broker on a free port.</summary>
    public static async Task<TestBroker> StartAsync()
    {
        TestBroker broker = new(FreePort());
        await broker.RestartAsync();
        return broker;
    }

    /// <summary>Starts a broker that speaks only MQTT over TLS (mqtts) with <paramref name="certificate"/>, on a free port.</summary>
    public static async Task<TestBroker> StartTlsAsync(X509Certificate2 certificate)
    {
        TestBroker broker = new(FreePort(), certificate);
        await broker.RestartAsync();
        return broker;
    }

    /// <summary>A broker that is not running yet; <see cref="RestartAsync"/> starts it on its port.</summary>
    public static TestBroker NotStarted() => new(FreePort());

    public static int FreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task RestartAsync()
    {
        if (_server is not null)
        {
            await StopAsync();
        }

        MqttServerOptionsBuilder builder = new MqttServerOptionsBuilder().WithPersistentSessions();
        if (_certificate is null)
        {
            builder.WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(Port);
        }
        else
        {
            builder.WithoutDefaultEndpoint().WithEncryptedEndpoint().WithEncryptedEndpointBoundIPAddress(IPAddress.Loopback)
                .WithEncryptedEndpointPort(Port).WithEncryptionCertificate(_certificate);
        }

        MqttServerOptions options = builder.Build();
        MqttServer server = new MqttServerFactory().CreateMqttServer(options);
        server.ValidatingConnectionAsync += e =>
        {
            Connects.Enqueue(new ConnectInfo(
                e.ClientId, e.UserName, e.Password, e.CleanSession, e.SessionExpiryInterval, e.KeepAlivePeriod, e.MaximumPacketSize, e.ReceiveMaximum, e.WillDelayInterval));
            return Task.CompletedTask;
        };
        server.ClientAcknowledgedPublishPacketAsync += e =>
        {
            lock (_ackLock)
            {
                _acks[e.ClientId] = _acks.GetValueOrDefault(e.ClientId) + 1;
                _ackWaiters.RemoveAll(w =>
                {
                    if (_acks.GetValueOrDefault(w.ClientId) >= w.Count)
                    {
                        w.Done.TrySetResult();
                        return true;
                    }

                    return false;
                });
            }

            return Task.CompletedTask;
        };
        server.ClientDisconnectedAsync += e =>
        {
            Disconnects.Enqueue(e.DisconnectType);
            FirstDisconnect.TrySetResult();
            return Task.CompletedTask;
        };
        await server.StartAsync();
        _server = server;
    }

    /// <summary>Completes once <paramref name="clientId"/> has acknowledged <paramref name="count"/> QoS 1 messages in all.</summary>
    public Task WaitForAcksAsync(string clientId, int count)
    {
        lock (_ackLock)
        {
            if (_acks.GetValueOrDefault(clientId) >= count)
            {
                return Task.CompletedTask;
            }

            TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _ackWaiters.Add((clientId, count, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    public async Task StopAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.StopAsync();
            server.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

/// <summary>What a CONNECT carried, as the broker saw it.</summary>
public sealed record ConnectInfo(
    string ClientId, string UserName, string Password, bool? CleanSession, uint SessionExpiryInterval, ushort? KeepAlivePeriod, uint MaximumPacketSize, ushort ReceiveMaximum, uint WillDelayInterval);
