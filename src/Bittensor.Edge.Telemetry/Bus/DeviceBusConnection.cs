// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Security.Cryptography;
using Bittensor.Edge.Core;
using Bittensor.Edge.Protocol.Fleet;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace Bittensor.Edge.Telemetry.Bus;

/// <summary>
/// A device's MQTT 5 session with its gateway (fleet.md §4–§5): it dials out, reconnects with jittered exponential
/// backoff on an <see cref="IClock"/>, increments the bdSeq file before every CONNECT, leaves a delayed retained will,
/// publishes the birth after CONNACK and then runs the publish hooks, dispatches inbound commands and requests to one
/// async handler, and stops with a clean <c>offline</c>. The device never needs an inbound port.
/// </summary>
/// <remarks>
/// <para><b>Lifecycle.</b> Configure (<see cref="InboundHandler"/>, <see cref="AddPublishHook"/>), then
/// <see cref="StartAsync"/> once, then <see cref="StopAsync"/> (or <see cref="DisposeAsync"/>) once. The connection is not
/// restartable.</para>
/// <para><b>Inbound.</b> Each message on the device's own <c>cmd/#</c>, <c>rpc/req</c>, <c>blob/resp</c>, <c>share</c> or on
/// <c>gw/+/registry</c> is copied and passed to <see cref="InboundHandler"/> on a worker task; up to
/// <see cref="DeviceBusOptions.ReceiveMaximum"/> handlers run at once. A QoS 1 message is acknowledged when its handler
/// finishes (or throws, which is logged): work cut off by a lost connection or a stop is redelivered in the persistent
/// session with <see cref="BusInboundMessage.Duplicate"/> set. <c>{haPrefix}/status</c> = <c>online</c> runs the publish
/// hooks with <see cref="BusPublishTrigger.HomeAssistantOnline"/> instead.</para>
/// <para><b>Thread safety.</b> Publishing methods, <see cref="IsConnected"/>, <see cref="WaitConnectedAsync"/> and
/// <see cref="RebirthAsync"/> may be called from any thread at any time; a publish while disconnected returns false at
/// once (this layer never queues; the telemetry outbox does).</para>
/// </remarks>
public sealed class DeviceBusConnection : IAsyncDisposable
{
    private const int StateNew = 0;
    private const int StateStarted = 1;
    private const int StateStopped = 2;

    /// <summary>
    /// SO_SNDBUF/SO_RCVBUF of the device's bus socket. MQTTnet's client pins both to 8 KiB unless told otherwise
    /// (<c>MqttClientTcpOptions.BufferSize</c>), which turns off the kernel's buffer autotuning: a 4 MiB
    /// <c>storage.put</c> or <c>storage.get</c> envelope then crawls at ~2 MB/s even on loopback, and every small
    /// message queues behind it. 1 MiB moves it in milliseconds; the kernel caps it at <c>net.core.rmem_max</c>/<c>wmem_max</c>
    /// and only uses the memory while data is in flight.
    /// </summary>
    internal const int SocketBufferBytes = 1024 * 1024;

    private static readonly MqttClientFactory s_factory = new();

    private readonly DeviceBusOptions _options;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;
    private readonly BdSeqFile _bdSeq;
    private readonly IMqttClient _client;
    private readonly string _registryPrefix;
    private readonly List<Func<BusPublishTrigger, CancellationToken, Task>> _hooks = [];
    private readonly SemaphoreSlim _handlerSlots;
    private readonly LargeMessageReclaimer _reclaimer;
    private readonly CancellationTokenSource _loopStop = new();
    private readonly CancellationTokenSource _handlerStop = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource _online = NewSignal();
    private TaskCompletionSource _disconnected = NewSignal();
    private TaskCompletionSource _handlersDrained = NewSignal();
    private Task _loop = Task.CompletedTask;
    private int _state;
    private int _runningHandlers;
    private long _generation;
    private volatile bool _isOnline;
    private volatile bool _acceptInbound = true;
    private ulong _currentBdSeq;

    /// <summary>Creates a connection; nothing touches the network or the bdSeq file until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The session settings; validated here.</param>
    /// <param name="clock">The clock of the reconnect delays and of the birth/will timestamps.</param>
    /// <param name="logger">The logger; null logs nothing.</param>
    /// <param name="jitter">The random source of the reconnect jitter; null uses <see cref="Random.Shared"/>. Seed it in tests.</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public DeviceBusConnection(DeviceBusOptions options, IClock clock, ILogger? logger = null, Random? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        options.Validate();
        _options = options;
        _clock = clock;
        _logger = logger ?? NullLogger.Instance;
        _backoff = new ReconnectBackoff(options.ReconnectMinDelay, options.ReconnectMaxDelay, options.ReconnectJitter, jitter ?? Random.Shared);
        _bdSeq = new BdSeqFile(options.BdSeqPath, () => clock.UtcNow.ToUnixTimeSeconds());
        _handlerSlots = new SemaphoreSlim(options.ReceiveMaximum, options.ReceiveMaximum);
        _reclaimer = new LargeMessageReclaimer(options.ReclaimAfterBytes);
        _registryPrefix = options.Topics.Base + "/gw/";
        _client = s_factory.CreateMqttClient(new BusChannelAdapterFactory());
        _client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    /// <summary>
    /// Handles inbound commands, requests, blob pieces, shares and registries (see the class remarks). Set it before
    /// <see cref="StartAsync"/>; a message that arrives while it is null is acknowledged and dropped with a warning. The
    /// token is cancelled when <see cref="StopAsync"/> stops waiting for handlers.
    /// </summary>
    public Func<BusInboundMessage, CancellationToken, Task>? InboundHandler { get; set; }

    /// <summary>The device id of this session.</summary>
    public string DeviceId => _options.DeviceId;

    /// <summary>The topic layout of this session.</summary>
    public FleetTopics Topics => _options.Topics;

    /// <summary>Whether the session is up and its birth has been published.</summary>
    public bool IsConnected => _isOnline;

    /// <summary>The bdSeq of the current (or last) connection; 0 before the first CONNECT.</summary>
    public ulong BdSeq => Interlocked.Read(ref _currentBdSeq);

    /// <summary>
    /// Adds a hook run after every birth (<see cref="BusPublishTrigger.Connected"/>, <see cref="BusPublishTrigger.Rebirth"/>)
    /// and when Home Assistant comes online, in the order added. The miner publishes discovery, state and backfill from
    /// here (the telemetry publisher registers itself). A hook that throws is logged; the others still run.
    /// </summary>
    /// <exception cref="InvalidOperationException">The connection has already started.</exception>
    public void AddPublishHook(Func<BusPublishTrigger, CancellationToken, Task> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (Volatile.Read(ref _state) != StateNew)
        {
            ThrowHelper.ThrowInvalidOperation("Publish hooks are added before StartAsync.");
        }

        _hooks.Add(hook);
    }

    /// <summary>
    /// Starts the connect loop and returns at once: connecting, and reconnecting after every loss, happens in the
    /// background until <see cref="StopAsync"/>. Use <see cref="WaitConnectedAsync"/> to wait for the first birth.
    /// </summary>
    /// <exception cref="InvalidOperationException">Started before, or stopped.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _state, StateStarted, StateNew) != StateNew)
        {
            ThrowHelper.ThrowInvalidOperation("A DeviceBusConnection starts once.");
        }

        _loop = Task.Run(() => RunAsync(_loopStop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Completes once the session is up and its birth published (at once if it is now).</summary>
    public Task WaitConnectedAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return _online.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Publishes one message. Returns true when a QoS 1 message was acknowledged by the broker (success or "no matching
    /// subscribers") or a QoS 0 message was written; false when disconnected, refused (e.g. by the broker's ACL) or cut off,
    /// which is logged at debug level. Never throws for network failures.
    /// </summary>
    /// <param name="topic">The full topic; no wildcards.</param>
    /// <param name="payload">The payload; empty with <paramref name="retain"/> clears a retained topic.</param>
    /// <param name="delivery">QoS 0 or 1.</param>
    /// <param name="retain">Whether the broker keeps it for later subscribers.</param>
    /// <param name="correlationData">MQTT 5 CorrelationData, e.g. of a <c>blob.get</c> request; null for none.</param>
    /// <param name="responseTopic">MQTT 5 ResponseTopic; null for none.</param>
    /// <param name="cancellationToken">Cancels the wait for the acknowledgement.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<bool> PublishAsync(
        string topic,
        ReadOnlyMemory<byte> payload,
        BusDelivery delivery = BusDelivery.AtLeastOnce,
        bool retain = false,
        ReadOnlyMemory<byte>? correlationData = null,
        string? responseTopic = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        MqttApplicationMessageBuilder builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayloadSegment(payload)
            .WithQualityOfServiceLevel(delivery == BusDelivery.AtLeastOnce ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce)
            .WithRetainFlag(retain);
        if (correlationData is ReadOnlyMemory<byte> correlation)
        {
            builder.WithCorrelationData(correlation.ToArray());
        }

        if (responseTopic is not null)
        {
            builder.WithResponseTopic(responseTopic);
        }

        return await PublishCoreAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers <paramref name="request"/>: QoS 1, not retained, on its ResponseTopic (the device's <c>rpc/resp</c> when it
    /// has none) with its CorrelationData. The payload is the device-signed envelope. Same results as <see cref="PublishAsync"/>;
    /// false (logged) also when the request's response topic is not a valid topic name.
    /// </summary>
    public Task<bool> PublishResponseAsync(BusInboundMessage request, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        string topic = string.IsNullOrEmpty(request.ResponseTopic) ? _options.Topics.RpcResponse(_options.DeviceId) : request.ResponseTopic;
        if (topic.AsSpan().IndexOfAny("+#\0") >= 0 || topic.Length > ushort.MaxValue / 4)
        {
            // The response topic came from the network; a wildcard or oversized one cannot be published to.
            Log.InboundDropped(_logger, request.Topic, "the request's response topic is not a valid topic name; no response sent");
            return Task.FromResult(false);
        }

        return PublishAsync(topic, payload, BusDelivery.AtLeastOnce, retain: false, request.CorrelationData, responseTopic: null, cancellationToken);
    }

    /// <summary>
    /// Republishes the birth (same bdSeq) and runs the publish hooks with <see cref="BusPublishTrigger.Rebirth"/>
    /// (fleet.md §4 <c>cmd/rebirth</c>). Returns false when disconnected: the next connection's birth covers it.
    /// </summary>
    public async Task<bool> RebirthAsync(CancellationToken cancellationToken = default)
    {
        if (!_isOnline)
        {
            return false;
        }

        if (!await PublishStatusAsync(StatusMessage.Online, BdSeq, clean: false, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await RunHooksAsync(BusPublishTrigger.Rebirth, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Stops cleanly (fleet.md §2, §4): takes no new inbound messages, waits for running handlers until
    /// <paramref name="cancellationToken"/> fires (then cancels them), stops reconnecting, publishes a retained
    /// <c>{state: offline, clean: true}</c> and disconnects normally so the broker discards the will. If the clean
    /// <c>offline</c> cannot be published, it disconnects with the will instead, so readers still see the device offline.
    /// Idempotent; a second call returns at once.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, StateStopped) != StateStarted)
        {
            return;
        }

        _acceptInbound = false;
        try
        {
            if (Volatile.Read(ref _runningHandlers) > 0)
            {
                await _handlersDrained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Out of time: running handlers are told to stop; their messages stay unacknowledged and are redelivered.
        }

        await _handlerStop.CancelAsync().ConfigureAwait(false);
        await _loopStop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        bool offlinePublished = false;
        if (_client.IsConnected)
        {
            try
            {
                offlinePublished = await PublishStatusAsync(StatusMessage.Offline, BdSeq, clean: true, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            _isOnline = false;
            MqttClientDisconnectOptions disconnect = new()
            {
                Reason = offlinePublished ? MqttClientDisconnectOptionsReason.NormalDisconnection : MqttClientDisconnectOptionsReason.DisconnectWithWillMessage,
            };
            try
            {
                await _client.DisconnectAsync(disconnect, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
            {
                Log.PublishFailed(_logger, "DISCONNECT", ex.Message);
            }
        }

        Log.Stopped(_logger, offlinePublished);
    }

    /// <summary>Stops (as <see cref="StopAsync"/>, waiting at most 10 s for handlers) if running, and releases the client.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _state) == StateStarted)
        {
            using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(10));
            await StopAsync(timeout.Token).ConfigureAwait(false);
        }

        Volatile.Write(ref _state, StateStopped);
        _client.Dispose();
        _loopStop.Dispose();
        _handlerStop.Dispose();
        _handlerSlots.Dispose();
    }

    /// <summary>Raised when a reconnect delay has been registered on the clock, with the delay (tests advance a manual clock by it).</summary>
    internal event Action<TimeSpan>? RetryScheduled;

    /// <summary>CONNECT attempts so far.</summary>
    internal int ConnectAttempts { get; private set; }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync(CancellationToken stop)
    {
        int failures = 0;
        while (!stop.IsCancellationRequested)
        {
            string? failure = null;
            try
            {
                failure = await ConnectOnceAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failure = ex.Message;
            }

            if (failure is null)
            {
                failures = 0;
                TaskCompletionSource disconnected;
                lock (_lock)
                {
                    disconnected = _disconnected;
                }

                try
                {
                    await disconnected.Task.WaitAsync(stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (!await DelayAsync(_backoff.Delay(0), stop).ConfigureAwait(false))
                {
                    return;
                }

                // The wait after a drop was the first step; a failed attempt now waits the next one (2 s, 4 s, …).
                failures = 1;
                continue;
            }

            TimeSpan delay = _backoff.Delay(failures++);
            Log.ConnectFailed(_logger, _options.BrokerUri, failure, delay);
            if (!await DelayAsync(delay, stop).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            // Registered on the clock before the event, so a test may advance a manual clock from the event.
            Task wait = _clock.DelayAsync(delay, stop);
            RetryScheduled?.Invoke(delay);
            await wait.ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One CONNECT with subscriptions, birth and hooks; null on success, else why it failed.</summary>
    private async Task<string?> ConnectOnceAsync(CancellationToken stop)
    {
        ConnectAttempts++;
        ulong bdSeq = _bdSeq.Next();
        if (_bdSeq.RecoveredFromDamage)
        {
            Log.BdSeqRecovered(_logger, _options.BdSeqPath, bdSeq);
        }

        Interlocked.Exchange(ref _currentBdSeq, bdSeq);
        string password = await _options.PasswordFactory(stop).ConfigureAwait(false);
        MqttClientOptions clientOptions = BuildClientOptions(bdSeq, password);
        lock (_lock)
        {
            _disconnected = NewSignal();
        }

        MqttClientConnectResult result;
        try
        {
            result = await _client.ConnectAsync(clientOptions, stop).ConfigureAwait(false);
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException ex)
        {
            return ex.Message;
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException ex)
        {
            return ex.InnerException?.Message ?? ex.Message;
        }

        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            if (result.ResultCode is MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.BadUserNameOrPassword)
            {
                Log.LoginRefused(_logger, result.ResultCode);
            }

            return "CONNACK " + result.ResultCode;
        }

        Interlocked.Increment(ref _generation);
        Log.Connected(_logger, _options.BrokerUri, _options.EffectiveClientId, bdSeq, result.IsSessionPresent);
        await SubscribeAsync(stop).ConfigureAwait(false);
        if (!await PublishStatusAsync(StatusMessage.Online, bdSeq, clean: false, stop).ConfigureAwait(false))
        {
            // Lost again at once: the disconnect signal is (or will be) set; the loop waits for it.
            return null;
        }

        lock (_lock)
        {
            _isOnline = _client.IsConnected;
            if (_isOnline)
            {
                _online.TrySetResult();
            }
        }

        await RunHooksAsync(BusPublishTrigger.Connected, stop).ConfigureAwait(false);
        return null;
    }

    internal MqttClientOptions BuildClientOptions(ulong bdSeq, string password)
    {
        Uri uri = _options.BrokerUri;
        bool tls = uri.Scheme == "mqtts";
        int port = uri.IsDefaultPort || uri.Port < 0 ? (tls ? 8883 : 1883) : uri.Port;
        byte[] will = new StatusMessage(StatusMessage.Offline, bdSeq, _clock.UtcNow.ToUnixTimeMilliseconds(), Clean: false).Encode();
        MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithTcpServer(uri.Host, port)
            .WithClientId(_options.EffectiveClientId)
            .WithCredentials(_options.EffectiveUsername, password)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithMaximumPacketSize((uint)_options.MaximumPacketSize)
            .WithReceiveMaximum((ushort)_options.ReceiveMaximum)
            .WithTimeout(_options.CommunicationTimeout)
            .WithWillTopic(_options.Topics.Status(_options.DeviceId))
            .WithWillPayload(will)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain(true)
            .WithWillDelayInterval((uint)_options.WillDelay.TotalSeconds)
            .WithWillContentType("application/json");
        if (tls)
        {
            string? pin = _options.TlsSha256;
            builder.WithTlsOptions(o =>
            {
                o.UseTls(true).WithTargetHost(uri.Host);
                o.WithCertificateValidationHandler(args => ValidateCertificate(args, pin));
            });
        }

        MqttClientOptions options = builder.Build();
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = SocketBufferBytes;
        return options;
    }

    private bool ValidateCertificate(MqttClientCertificateValidationEventArgs args, string? pin)
    {
        if (pin is null)
        {
            return args.SslPolicyErrors == System.Net.Security.SslPolicyErrors.None;
        }

        if (args.Certificate is null)
        {
            return false;
        }

        string actual = Convert.ToHexStringLower(SHA256.HashData(args.Certificate.GetRawCertData()));
        if (!string.Equals(actual, pin, StringComparison.OrdinalIgnoreCase))
        {
            Log.TlsPinMismatch(_logger, _options.BrokerUri, actual);
            return false;
        }

        return true;
    }

    private async Task SubscribeAsync(CancellationToken stop)
    {
        FleetTopics t = _options.Topics;
        string id = _options.DeviceId;
        MqttClientSubscribeOptions subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(t.CommandFilter(id), MqttQualityOfServiceLevel.AtLeastOnce, noLocal: false, retainAsPublished: false, MqttRetainHandling.SendAtSubscribe)
            .WithTopicFilter(t.RpcRequest(id), MqttQualityOfServiceLevel.AtLeastOnce, noLocal: false, retainAsPublished: false, MqttRetainHandling.SendAtSubscribe)
            .WithTopicFilter(t.BlobResponse(id), MqttQualityOfServiceLevel.AtLeastOnce, noLocal: false, retainAsPublished: false, MqttRetainHandling.SendAtSubscribe)
            .WithTopicFilter(t.Share(id), MqttQualityOfServiceLevel.AtLeastOnce, noLocal: false, retainAsPublished: false, MqttRetainHandling.SendAtSubscribe)
            .WithTopicFilter(_registryPrefix + "+/registry", MqttQualityOfServiceLevel.AtLeastOnce, noLocal: false, retainAsPublished: false, MqttRetainHandling.SendAtSubscribe)
            // Discovery goes out after every birth anyway, so Home Assistant's retained "online" is not wanted at subscribe.
            .WithTopicFilter(t.HaStatus, MqttQualityOfServiceLevel.AtLeastOnce, noLocal: false, retainAsPublished: false, MqttRetainHandling.DoNotSendOnSubscribe)
            .Build();
        MqttClientSubscribeResult result = await _client.SubscribeAsync(subscribe, stop).ConfigureAwait(false);
        foreach (MqttClientSubscribeResultItem item in result.Items)
        {
            if (item.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
            {
                Log.SubscriptionRefused(_logger, item.TopicFilter.Topic, item.ResultCode);
            }
        }
    }

    private Task<bool> PublishStatusAsync(string state, ulong bdSeq, bool clean, CancellationToken cancellationToken)
    {
        byte[] payload = new StatusMessage(state, bdSeq, _clock.UtcNow.ToUnixTimeMilliseconds(), clean).Encode();
        return PublishAsync(_options.Topics.Status(_options.DeviceId), payload, BusDelivery.AtLeastOnce, retain: true, cancellationToken: cancellationToken);
    }

    private async Task<bool> PublishCoreAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            return false;
        }

        try
        {
            MqttClientPublishResult result = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            _reclaimer.Handled(checked((int)message.Payload.Length));
            if (result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers)
            {
                return true;
            }

            Log.PublishRefused(_logger, message.Topic, result.ReasonCode, result.ReasonString);
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttProtocolViolationException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            Log.PublishFailed(_logger, message.Topic, ex.Message);
            return false;
        }
    }

    private async Task RunHooksAsync(BusPublishTrigger trigger, CancellationToken cancellationToken)
    {
        foreach (Func<BusPublishTrigger, CancellationToken, Task> hook in _hooks)
        {
            try
            {
                await hook(trigger, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.HookFailed(_logger, ex, trigger);
            }
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        lock (_lock)
        {
            bool wasOnline = _isOnline;
            _isOnline = false;
            if (_online.Task.IsCompleted)
            {
                _online = NewSignal();
            }

            _disconnected.TrySetResult();
            if (wasOnline || e.ClientWasConnected)
            {
                Log.ConnectionLost(_logger, _options.BrokerUri, e.Exception?.Message ?? e.Reason.ToString());
            }
        }

        return Task.CompletedTask;
    }

    private async Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        MqttApplicationMessage m = e.ApplicationMessage;
        string topic = m.Topic ?? "";
        if (topic == _options.Topics.HaStatus)
        {
            if (m.Payload.Length == 6 && m.Payload.FirstSpan.SequenceEqual("online"u8))
            {
                StartBackground(() => RunHooksAsync(BusPublishTrigger.HomeAssistantOnline, _handlerStop.Token));
            }

            return;
        }

        if (!TryClassify(topic, out BusInboundKind kind, out string? commandName))
        {
            Log.InboundDropped(_logger, topic, "not a topic this device subscribes to");
            return;
        }

        Func<BusInboundMessage, CancellationToken, Task>? handler = InboundHandler;
        if (handler is null)
        {
            Log.InboundDropped(_logger, topic, "no inbound handler is set");
            return;
        }

        if (!_acceptInbound)
        {
            // Stopping: leave it unacknowledged so the persistent session redelivers it to the next run.
            e.AutoAcknowledge = false;
            return;
        }

        if (OversizedBytes(m) is long oversized)
        {
            // The device announced its maximum packet size in CONNECT; a broker that ignores it (MQTTnet's does) must not
            // make the device buffer more. BusChannelAdapter read past it without holding it. Acknowledged so it is not
            // redelivered.
            Log.InboundDropped(_logger, topic, $"{oversized} bytes exceed the maximum packet size of {_options.MaximumPacketSize}");
            return;
        }

        e.AutoAcknowledge = false;
        long generation = Interlocked.Read(ref _generation);
        BusInboundMessage message = new(
            kind,
            topic,
            // MQTTnet 5 decodes every PUBLISH payload into an array of its own (MqttBufferReader.ReadRemainingData) that
            // nothing reuses, so the handler may keep it after this event returns; copying it again doubled the large
            // object heap traffic of a 4 MiB put. A multi-segment sequence (not produced by 5.2) is still copied.
            m.Payload.IsSingleSegment ? m.Payload.First : m.Payload.ToArray(),
            m.CorrelationData is { Length: > 0 } correlation ? (byte[])correlation.Clone() : null,
            string.IsNullOrEmpty(m.ResponseTopic) ? null : m.ResponseTopic,
            m.Dup,
            commandName);
        Log.Inbound(_logger, kind, topic, message.Payload.Length, message.Duplicate);
        try
        {
            await _handlerSlots.WaitAsync(_handlerStop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_lock)
        {
            if (_runningHandlers++ == 0)
            {
                _handlersDrained = NewSignal();
            }
        }

        _ = Task.Run(() => RunHandlerAsync(handler, message, e, generation), CancellationToken.None);
    }

    /// <summary>The size of a message over the maximum packet size (skipped by <see cref="BusChannelAdapter"/>, or whole); else null.</summary>
    private long? OversizedBytes(MqttApplicationMessage m) =>
        BusChannelAdapter.SkippedPacketBytes(m) ?? (m.Payload.Length > _options.MaximumPacketSize ? m.Payload.Length : null);

    private async Task RunHandlerAsync(Func<BusInboundMessage, CancellationToken, Task> handler, BusInboundMessage message, MqttApplicationMessageReceivedEventArgs e, long generation)
    {
        bool acknowledge = true;
        try
        {
            await handler(message, _handlerStop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_handlerStop.IsCancellationRequested)
        {
            acknowledge = false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.HandlerFailed(_logger, ex, message.Topic);
        }
        finally
        {
            _handlerSlots.Release();
            _reclaimer.Handled(message.Payload.Length);
        }

        // An acknowledgement belongs to the connection the message came on; after a reconnect the broker redelivers it.
        if (acknowledge && Interlocked.Read(ref _generation) == generation && _client.IsConnected)
        {
            try
            {
                await e.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or ObjectDisposedException)
            {
                Log.PublishFailed(_logger, "PUBACK " + message.Topic, ex.Message);
            }
        }

        lock (_lock)
        {
            if (--_runningHandlers == 0)
            {
                _handlersDrained.TrySetResult();
            }
        }
    }

    private static void StartBackground(Func<Task> work)
    {
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await work().ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            },
            CancellationToken.None);
    }

    private bool TryClassify(string topic, out BusInboundKind kind, out string? commandName)
    {
        kind = default;
        commandName = null;
        if (_options.Topics.TryParseDeviceTopic(topic, out string id, out string rest))
        {
            if (!string.Equals(id, _options.DeviceId, StringComparison.Ordinal))
            {
                return false;
            }

            switch (rest)
            {
                case "rpc/req":
                    kind = BusInboundKind.RpcRequest;
                    return true;
                case "blob/resp":
                    kind = BusInboundKind.BlobResponse;
                    return true;
                case "share":
                    kind = BusInboundKind.Share;
                    return true;
                default:
                    if (rest.StartsWith("cmd/", StringComparison.Ordinal) && rest.Length > 4)
                    {
                        kind = BusInboundKind.Command;
                        commandName = rest[4..];
                        return true;
                    }

                    return false;
            }
        }

        // {base}/gw/{gw}/registry with exactly one level for the gateway id.
        if (topic.StartsWith(_registryPrefix, StringComparison.Ordinal) && topic.EndsWith("/registry", StringComparison.Ordinal))
        {
            ReadOnlySpan<char> gateway = topic.AsSpan(_registryPrefix.Length, topic.Length - _registryPrefix.Length - "/registry".Length);
            if (gateway.Length > 0 && !gateway.Contains('/'))
            {
                kind = BusInboundKind.Registry;
                return true;
            }
        }

        return false;
    }
}
