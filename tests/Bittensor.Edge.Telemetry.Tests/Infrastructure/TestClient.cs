// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Bittensor.Edge.Telemetry.Tests.Infrastructure;

/// <summary>One message as a test client received it.</summary>
public sealed record Received(string Topic, byte[] Payload, bool Retain, byte[]? CorrelationData, string? ResponseTopic, MqttQualityOfServiceLevel Qos)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Payload);
}

/// <summary>
/// A plain MQTT 5 client standing in for the gateway or Home Assistant: it subscribes, records what arrives and lets a
/// test await a condition on the recorded messages (an awaitable signal, not a sleep).
/// </summary>
public sealed class TestClient : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly Lock _lock = new();
    private readonly List<Received> _received = [];
    private readonly List<(Func<IReadOnlyList<Received>, bool> Condition, TaskCompletionSource Done)> _waiters = [];

    private TestClient(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            MqttApplicationMessage m = e.ApplicationMessage;
            Received r = new(m.Topic, m.Payload.ToArray(), m.Retain, m.CorrelationData, m.ResponseTopic, m.QualityOfServiceLevel);
            lock (_lock)
            {
                _received.Add(r);
                CheckWaiters();
            }

            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<Received> Messages
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    public static async Task<TestClient> ConnectAsync(Uri broker, string clientId, params string[] filters)
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        TestClient test = new(client);
        MqttClientOptions options = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(true)
            .WithMaximumPacketSize(64 * 1024 * 1024)
            .Build();
        await client.ConnectAsync(options);
        if (filters.Length > 0)
        {
            MqttClientSubscribeOptionsBuilder subscribe = new();
            foreach (string filter in filters)
            {
                subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
            }

            await client.SubscribeAsync(subscribe.Build());
        }

        return test;
    }

    public Task<MqttClientPublishResult> PublishAsync(string topic, byte[] payload, byte[]? correlationData = null, string? responseTopic = null, bool retain = false)
    {
        MqttApplicationMessageBuilder builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain);
        if (correlationData is not null)
        {
            builder.WithCorrelationData(correlationData);
        }

        if (responseTopic is not null)
        {
            builder.WithResponseTopic(responseTopic);
        }

        return _client.PublishAsync(builder.Build());
    }

    /// <summary>Completes when <paramref name="condition"/> holds over the messages received so far; fails after a generous guard.</summary>
    public Task WaitForAsync(Func<IReadOnlyList<Received>, bool> condition, int guardSeconds = 20)
    {
        TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (condition(_received))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((condition, done));
        }

        return done.Task.WaitAsync(TimeSpan.FromSeconds(guardSeconds));
    }

    public async Task<Received> WaitForTopicAsync(string topic, Func<Received, bool>? match = null)
    {
        await WaitForAsync(list => list.Any(r => r.Topic == topic && (match?.Invoke(r) ?? true)));
        return Messages.Last(r => r.Topic == topic && (match?.Invoke(r) ?? true));
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }

    private void CheckWaiters()
    {
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Condition(_received))
            {
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }
}
