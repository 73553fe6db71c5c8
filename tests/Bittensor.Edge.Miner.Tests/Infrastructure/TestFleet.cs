// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Fleet;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Bittensor.Edge.Miner.Tests.Infrastructure;

/// <summary>
/// A stand-in gateway for the device's tests, built only from the Protocol/Fleet contract: a real MQTTnet broker on
/// 127.0.0.1 that checks device logins (<see cref="MqttLogin"/> against enrolled keys), a join responder that issues
/// signed challenges and checks proofs against one-time tokens, and a bus client that sends signed requests and opens
/// the device-signed answers. The real gateway (bte-gateway) follows the same contract.
/// </summary>
internal sealed class TestFleet : IAsyncDisposable
{
    private readonly MqttServer _server;
    private readonly IMqttClient _gateway;
    private readonly ConcurrentDictionary<string, byte[]> _tokens = new(StringComparer.Ordinal); // tokenId hex → verifier
    private readonly ConcurrentDictionary<string, JoinState> _joins = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<byte[]>> _pending = new(StringComparer.Ordinal);

    private TestFleet(int port, MqttServer server, IMqttClient gateway)
    {
        Port = port;
        _server = server;
        _gateway = gateway;
    }

    public const string FleetId = "lab1";

    public int Port { get; }

    public Ed25519KeyPair GatewayKey { get; } = Ed25519KeyPair.Generate();

    public FleetTopics Topics { get; } = FleetTopics.ForFleet(FleetId);

    public ConcurrentDictionary<string, PublicKey> Enrolled { get; } = new(StringComparer.Ordinal);

    /// <summary>Completes with the first device id enrolled.</summary>
    public TaskCompletionSource<string> FirstEnrollment { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Retained messages as last published, by topic.</summary>
    public ConcurrentDictionary<string, byte[]> Retained { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Logins { get; } = new();

    /// <summary>Every payload any client published through the broker, in arrival order.</summary>
    public ConcurrentQueue<byte[]> AllPayloads { get; } = new();

    /// <summary>Raised on the broker's thread for every retained publish (topic, payload), as it arrives.</summary>
    public event Action<string, byte[]>? RetainedPublished;

    private readonly Lock _retainedLock = new();
    private TaskCompletionSource _retainedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a retained message on <paramref name="topic"/> satisfies <paramref name="match"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<byte[]> WaitRetainedAsync(string topic, Func<byte[], bool> match, TimeSpan timeout)
    {
        using CancellationTokenSource expiry = new(timeout);
        while (true)
        {
            Task signal;
            lock (_retainedLock)
            {
                signal = _retainedSignal.Task;
            }

            if (Retained.TryGetValue(topic, out byte[]? payload) && match(payload))
            {
                return payload;
            }

            await signal.WaitAsync(expiry.Token);
        }
    }

    private void RetainedChanged()
    {
        lock (_retainedLock)
        {
            _retainedSignal.TrySetResult();
            _retainedSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public ConcurrentQueue<string> Rejections { get; } = new();

    public static async Task<TestFleet> StartAsync()
    {
        int port = FreePort();
        MqttServerOptions options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port)
            .WithPersistentSessions()
            .Build();
        MqttServer server = new MqttServerFactory().CreateMqttServer(options);
        TestFleet? fleet = null;
        server.ValidatingConnectionAsync += e =>
        {
            fleet!.Validate(e);
            return Task.CompletedTask;
        };
        server.InterceptingPublishAsync += e =>
        {
            fleet!.AllPayloads.Enqueue(e.ApplicationMessage.Payload.ToArray());
            if (e.ApplicationMessage.Retain)
            {
                byte[] payload = e.ApplicationMessage.Payload.ToArray();
                fleet!.Retained[e.ApplicationMessage.Topic] = payload;
                fleet.RetainedChanged();
                fleet.RetainedPublished?.Invoke(e.ApplicationMessage.Topic, payload);
            }

            return Task.CompletedTask;
        };
        await server.StartAsync();
        IMqttClient gateway = new MqttClientFactory().CreateMqttClient();
        fleet = new TestFleet(port, server, gateway);
        gateway.ApplicationMessageReceivedAsync += fleet.OnGatewayMessageAsync;
        MqttClientOptions clientOptions = new MqttClientOptionsBuilder()
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithTcpServer("127.0.0.1", port)
            .WithClientId("gw-test")
            .WithCredentials("gw-test", "gateway")
            .Build();
        // The same socket buffers as the real gateway's bus client: with MQTTnet's 8 KiB default a 4 MiB storage.put
        // takes seconds and stalls every other call queued behind it.
        ((MqttClientTcpOptions)clientOptions.ChannelOptions).BufferSize = 1024 * 1024;
        await gateway.ConnectAsync(clientOptions);
        await gateway.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(fleet.Topics.Base + "/join/+/req", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(fleet.Topics.Base + "/dev/+/rpc/resp", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        return fleet;
    }

    public Uri BrokerUri => new($"mqtt://127.0.0.1:{Port}");

    public JoinToken CreateToken()
    {
        JoinToken token = JoinToken.Create();
        _tokens[Convert.ToHexStringLower(token.TokenId)] = token.Verifier;
        return token;
    }

    /// <summary>A first-boot file for this fleet carrying <paramref name="token"/> (or none).</summary>
    public string FirstBootJson(JoinToken? token, Ed25519KeyPair? pinned = null) => $$"""
        { "fleetId": "{{FleetId}}",
          "gateway": { "mqtt": "{{BrokerUri}}", "publicKey": "{{Ss58.Encode((pinned ?? GatewayKey).PublicKey)}}", "tlsSha256": null },
          {{(token is null ? "" : $"\"joinToken\": \"{token.Text}\",")}}
          "wifi": { "ssid": "lab", "psk": "secret", "country": "DE" }, "telemetryPeriodS": 60 }
        """;

    /// <summary>Sends a signed request to <paramref name="deviceId"/> and returns the device-signed answer, opened.</summary>
    public async Task<(BusResponseHeader Header, byte[] Body)> CallAsync(string deviceId, byte[] header, ReadOnlyMemory<byte> body, TimeSpan timeout, byte[]? correlation = null)
    {
        correlation ??= BusEnvelope.NewCorrelationId();
        TaskCompletionSource<byte[]> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[Convert.ToHexStringLower(correlation)] = answer;
        await _gateway.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.RpcRequest(deviceId))
            .WithPayload(BusEnvelope.Seal(correlation, header, body.Span, GatewayKey))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithResponseTopic(Topics.RpcResponse(deviceId))
            .WithCorrelationData(correlation)
            .Build());
        byte[] payload = await answer.Task.WaitAsync(timeout);
        if (!BusEnvelope.TryOpen(payload, correlation, Enrolled[deviceId], out BusEnvelope envelope, out BusEnvelopeError error))
        {
            throw new InvalidOperationException($"The device's answer does not open with its enrolled key: {error}");
        }

        return (BusResponseHeader.Decode(envelope.Header.Span), envelope.Body.ToArray());
    }

    /// <summary>Publishes a command signed by <paramref name="signer"/> (the gateway key unless given).</summary>
    public Task PublishCommandAsync(string deviceId, string name, byte[] header, Ed25519KeyPair? signer = null)
    {
        byte[] correlation = BusEnvelope.NewCorrelationId();
        return _gateway.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Command(deviceId, name))
            .WithPayload(BusEnvelope.Seal(correlation, header, [], signer ?? GatewayKey))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithCorrelationData(correlation)
            .Build());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _gateway.DisconnectAsync();
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
        }

        _gateway.Dispose();
        await _server.StopAsync();
        _server.Dispose();
        GatewayKey.Dispose();
    }

    private static int FreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Validate(ValidatingConnectionEventArgs e)
    {
        if (e.UserName == "join" && e.ClientId.StartsWith("join-", StringComparison.Ordinal) && e.ClientId.Length == 21)
        {
            return;
        }

        if (e.UserName == "gw-test")
        {
            return;
        }

        if (Enrolled.TryGetValue(e.UserName ?? "", out PublicKey key) && e.ClientId == e.UserName
            && MqttLogin.TryVerify(e.Password, e.UserName!, key, out long t) && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - t) <= 300)
        {
            Logins.Enqueue(e.UserName!);
            return;
        }

        e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
    }

    private async Task OnGatewayMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        MqttApplicationMessage message = e.ApplicationMessage;
        if (message.Topic.EndsWith("/rpc/resp", StringComparison.Ordinal))
        {
            if (message.CorrelationData is { } correlation && _pending.TryRemove(Convert.ToHexStringLower(correlation), out TaskCompletionSource<byte[]>? answer))
            {
                answer.TrySetResult(message.Payload.ToArray());
            }

            return;
        }

        string clientId = message.Topic.Split('/')[^2];
        if (!JoinMessage.TryDecode(message.Payload.ToArray(), out JoinMessage? join))
        {
            await ReplyAsync(clientId, new JoinRejected(JoinRejectReasons.BadProof));
            return;
        }

        switch (join)
        {
            case JoinHello hello:
                byte[] serverNonce = RandomNumberGenerator.GetBytes(JoinTranscript.NonceSize);
                PublicKey devicePub = new(hello.DevicePub);
                _joins[clientId] = new JoinState(devicePub, hello.ClientNonce, serverNonce);
                Signature sig = GatewayKey.Sign(JoinTranscript.Challenge(FleetId, devicePub, hello.ClientNonce, serverNonce));
                await ReplyAsync(clientId, new JoinChallenge(GatewayKey.PublicKey.ToArray(), serverNonce, sig.Bytes.ToArray()));
                break;
            case JoinProof proof when _joins.TryRemove(clientId, out JoinState? state):
                byte[] transcript = JoinTranscript.Proof(FleetId, GatewayKey.PublicKey, state.DevicePub, state.ClientNonce, state.ServerNonce, proof.TokenId);
                string tokenId = Convert.ToHexStringLower(proof.TokenId);
                if (!_tokens.TryRemove(tokenId, out byte[]? verifier))
                {
                    Rejections.Enqueue(JoinRejectReasons.TokenUnknown);
                    await ReplyAsync(clientId, new JoinRejected(JoinRejectReasons.TokenUnknown));
                    return;
                }

                if (proof.Mac is null || !JoinTranscript.MacMatches(verifier, transcript, proof.Mac) || !Ed25519.Verify(state.DevicePub, transcript, proof.Sig))
                {
                    Rejections.Enqueue(JoinRejectReasons.BadProof);
                    await ReplyAsync(clientId, new JoinRejected(JoinRejectReasons.BadProof));
                    return;
                }

                string deviceId = DeviceIds.FromPublicKey(state.DevicePub);
                Enrolled[deviceId] = state.DevicePub;
                FirstEnrollment.TrySetResult(deviceId);
                Signature accepted = GatewayKey.Sign(JoinTranscript.Accepted(FleetId, state.DevicePub, state.ServerNonce, deviceId));
                await ReplyAsync(clientId, new JoinAccepted(deviceId, accepted.Bytes.ToArray()));
                break;
            default:
                await ReplyAsync(clientId, new JoinRejected(JoinRejectReasons.BadProof));
                break;
        }
    }

    /// <summary>
    /// When above 0, every join answer is preceded by a decodable rejection padded to this many bytes (a broker that
    /// pushes large messages at a joining device).
    /// </summary>
    public int OversizedJoinAnswerBytes { get; set; }

    private async Task<MqttClientPublishResult> ReplyAsync(string clientId, JoinMessage message)
    {
        if (OversizedJoinAnswerBytes > 0)
        {
            await _gateway.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(Topics.JoinResponse(clientId))
                .WithPayload(JoinMessage.Encode(new JoinRejected(new string('x', OversizedJoinAnswerBytes))))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build());
        }

        return await _gateway.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.JoinResponse(clientId))
            .WithPayload(JoinMessage.Encode(message))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
    }

    private sealed record JoinState(PublicKey DevicePub, byte[] ClientNonce, byte[] ServerNonce);
}
