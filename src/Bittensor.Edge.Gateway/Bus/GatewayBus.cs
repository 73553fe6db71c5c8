// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Threading.Channels;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Gateway.Broker;
using Bittensor.Edge.Gateway.Fleet;
using Bittensor.Edge.Gateway.Join;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Telemetry.Bus;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Bittensor.Edge.Gateway.Bus;

/// <summary>How a bus call ended.</summary>
public enum BusCallStatus
{
    /// <summary>A device-signed response arrived (its header may still say <c>ok: false</c>).</summary>
    Answered,

    /// <summary>No valid response before the timeout (responses signed by anyone else were dropped).</summary>
    Timeout,

    /// <summary>The device is not enrolled or not active.</summary>
    NotEnrolled,

    /// <summary>A correctly signed response whose header does not parse.</summary>
    BadResponse,
}

/// <summary>The outcome of <see cref="GatewayBus.CallAsync"/>.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Header">The response header when answered.</param>
/// <param name="Body">The response body when answered.</param>
/// <param name="Latency">From publishing the request to receiving the verified answer (or giving up).</param>
public sealed record BusCallResult(BusCallStatus Status, BusResponseHeader? Header, ReadOnlyMemory<byte> Body, TimeSpan Latency);

/// <summary>
/// The gateway's own client on the bus (user <c>$gateway</c>, client id <c>gw-{gatewayId}</c>): answers join clients
/// through <see cref="JoinService"/>, tracks device status (<see cref="DevicePresence"/>), publishes the gateway's birth
/// and will, sends signed commands and RPC requests (fleet.md §5: envelope signed by the bus key, MQTT 5
/// ResponseTopic and CorrelationData) and matches the answers, verifying each against the enrolled device key; a
/// response signed by anyone else is dropped and logged, and the call keeps waiting.
/// </summary>
/// <remarks>
/// Thread-safe. Join messages are handled on one worker (<see cref="RunAsync"/>) so the MQTT receive loop never waits
/// on a publish. The client talks to the embedded broker over TCP like any other, so the same code can later serve
/// an external broker. Losing its connection faults <see cref="RunAsync"/>, which stops the gateway (systemd restarts it).
/// </remarks>
public sealed class GatewayBus : IAsyncDisposable
{
    private readonly FleetTopics _topics;
    private readonly string _gatewayId;
    private readonly string _haCommandTopic;
    private readonly Ed25519KeyPair _busKey;
    private readonly FleetStore _store;
    private readonly JoinService _join;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly ConcurrentDictionary<string, PendingCall> _pending = new(StringComparer.Ordinal);
    private readonly Channel<Inbound> _inbound =
        Channel.CreateBounded<Inbound>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    /// <summary>A bus client; call <see cref="StartAsync"/> to connect.</summary>
    public GatewayBus(FleetTopics topics, string gatewayId, Ed25519KeyPair busKey, FleetStore store, JoinService join, DevicePresence presence, IClock clock, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(busKey);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(join);
        ArgumentNullException.ThrowIfNull(presence);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        _topics = topics;
        _gatewayId = gatewayId;
        _haCommandTopic = topics.GatewayHaCommand(gatewayId);
        _busKey = busKey;
        _store = store;
        _join = join;
        Presence = presence;
        _clock = clock;
        _logger = logger;
        _client = new MqttClientFactory().CreateMqttClient(new BusChannelAdapterFactory());
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    /// <summary>How long a command stays valid: its MQTT message expiry and its header deadline (fleet.md §4).</summary>
    public static readonly TimeSpan CommandLifetime = TimeSpan.FromSeconds(300);

    /// <summary>Device status as seen on the bus.</summary>
    public DevicePresence Presence { get; }

    /// <summary>Connects to <paramref name="broker"/>, subscribes, and publishes the gateway's birth (will: offline).</summary>
    public async Task StartAsync(FleetBroker broker, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ulong bdSeq = (ulong)_clock.UtcNow.ToUnixTimeMilliseconds();
        string status = _topics.GatewayStatus(_gatewayId);
        MqttClientOptions options = BuildClientOptions(broker, status, new StatusMessage(StatusMessage.Offline, bdSeq, _clock.UtcNow.ToUnixTimeMilliseconds(), Clean: false).Encode());
        MqttClientConnectResult connected = await _client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"The gateway's bus client was refused by its own broker: {connected.ResultCode} {connected.ReasonString}");
        }

        MqttClientSubscribeOptions subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(_topics.Base + "/join/+/req", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(_topics.Base + "/dev/+/rpc/resp", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(_topics.Base + "/dev/+/status", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(_topics.GatewayHaCommand(_gatewayId), MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await _client.SubscribeAsync(subscribe, cancellationToken).ConfigureAwait(false);
        await PublishAsync(status, new StatusMessage(StatusMessage.Online, bdSeq, _clock.UtcNow.ToUnixTimeMilliseconds(), Clean: false).Encode(), retain: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The options of the gateway's own bus client: user <c>$gateway</c>, clean start, a retained will, and socket buffers of <see cref="GatewayConstants.BusSocketBufferBytes"/>.</summary>
    internal static MqttClientOptions BuildClientOptions(FleetBroker broker, string statusTopic, byte[] willPayload)
    {
        MqttClientOptions options = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.DialAddress.ToString(), broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(broker.InternalClientId)
            .WithCredentials(GatewayConstants.InternalUser, broker.InternalPassword)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithWillTopic(statusTopic)
            .WithWillPayload(willPayload)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();

        // The gateway sends 4 MiB storage.put envelopes; MQTTnet's default 8 KiB socket buffers make that take seconds.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = GatewayConstants.BusSocketBufferBytes;
        return options;
    }

    /// <summary>Handles join messages and Home Assistant button presses until cancelled; faults if the bus connection is lost.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        Task lost = _lost.Task;
        try
        {
            while (true)
            {
                Task<bool> ready = _inbound.Reader.WaitToReadAsync(cancellationToken).AsTask();
                if (await Task.WhenAny(ready, lost).ConfigureAwait(false) == lost)
                {
                    await lost.ConfigureAwait(false);
                }

                if (!await ready.ConfigureAwait(false))
                {
                    return;
                }

                while (_inbound.Reader.TryRead(out Inbound item))
                {
                    if (item.JoinClientId is { } clientId)
                    {
                        JoinMessage answer = _join.Handle(clientId, item.Payload);
                        await PublishAsync(_topics.JoinResponse(clientId), JoinMessage.Encode(answer), retain: false, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await ForwardHomeAssistantCommandAsync(item.Payload, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Sends <paramref name="header"/> (a <see cref="BusRequestHeader"/>) and <paramref name="body"/> to
    /// <paramref name="deviceId"/>'s <c>rpc/req</c> and waits, at most <paramref name="timeout"/> on the gateway clock,
    /// for a response signed by the device's enrolled key.
    /// </summary>
    public async Task<BusCallResult> CallAsync(string deviceId, byte[] header, ReadOnlyMemory<byte> body, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (!_store.TryGetEnrollment(deviceId, out EnrollmentRecord? enrollment) || enrollment.State != EnrollmentState.Active)
        {
            return new BusCallResult(BusCallStatus.NotEnrolled, null, default, TimeSpan.Zero);
        }

        byte[] correlation = BusEnvelope.NewCorrelationId();
        string key = Convert.ToHexStringLower(correlation);
        PendingCall pending = new(deviceId, enrollment.DevicePub);
        _pending[key] = pending;
        TimeSpan start = _clock.Elapsed;
        try
        {
            MqttApplicationMessage message = new MqttApplicationMessageBuilder()
                .WithTopic(_topics.RpcRequest(deviceId))
                .WithPayload(BusEnvelope.Seal(correlation, header, body.Span, _busKey))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithResponseTopic(_topics.RpcResponse(deviceId))
                .WithCorrelationData(correlation)
                .WithMessageExpiryInterval((uint)Math.Max(1, Math.Ceiling(timeout.TotalSeconds)))
                .Build();
            await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            using CancellationTokenSource delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task done = await Task.WhenAny(pending.Completion.Task, _clock.DelayAsync(timeout, delay.Token)).ConfigureAwait(false);
            await delay.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (done != pending.Completion.Task)
            {
                return new BusCallResult(BusCallStatus.Timeout, null, default, _clock.Elapsed - start);
            }

            (BusResponseHeader? responseHeader, ReadOnlyMemory<byte> responseBody) = await pending.Completion.Task.ConfigureAwait(false);
            TimeSpan latency = pending.ArrivedAt - start;
            return responseHeader is null
                ? new BusCallResult(BusCallStatus.BadResponse, null, default, latency)
                : new BusCallResult(BusCallStatus.Answered, responseHeader, responseBody, latency);
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// Publishes the signed command <paramref name="name"/> to <paramref name="deviceId"/> (QoS 1, never retained,
    /// message expiry 300 s, fleet.md §4); completes when the broker has it.
    /// </summary>
    public Task PublishCommandAsync(string deviceId, string name, byte[] header, CancellationToken cancellationToken = default)
    {
        byte[] correlation = BusEnvelope.NewCorrelationId();
        MqttApplicationMessage message = new MqttApplicationMessageBuilder()
            .WithTopic(_topics.Command(deviceId, name))
            .WithPayload(BusEnvelope.Seal(correlation, header, [], _busKey))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithCorrelationData(correlation)
            .WithMessageExpiryInterval((uint)CommandLifetime.TotalSeconds)
            .Build();
        return _client.PublishAsync(message, cancellationToken);
    }

    /// <summary>
    /// Signs and forwards a Home Assistant button press (fleet.md §8) as the normal command
    /// <c>{base}/dev/{id}/cmd/{name}</c> (<see cref="PublishCommandAsync"/>: signed envelope, expiry 300 s, never
    /// retained), if it is one of <see cref="HomeAssistantCommand.Allowed"/> for an active enrollment; anything else is
    /// refused and logged. The ACL lets only <c>homeassistant</c> (and the gateway) publish on that topic, never retained.
    /// </summary>
    private async Task ForwardHomeAssistantCommandAsync(byte[] payload, CancellationToken cancellationToken)
    {
        if (!HomeAssistantCommand.TryParse(payload, out HomeAssistantCommand? command, out string? problem))
        {
            Log.HomeAssistantCommandRefused(_logger, problem);
            return;
        }

        if (!_store.TryGetEnrollment(command.DeviceId, out EnrollmentRecord? enrollment) || enrollment.State != EnrollmentState.Active)
        {
            string state = enrollment is null ? "not enrolled" : enrollment.State == EnrollmentState.Revoked ? "revoked" : "preauthorized, not joined";
            Log.HomeAssistantCommandRefused(_logger, $"{command.Command} for {command.DeviceId}: the device is {state}");
            return;
        }

        byte[] header = BusRequestHeader.Encode(command.Command, (_clock.UtcNow + CommandLifetime).ToUnixTimeMilliseconds());
        await PublishCommandAsync(command.DeviceId, command.Command, header, cancellationToken).ConfigureAwait(false);
        Log.HomeAssistantCommandForwarded(_logger, command.Command, command.DeviceId);
    }

    /// <summary>Publishes <paramref name="payload"/> to <paramref name="topic"/> at QoS 1.</summary>
    public Task PublishAsync(string topic, byte[] payload, bool retain, CancellationToken cancellationToken = default)
    {
        MqttApplicationMessage message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        return _client.PublishAsync(message, cancellationToken);
    }

    /// <summary>Publishes the gateway's clean offline status and disconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _inbound.Writer.TryComplete();
        if (_client.IsConnected)
        {
            try
            {
                await PublishAsync(_topics.GatewayStatus(_gatewayId), new StatusMessage(StatusMessage.Offline, (ulong)_clock.UtcNow.ToUnixTimeMilliseconds(), _clock.UtcNow.ToUnixTimeMilliseconds(), Clean: true).Encode(), retain: true).ConfigureAwait(false);
                await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
            {
                Log.BusStopFailed(_logger, e.Message);
            }
        }

        _client.Dispose();
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "One bad message is logged and dropped; it must never stop the bus client.")]
    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        MqttApplicationMessage message = e.ApplicationMessage;
        try
        {
            string topic = message.Topic;
            if (_topics.TryParseDeviceTopic(topic, out string deviceId, out string rest))
            {
                if (rest == "rpc/resp")
                {
                    OnResponse(deviceId, message);
                }
                else if (rest == "status")
                {
                    OnStatus(deviceId, message);
                }

                return Task.CompletedTask;
            }

            string joinPrefix = _topics.Base + "/join/";
            if (topic.StartsWith(joinPrefix, StringComparison.Ordinal) && topic.EndsWith("/req", StringComparison.Ordinal))
            {
                string clientId = topic[joinPrefix.Length..^"/req".Length];
                if (TopicAcl.IsJoinClientId(clientId) && !_inbound.Writer.TryWrite(new Inbound(clientId, message.Payload.ToArray())))
                {
                    Log.JoinQueueFull(_logger, clientId);
                }

                return Task.CompletedTask;
            }

            if (topic == _haCommandTopic)
            {
                if (message.Retain)
                {
                    // A retained press would be replayed at every reconnect; the ACL refuses them, this is a second guard.
                    Log.HomeAssistantCommandRefused(_logger, "retained (a button press is never retained)");
                }
                else if (!_inbound.Writer.TryWrite(new Inbound(null, message.Payload.ToArray())))
                {
                    Log.HomeAssistantCommandRefused(_logger, "the gateway's inbound queue is full");
                }
            }
        }
        catch (Exception ex)
        {
            Log.BusMessageFailed(_logger, message.Topic ?? "", ex.Message);
        }

        return Task.CompletedTask;
    }

    private void OnStatus(string deviceId, MqttApplicationMessage message)
    {
        if (message.Payload.Length == 0)
        {
            return;
        }

        if (!StatusMessage.TryDecode(message.Payload.ToArray(), out StatusMessage? status))
        {
            Log.BadStatus(_logger, deviceId);
            return;
        }

        if (!Presence.OnStatus(deviceId, status!, _clock.UtcNow))
        {
            Log.StaleWillIgnored(_logger, deviceId, status!.BdSeq);
        }
    }

    private void OnResponse(string deviceId, MqttApplicationMessage message)
    {
        byte[]? correlation = message.CorrelationData;
        if (correlation is not { Length: BusEnvelope.CorrelationIdSize } || !_pending.TryGetValue(Convert.ToHexStringLower(correlation), out PendingCall? pending))
        {
            Log.ResponseDropped(_logger, deviceId, "no request waits for this correlation id (late, duplicate or unsolicited)");
            return;
        }

        if (!string.Equals(pending.DeviceId, deviceId, StringComparison.Ordinal))
        {
            Log.ResponseDropped(_logger, deviceId, $"the request went to {pending.DeviceId}");
            return;
        }

        // The payload array is the message's own (BusChannelAdapter reads each packet into a fresh array that nothing
        // reuses), so the answer keeps it: a 4 MiB storage.get reply costs the gateway one array, not three.
        ReadOnlyMemory<byte> payload = message.Payload.IsSingleSegment ? message.Payload.First : message.Payload.ToArray();
        if (!BusEnvelope.TryOpen(payload, correlation, pending.DevicePub, out BusEnvelope envelope, out BusEnvelopeError error))
        {
            Log.ResponseDropped(_logger, deviceId, $"{error}: not signed by the enrolled device key");
            return;
        }

        BusResponseHeader? header;
        try
        {
            header = BusResponseHeader.Decode(envelope.Header.Span);
        }
        catch (JsonException)
        {
            header = null;
        }

        pending.ArrivedAt = _clock.Elapsed;
        pending.Completion.TrySetResult((header, envelope.Body));
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (!_stopping)
        {
            Log.BusLost(_logger, e.Reason.ToString());
            _lost.TrySetException(new InvalidOperationException($"The gateway's bus client lost its connection: {e.Reason} {e.ReasonString}"));
        }

        return Task.CompletedTask;
    }

    // A join message (JoinClientId set) or a Home Assistant button press (null), handled in order by RunAsync.
    private readonly record struct Inbound(string? JoinClientId, byte[] Payload);

    private sealed class PendingCall(string deviceId, PublicKey devicePub)
    {
        public string DeviceId { get; } = deviceId;

        public PublicKey DevicePub { get; } = devicePub;

        public TimeSpan ArrivedAt { get; set; }

        public TaskCompletionSource<(BusResponseHeader? Header, ReadOnlyMemory<byte> Body)> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
