// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Bittensor.Edge.Core;
using Bittensor.Edge.Gateway.Fleet;
using Bittensor.Edge.Protocol.Fleet;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Bittensor.Edge.Gateway.Broker;

/// <summary>What the embedded broker needs to know.</summary>
/// <param name="ListenAddress">The plain listener's address.</param>
/// <param name="Port">Its port; 0 picks a free one (see <see cref="FleetBroker.Port"/>).</param>
/// <param name="Topics">The fleet's topic layout.</param>
/// <param name="GatewayId">This gateway's id (the internal client is <c>gw-{id}</c>).</param>
/// <param name="JoinConnectsPerMinute">Join connects per source address per minute.</param>
/// <param name="HomeAssistantPassword">The <c>homeassistant</c> user's password, or null to refuse that user.</param>
/// <param name="TlsCertificate">The certificate (with its key) of the <c>mqtts</c> listener, or null for none.</param>
/// <param name="TlsPort">The <c>mqtts</c> listener's port on <paramref name="ListenAddress"/>; 0 picks a free one.</param>
public sealed record FleetBrokerOptions(IPAddress ListenAddress, int Port, FleetTopics Topics, string GatewayId, int JoinConnectsPerMinute, string? HomeAssistantPassword, X509Certificate2? TlsCertificate = null, int TlsPort = GatewayConstants.DefaultMqttTlsPort);

/// <summary>
/// The embedded MQTT 5 broker (MQTTnet.Server) of fleet.md §3–4. Every CONNECT is authenticated by its username:
/// <list type="bullet">
/// <item><c>join</c> with client id <c>join-&lt;16 hex&gt;</c>, at most N connects per minute per source address;</item>
/// <item>a device id with client id equal to it and an <see cref="MqttLogin"/> password: enrollment active, time within
/// ±300 s of the gateway's clock and newer than the last accepted login of that device (persisted in the
/// <see cref="FleetStore"/>, so a captured password cannot be replayed, not even after a restart);</item>
/// <item><c>homeassistant</c> with the configured password;</item>
/// <item><c>$gateway</c>, the gateway's own bus client, with a secret made at start that never leaves the process.</item>
/// </list>
/// Every PUBLISH and SUBSCRIBE is then checked against <see cref="TopicAcl"/>. A refusal is a CONNACK, PUBACK or SUBACK
/// reason code and a log line; it never throws out of a handler.
/// </summary>
/// <remarks>
/// Client ids are bound to users (a device's client id is its device id; <c>join-</c> and <c>gw-</c> ids belong to
/// their users), so no connection can take over another's session. Thread-safe.
/// </remarks>
public sealed class FleetBroker : IAsyncDisposable
{
    private readonly FleetBrokerOptions _options;
    private readonly FleetStore _store;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly TopicAcl _acl;
    private readonly JoinRateLimiter _joinLimiter;
    private readonly ConcurrentDictionary<string, string> _connected = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string ClientId, string Topic), TaskCompletionSource> _ackWaiters = new();
    private readonly ConcurrentDictionary<string, (long Generation, uint WillDelayS)> _logins = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<MqttApplicationMessage, byte> _releasedWills = new(ReferenceEqualityComparer.Instance);
    private readonly CancellationTokenSource _stopping = new();
    private long _loginGeneration;
    private MqttServer? _server;

    /// <summary>A broker; nothing listens before <see cref="StartAsync"/>.</summary>
    public FleetBroker(FleetBrokerOptions options, FleetStore store, IClock clock, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _store = store;
        _clock = clock;
        _logger = logger;
        _acl = new TopicAcl(options.Topics, options.GatewayId);
        _joinLimiter = new JoinRateLimiter(clock, options.JoinConnectsPerMinute);
        InternalPassword = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        InternalClientId = GatewayConstants.InternalClientPrefix + options.GatewayId;
    }

    /// <summary>The port the broker listens on (the chosen one when configured with 0).</summary>
    public int Port { get; private set; }

    /// <summary>The port of the <c>mqtts</c> listener, or null when there is none.</summary>
    public int? TlsPort { get; private set; }

    /// <summary>The <c>mqtts</c> certificate's pin (lowercase hex SHA-256 of its DER bytes), or null when there is no TLS listener.</summary>
    public string? TlsSha256 => _options.TlsCertificate is { } certificate ? GatewayFiles.TlsSha256(certificate) : null;

    /// <summary>The address the gateway's own client should dial: the listen address, or loopback for a wildcard.</summary>
    public IPAddress DialAddress =>
        _options.ListenAddress.Equals(IPAddress.Any) ? IPAddress.Loopback
        : _options.ListenAddress.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
        : _options.ListenAddress;

    /// <summary>The client id of the gateway's own bus client.</summary>
    public string InternalClientId { get; }

    /// <summary>The password of the gateway's own bus client; made at start, never written anywhere.</summary>
    internal string InternalPassword { get; }

    /// <summary>Raised (synchronously, from a broker thread) for every accepted publish by a device: the device id.</summary>
    public event Action<string>? DevicePublished;

    /// <summary>Whether a client with this id is connected now.</summary>
    public bool IsConnected(string clientId) => _connected.ContainsKey(clientId);

    /// <summary>Starts listening.</summary>
    /// <exception cref="SocketException">The address or port cannot be bound.</exception>
    public async Task StartAsync()
    {
        if (_server is not null)
        {
            throw new InvalidOperationException("The broker is already started.");
        }

        Port = _options.Port == 0 ? PickFreePort(_options.ListenAddress) : _options.Port;
        MqttServerOptionsBuilder builder = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointPort(Port)
            .WithPersistentSessions();
        if (_options.TlsCertificate is { } certificate)
        {
            TlsPort = _options.TlsPort == 0 ? PickFreePort(_options.ListenAddress) : _options.TlsPort;
            builder.WithEncryptedEndpoint()
                .WithEncryptedEndpointPort(TlsPort.Value)
                .WithEncryptionCertificate(certificate);
        }

        MqttServerOptions options = builder.Build();
        bool v6 = _options.ListenAddress.AddressFamily == AddressFamily.InterNetworkV6;
        options.DefaultEndpointOptions.BoundInterNetworkAddress = v6 ? IPAddress.None : _options.ListenAddress;
        options.DefaultEndpointOptions.BoundInterNetworkV6Address = v6 ? _options.ListenAddress : IPAddress.IPv6None;
        options.TlsEndpointOptions.BoundInterNetworkAddress = v6 ? IPAddress.None : _options.ListenAddress;
        options.TlsEndpointOptions.BoundInterNetworkV6Address = v6 ? _options.ListenAddress : IPAddress.IPv6None;
        MqttServer server = new MqttServerFactory().CreateMqttServer(options);
        server.ValidatingConnectionAsync += OnValidatingConnectionAsync;
        server.InterceptingPublishAsync += OnInterceptingPublishAsync;
        server.InterceptingSubscriptionAsync += OnInterceptingSubscriptionAsync;
        server.ClientConnectedAsync += OnClientConnectedAsync;
        server.ClientDisconnectedAsync += OnClientDisconnectedAsync;
        server.ClientAcknowledgedPublishPacketAsync += OnClientAcknowledgedAsync;
        _server = server;
        await server.StartAsync().ConfigureAwait(false);
        Log.BrokerListening(_logger, _options.ListenAddress, Port);
        if (TlsPort is { } tlsPort)
        {
            Log.BrokerTlsListening(_logger, _options.ListenAddress, tlsPort, TlsSha256!);
        }
    }

    /// <summary>
    /// Waits until client <paramref name="clientId"/> acknowledges a publish on <paramref name="topic"/>, at most
    /// <paramref name="timeout"/> on the gateway clock. The wait is registered before <paramref name="publish"/> runs, so an
    /// immediate acknowledgement is not missed. False on timeout.
    /// </summary>
    public async Task<bool> WaitForAcknowledgementAsync(string clientId, string topic, Func<Task> publish, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(publish);

        // The waiter exists before the publish starts: a device that acknowledges at once must still be seen.
        TaskCompletionSource waiter = _ackWaiters.GetOrAdd((clientId, topic), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await publish().ConfigureAwait(false);
            using CancellationTokenSource delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task done = await Task.WhenAny(waiter.Task, _clock.DelayAsync(timeout, delay.Token)).ConfigureAwait(false);
            await delay.CancelAsync().ConfigureAwait(false);
            return done == waiter.Task;
        }
        finally
        {
            _ackWaiters.TryRemove((clientId, topic), out _);
        }
    }

    /// <summary>Drops the session of <paramref name="deviceId"/> (connection and queued messages), if it has one.</summary>
    public async Task DropDeviceSessionAsync(string deviceId)
    {
        MqttServer? server = _server;
        if (server is null)
        {
            return;
        }

        try
        {
            if (_connected.ContainsKey(deviceId))
            {
                await server.DisconnectClientAsync(deviceId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized, ReasonString = "revoked" }).ConfigureAwait(false);
            }

            MqttSessionStatus? session = await server.GetSessionAsync(deviceId).ConfigureAwait(false);
            if (session is not null)
            {
                await session.DeleteAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or IOException)
        {
            Log.BrokerOperationFailed(_logger, "drop session", deviceId, e.Message);
        }
    }

    /// <summary>Stops listening and disconnects everyone.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false); // wills still waiting for their delay are dropped with the broker
        MqttServer? server = _server;
        _server = null;
        if (server is not null)
        {
            try
            {
                await server.StopAsync(new MqttServerStopOptions()).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or IOException)
            {
                Log.BrokerOperationFailed(_logger, "stop", "", e.Message);
            }

            server.Dispose();
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A failure while authenticating refuses that one connection; it must never take the broker down.")]
    private Task OnValidatingConnectionAsync(ValidatingConnectionEventArgs e)
    {
        string clientId = e.ClientId ?? "";
        string? user = e.UserName;
        string remote = e.RemoteEndPoint?.ToString() ?? "?";
        try
        {
            (MqttConnectReasonCode code, string? reason) = CheckWill(e, user) is { } willProblem
                ? (MqttConnectReasonCode.NotAuthorized, "last will refused: " + willProblem)
                : Authenticate(e, clientId, user);
            e.ReasonCode = code;
            if (code != MqttConnectReasonCode.Success)
            {
                e.ReasonString = reason;
                Log.ConnectRefused(_logger, clientId, user ?? "", remote, reason ?? code.ToString());
            }
            else
            {
                // MQTT 5: a will waits for the earlier of its delay and the end of the session; a new login cancels it.
                // Only clients that ever left a delayed will are tracked (devices), not every one-off join client id.
                uint delay = e.WillDelayInterval == 0 ? 0 : Math.Min(e.WillDelayInterval, e.SessionExpiryInterval);
                if (delay > 0 || _logins.ContainsKey(clientId))
                {
                    _logins[clientId] = (Interlocked.Increment(ref _loginGeneration), delay);
                }
            }
        }
        catch (Exception ex)
        {
            e.ReasonCode = MqttConnectReasonCode.UnspecifiedError;
            Log.ConnectRefused(_logger, clientId, user ?? "", remote, "internal error: " + ex.Message);
        }

        return Task.CompletedTask;
    }

    // MQTTnet 5.2 runs a will through the publish interceptor when it fires (MqttConnectedClient.RunAsync ->
    // DispatchApplicationMessage with the client's username), so the topic ACL already keeps a will off other devices'
    // topics. Checking it here as well refuses a bad will at CONNECT, where the device sees why, and holds wills to the
    // stricter rule of TopicAcl.WillProblem. ValidatingConnectionEventArgs does not expose the will, hence the accessor.
    private string? CheckWill(ValidatingConnectionEventArgs e, string? user)
    {
        MqttConnectPacket connect = ConnectPacketOf(e);
        return connect.WillFlag
            ? _acl.WillProblem(user, connect.WillTopic, (int)connect.WillQoS, connect.WillRetain, connect.WillMessage)
            : null;
    }

    // The CONNECT packet behind the event (a private field of MQTTnet.Server 5.2); AOT-safe, and a MissingFieldException
    // after an MQTTnet upgrade that renames it refuses every connection loudly (the will tests catch it first).
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_connectPacket")]
    private static extern ref MqttConnectPacket ConnectPacketOf(ValidatingConnectionEventArgs e);

    private (MqttConnectReasonCode, string?) Authenticate(ValidatingConnectionEventArgs e, string clientId, string? user)
    {
        switch (TopicAcl.RoleOf(user))
        {
            case ClientRole.Join:
                if (!TopicAcl.IsJoinClientId(clientId))
                {
                    return (MqttConnectReasonCode.ClientIdentifierNotValid, "a join client id is join- and 16 lowercase hex digits");
                }

                IPAddress source = (e.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
                return _joinLimiter.TryAcquire(source)
                    ? (MqttConnectReasonCode.Success, null)
                    : (MqttConnectReasonCode.QuotaExceeded, JoinRejectReasons.RateLimited);

            case ClientRole.Device:
                return AuthenticateDevice(clientId, user!, e.Password);

            case ClientRole.Internal:
                return clientId == InternalClientId && SecretEquals(e.Password, InternalPassword)
                    ? (MqttConnectReasonCode.Success, null)
                    : (MqttConnectReasonCode.BadUserNameOrPassword, "bad internal credentials");

            case ClientRole.HomeAssistant:
                if (clientId.StartsWith(DeviceIds.Prefix, StringComparison.Ordinal) || clientId.StartsWith(GatewayConstants.JoinClientPrefix, StringComparison.Ordinal)
                    || clientId.StartsWith(GatewayConstants.InternalClientPrefix, StringComparison.Ordinal))
                {
                    return (MqttConnectReasonCode.ClientIdentifierNotValid, "the dev-, join- and gw- client ids are reserved");
                }

                return _options.HomeAssistantPassword is { } password && SecretEquals(e.Password, password)
                    ? (MqttConnectReasonCode.Success, null)
                    : (MqttConnectReasonCode.BadUserNameOrPassword, "bad homeassistant password (or mqtt:homeAssistantPasswordUri not set)");

            default:
                return (MqttConnectReasonCode.BadUserNameOrPassword, "unknown user");
        }
    }

    private (MqttConnectReasonCode, string?) AuthenticateDevice(string clientId, string deviceId, string? password)
    {
        if (!string.Equals(clientId, deviceId, StringComparison.Ordinal))
        {
            return (MqttConnectReasonCode.ClientIdentifierNotValid, "a device's client id must be its device id");
        }

        if (!_store.TryGetEnrollment(deviceId, out EnrollmentRecord? enrollment))
        {
            return (MqttConnectReasonCode.NotAuthorized, "not enrolled");
        }

        if (enrollment.State != EnrollmentState.Active)
        {
            return (MqttConnectReasonCode.NotAuthorized, enrollment.State == EnrollmentState.Revoked ? "enrollment revoked" : "preauthorized but not joined yet");
        }

        if (!MqttLogin.TryVerify(password, deviceId, enrollment.DevicePub, out long t))
        {
            return (MqttConnectReasonCode.BadUserNameOrPassword, "malformed or forged login password");
        }

        long now = _clock.UtcNow.ToUnixTimeSeconds();
        if (Math.Abs(now - t) > (long)MqttLogin.MaxSkew.TotalSeconds)
        {
            return (MqttConnectReasonCode.BadUserNameOrPassword, $"login time {t} is more than 300 s from the gateway's {now} (check the device clock)");
        }

        return _store.TryAcceptLogin(deviceId, t)
            ? (MqttConnectReasonCode.Success, null)
            : (MqttConnectReasonCode.BadUserNameOrPassword, $"login time {t} is not newer than the last accepted login (replayed password)");
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A failure while checking a publish refuses that publish; it must never take the broker down.")]
    private Task OnInterceptingPublishAsync(InterceptingPublishEventArgs e)
    {
        string topic = e.ApplicationMessage?.Topic ?? "";
        try
        {
            if (!_acl.MayPublish(e.UserName, e.ClientId, topic, e.ApplicationMessage?.Retain ?? false))
            {
                e.ProcessPublish = false;
                e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
                Log.PublishRefused(_logger, e.ClientId ?? "", e.UserName ?? "", topic);
            }
            else if (TopicAcl.RoleOf(e.UserName) == ClientRole.Device)
            {
                if (HoldWill(e))
                {
                    e.ProcessPublish = false;
                }
                else
                {
                    DevicePublished?.Invoke(e.UserName!);
                }
            }
        }
        catch (Exception ex)
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.UnspecifiedError;
            Log.BrokerOperationFailed(_logger, "publish check", e.ClientId ?? "", ex.Message);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Whether this publish is a device's last will that must wait for its will delay (fleet.md §4: 15 s, so a device that
    /// reconnects within a short network blip never shows offline). MQTTnet 5.2 ignores the will delay: it dispatches a
    /// will as soon as the connection drops (<c>MqttConnectedClient.RunAsync</c>), through this interceptor. A will is
    /// recognised by what only a will carries: the device's own status, <c>offline</c>, not <c>clean</c> (a device that
    /// stops cleanly publishes <c>clean: true</c>, and the ACL keeps other clients off that topic). A held will is
    /// published <see cref="IClock"/>-delay later unless the device logged in again meanwhile.
    /// </summary>
    private bool HoldWill(InterceptingPublishEventArgs e)
    {
        MqttApplicationMessage message = e.ApplicationMessage;
        if (_releasedWills.TryRemove(message, out _))
        {
            return false; // a held will whose delay has passed, published by ReleaseWillAsync
        }

        string clientId = e.ClientId ?? "";
        if (!_logins.TryGetValue(clientId, out (long Generation, uint WillDelayS) login) || login.WillDelayS == 0
            || !string.Equals(message.Topic, _options.Topics.Status(clientId), StringComparison.Ordinal)
            || !StatusMessage.TryDecode(message.Payload.ToArray(), out StatusMessage? status)
            || status!.State != StatusMessage.Offline || status.Clean)
        {
            return false;
        }

        // The delay starts now, on the clock, before anyone can see the will is held.
        Task delay = _clock.DelayAsync(TimeSpan.FromSeconds(login.WillDelayS), _stopping.Token);
        Log.WillHeld(_logger, clientId, login.WillDelayS);
        _ = ReleaseWillAsync(clientId, e.UserName, message, login.Generation, delay);
        return true;
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A will that cannot be published is logged; it must never take the broker down.")]
    private async Task ReleaseWillAsync(string clientId, string? user, MqttApplicationMessage will, long generation, Task delay)
    {
        try
        {
            await delay.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!_logins.TryGetValue(clientId, out (long Generation, uint WillDelayS) login) || login.Generation != generation)
        {
            Log.WillCancelled(_logger, clientId);
            return;
        }

        if (_server is not { } server)
        {
            return;
        }

        _releasedWills[will] = 0;
        try
        {
            await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(will) { SenderClientId = clientId, SenderUserName = user }).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _releasedWills.TryRemove(will, out _);
            Log.BrokerOperationFailed(_logger, "delayed will", clientId, ex.Message);
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A failure while checking a subscription refuses it; it must never take the broker down.")]
    private Task OnInterceptingSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        string filter = e.TopicFilter?.Topic ?? "";
        try
        {
            if (!_acl.MaySubscribe(e.UserName, e.ClientId, filter))
            {
                e.ProcessSubscription = false;
                e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
                Log.SubscribeRefused(_logger, e.ClientId ?? "", e.UserName ?? "", filter);
            }
        }
        catch (Exception ex)
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.UnspecifiedError;
            Log.BrokerOperationFailed(_logger, "subscribe check", e.ClientId ?? "", ex.Message);
        }

        return Task.CompletedTask;
    }

    private Task OnClientConnectedAsync(ClientConnectedEventArgs e)
    {
        _connected[e.ClientId] = e.UserName ?? "";
        if (_logger.IsEnabled(LogLevel.Information))
        {
            string remote = e.RemoteEndPoint?.ToString() ?? "?";
            Log.ClientConnected(_logger, e.ClientId, e.UserName ?? "", remote);
        }

        return Task.CompletedTask;
    }

    private Task OnClientDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        _connected.TryRemove(e.ClientId, out _);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            string type = e.DisconnectType.ToString();
            Log.ClientDisconnected(_logger, e.ClientId, type);
        }

        return Task.CompletedTask;
    }

    private Task OnClientAcknowledgedAsync(ClientAcknowledgedPublishPacketEventArgs e)
    {
        if (e.PublishPacket?.Topic is { } topic && _ackWaiters.TryGetValue((e.ClientId, topic), out TaskCompletionSource? waiter))
        {
            waiter.TrySetResult();
        }

        return Task.CompletedTask;
    }

    private static bool SecretEquals(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    // MQTTnet does not report the port it bound, so port 0 is resolved here first (a short race with other binders,
    // acceptable for tests and "pick any port" set-ups; a taken port fails StartAsync loudly).
    private static int PickFreePort(IPAddress address)
    {
        using TcpListener probe = new(address, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
