// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Bittensor.Edge.Gateway.Tests.Support;

/// <summary>A real MQTTnet 5 client on the fixture's broker that queues what it receives.</summary>
internal sealed class MqttTestClient : IAsyncDisposable
{
    private readonly Channel<MqttApplicationMessage> _received = Channel.CreateUnbounded<MqttApplicationMessage>();

    public MqttTestClient()
    {
        Client = new MqttClientFactory().CreateMqttClient();
        Client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Writer.TryWrite(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client { get; }

    public Func<MqttApplicationMessage, Task>? Handler { get; set; }

    public static async Task<(MqttTestClient Client, MqttClientConnectResult Result)> ConnectAsync(int port, string clientId, string? user, string? password, Action<MqttClientOptionsBuilder>? configure = null)
    {
        MqttTestClient client = new();
        MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithCleanStart(true);
        if (user is not null)
        {
            builder.WithCredentials(user, password ?? "");
        }

        configure?.Invoke(builder);
        MqttClientConnectResult result = await client.Client.ConnectAsync(builder.Build(), TestContext.Current.CancellationToken);
        return (client, result);
    }

    public async Task<MqttClientSubscribeResultCode> SubscribeAsync(string filter)
    {
        MqttClientSubscribeResult result = await Client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Current.CancellationToken);
        return result.Items.Single().ResultCode;
    }

    public async Task<MqttClientPublishReasonCode> PublishAsync(string topic, byte[] payload, bool retain = false, string? responseTopic = null, byte[]? correlation = null)
    {
        MqttApplicationMessageBuilder message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (responseTopic is not null)
        {
            message.WithResponseTopic(responseTopic);
        }

        if (correlation is not null)
        {
            message.WithCorrelationData(correlation);
        }

        MqttClientPublishResult result = await Client.PublishAsync(message.Build(), TestContext.Current.CancellationToken);

        // Both mean "accepted": MQTT 5 only adds that nobody was subscribed.
        return result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers ? MqttClientPublishReasonCode.Success : result.ReasonCode;
    }

    /// <summary>The next message received (on any subscribed topic), within 10 s.</summary>
    public async Task<MqttApplicationMessage> ReceiveAsync(TimeSpan? timeout = null)
    {
        using CancellationTokenSource cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        return await _received.Reader.ReadAsync(cts.Token);
    }

    /// <summary>The next message on <paramref name="topic"/>, skipping others.</summary>
    public async Task<MqttApplicationMessage> ReceiveOnAsync(string topic)
    {
        while (true)
        {
            MqttApplicationMessage message = await ReceiveAsync();
            if (message.Topic == topic)
            {
                return message;
            }
        }
    }

    public static byte[] PayloadOf(MqttApplicationMessage message) => message.Payload.ToArray();

    public async ValueTask DisposeAsync()
    {
        if (Client.IsConnected)
        {
            try
            {
                await Client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
            }
            catch (Exception e) when (e is InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                // Already gone.
            }
        }

        Client.Dispose();
    }
}
