// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Miner.Bus;
using Bittensor.Edge.Miner.Device;
using Bittensor.Edge.Miner.Hosting;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Telemetry.Bus;
using Bittensor.Edge.Telemetry.Publishing;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Miner.Fleet;

/// <summary>What a fleet session needs from the host.</summary>
/// <param name="DeviceKey">The device key (not owned).</param>
/// <param name="Board">The board profile id, for <c>hello</c>.</param>
/// <param name="Serial">The board serial, for <c>hello</c>.</param>
/// <param name="StateDir">Where <c>firstboot.json</c>, <c>enrollment.json</c> and <c>bdseq</c> live.</param>
/// <param name="TimeGate">The <c>waiting-for-time</c> gate.</param>
/// <param name="CreateDispatcher">Builds the bus dispatcher once the gateway key is known (from the enrollment).</param>
/// <param name="OutboxPath">The telemetry outbox file (LiteDB) in the data folder.</param>
/// <param name="Device">What Home Assistant shows about the device.</param>
/// <param name="ReclaimAfterBytes">Large-message bytes between full collections (<see cref="DeviceBusOptions.ReclaimAfterBytes"/>); 0 off.</param>
/// <param name="OnConnected">
/// Runs after every birth and <c>cmd/rebirth</c>, once the device reads as online: publish a fresh state (the telemetry
/// publisher has already sent discovery and the last state, and starts the backfill).
/// </param>
public sealed record FleetSessionOptions(
    Ed25519KeyPair DeviceKey,
    string Board,
    string Serial,
    string StateDir,
    TimeGate TimeGate,
    Func<PublicKey, BusDispatcher> CreateDispatcher,
    string OutboxPath,
    DeviceDescription Device,
    Func<DeviceTelemetry, CancellationToken, Task> OnConnected,
    long ReclaimAfterBytes = 4L * 1024 * 1024);

/// <summary>
/// The device's way into its fleet (fleet.md §2–§4): it waits for a first-boot file and for trusted time, joins once
/// (<see cref="JoinClient"/>; on acceptance it writes <c>enrollment.json</c> and deletes <c>joinToken</c> from the local
/// first-boot copy, temp → fsync → rename), then connects as itself through the telemetry library's
/// <see cref="DeviceBusConnection"/> (signed MQTT logins per CONNECT, jittered reconnects, birth/will, persistent session)
/// with its <see cref="DeviceTelemetry"/> (state, samples, events through the outbox, Home Assistant discovery under the
/// first-boot <c>haDiscoveryPrefix</c>, backfill after each reconnect), and hands every inbound command and request to
/// the <see cref="BusDispatcher"/>. A rejected join is a clear log line
/// and state <c>rejected</c>; the session retries only when the first-boot file changes.
/// </summary>
/// <remarks>
/// One <see cref="RunAsync"/> per instance; <see cref="Connection"/>, <see cref="Telemetry"/> and <see cref="Dispatcher"/>
/// are safe to read from any thread. The host disposes <see cref="Telemetry"/> after stopping the connection and after
/// <see cref="RunAsync"/> has returned.
/// </remarks>
public sealed class FleetSession
{
    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_configPoll = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_joinMinDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_joinMaxDelay = TimeSpan.FromSeconds(60);

    private readonly FleetSessionOptions _options;
    private readonly DeviceStatus _status;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly JoinClient _join;
    private readonly TaskCompletionSource _revoked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile DeviceBusConnection? _connection;
    private volatile DeviceTelemetry? _telemetry;
    private volatile BusDispatcher? _dispatcher;

    /// <summary>A session; nothing happens until <see cref="RunAsync"/>.</summary>
    public FleetSession(FleetSessionOptions options, DeviceStatus status, IClock clock, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _status = status;
        _clock = clock;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Bittensor.Edge.Miner.Fleet");
        _join = new JoinClient(clock);
    }

    /// <summary>The path of the first-boot copy.</summary>
    public string FirstBootPath => Path.Combine(_options.StateDir, MinerConstants.FirstBootFile);

    /// <summary>The path of the enrollment record.</summary>
    public string EnrollmentPath => Path.Combine(_options.StateDir, MinerConstants.EnrollmentFile);

    /// <summary>The bus connection once enrolled, or null.</summary>
    public DeviceBusConnection? Connection => _connection;

    /// <summary>The telemetry publisher once enrolled, or null.</summary>
    public DeviceTelemetry? Telemetry => _telemetry;

    /// <summary>The dispatcher once enrolled, or null.</summary>
    public BusDispatcher? Dispatcher => _dispatcher;

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled (then returns with the connection still up, for the
    /// host's clean stop) or the device is revoked.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            Enrollment enrollment = await EnrollAsync(cancellationToken).ConfigureAwait(false);
            await ConnectAsync(enrollment, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the host takes it from here.
        }
    }

    /// <summary>
    /// <c>cmd/revoke</c>: stops serving (the dispatcher refuses everything), disconnects cleanly, and moves
    /// <c>enrollment.json</c> aside so a restart does not log in with a dead enrollment. Data stays.
    /// </summary>
    public async Task RevokeAsync()
    {
        _status.SetState(MinerState.Revoked, "enrollment revoked by the gateway");
        Log.Revoked(_logger);
        try
        {
            if (File.Exists(EnrollmentPath))
            {
                File.Move(EnrollmentPath, EnrollmentPath + ".revoked", overwrite: true);
                DurableFile.SyncDirectoryOf(EnrollmentPath);
            }
        }
        catch (IOException e)
        {
            Log.StartupFailed(_logger, $"could not move {EnrollmentPath} aside: {e.Message}");
        }

        _revoked.TrySetResult();
        if (_connection is { } connection)
        {
            // Not awaited from inside a handler: StopAsync waits for running handlers, this one included.
            _ = Task.Run(() => connection.StopAsync(CancellationToken.None));
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private async Task<Enrollment> EnrollAsync(CancellationToken cancellationToken)
    {
        TimeSpan delay = s_joinMinDelay;
        while (true)
        {
            if (Enrollment.TryRead(EnrollmentPath, out Enrollment? enrolled, out string? enrollmentError))
            {
                return enrolled;
            }

            if (enrollmentError is not null)
            {
                Log.Unconfigured(_logger, enrollmentError);
            }

            if (!FirstBootFile.TryLoad(FirstBootPath, out FirstBootConfig? config, out string? error))
            {
                if (_status.SetState(MinerState.Unconfigured, error))
                {
                    Log.Unconfigured(_logger, error);
                }

                await _clock.DelayAsync(s_configPoll, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await WaitForTimeAsync(cancellationToken).ConfigureAwait(false);
            string clientId = JoinClient.NewClientId();
            _status.SetState(MinerState.Joining, $"fleet {config.FleetId} via {config.Gateway.Mqtt}");
            Log.JoinStarted(_logger, config.FleetId, config.Gateway.Mqtt, clientId, config.JoinToken is null ? "preauthorized key" : "one-time token");
            JoinOutcome outcome = await _join.JoinAsync(config, _options.DeviceKey, _options.Board, _options.Serial, MinerVersion.Current, clientId, cancellationToken).ConfigureAwait(false);
            switch (outcome.Kind)
            {
                case JoinOutcomeKind.Accepted:
                    Enrollment enrollment = new(outcome.DeviceId!, config.FleetId, config.Gateway.PublicKey, config.Gateway.Mqtt, outcome.TokenId, _clock.UtcNow.ToUnixTimeMilliseconds());
                    enrollment.Write(EnrollmentPath);
                    try
                    {
                        FirstBootFile.RemoveJoinToken(FirstBootPath);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
                    {
                        // Enrolled all the same; the used token is worthless to anyone (its uses are spent), but say so.
                        Log.Unconfigured(_logger, $"enrolled, but the join token could not be deleted from {FirstBootPath}: {e.Message}");
                    }

                    Log.JoinAccepted(_logger, config.FleetId, enrollment.DeviceId, FirstBootPath);
                    return enrollment;
                case JoinOutcomeKind.Rejected:
                case JoinOutcomeKind.WrongGateway:
                    string reason = outcome.Reason ?? "unknown";
                    _status.SetState(MinerState.Rejected, $"join rejected: {reason}");
                    Log.JoinRejected(_logger, reason, Advice(outcome));
                    await WaitForFirstBootChangeAsync(cancellationToken).ConfigureAwait(false);
                    delay = s_joinMinDelay;
                    break;
                default:
                    TimeSpan wait = Jitter(delay);
                    Log.JoinFailed(_logger, outcome.Reason ?? "unknown", wait);
                    _status.SetState(MinerState.Joining, $"retrying: {outcome.Reason}");
                    await _clock.DelayAsync(wait, cancellationToken).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, s_joinMaxDelay.Ticks));
                    break;
            }
        }
    }

    private async Task ConnectAsync(Enrollment enrollment, CancellationToken cancellationToken)
    {
        if (!Ss58.TryDecode(enrollment.GatewayPublicKey, out PublicKey gatewayKey))
        {
            _status.SetState(MinerState.Error, $"{EnrollmentPath} has no valid gateway key");
            Log.Unconfigured(_logger, $"{EnrollmentPath} has no valid gatewayPublicKey; remove it to join again");
            return;
        }

        string deviceId = DeviceIds.FromPublicKey(_options.DeviceKey.PublicKey);
        if (enrollment.DeviceId != deviceId)
        {
            _status.SetState(MinerState.Error, "the enrollment belongs to another device key");
            Log.Unconfigured(_logger, $"{EnrollmentPath} enrolls {enrollment.DeviceId}, but this device key is {deviceId}; remove it to join again");
            return;
        }

        FirstBootFile.TryLoad(FirstBootPath, out FirstBootConfig? config, out _);
        await WaitForTimeAsync(cancellationToken).ConfigureAwait(false);
        BusDispatcher dispatcher = _options.CreateDispatcher(gatewayKey);
        _dispatcher = dispatcher;
        Uri broker = new(enrollment.Mqtt);
        DeviceBusOptions options = new()
        {
            BrokerUri = broker,
            DeviceId = deviceId,
            Topics = FleetTopics.ForFleet(enrollment.FleetId, config?.HaDiscoveryPrefix ?? FleetTopics.DefaultHaPrefix),
            PasswordFactory = _ => ValueTask.FromResult(MqttLogin.CreatePassword(_options.DeviceKey, deviceId, _clock.UtcNow.ToUnixTimeSeconds())),
            BdSeqPath = Path.Combine(_options.StateDir, MinerConstants.BdSeqFile),
            TlsSha256 = broker.Scheme == "mqtts" ? config?.Gateway.TlsSha256 : null,
            ReclaimAfterBytes = _options.ReclaimAfterBytes,
        };
        DeviceBusConnection connection = new(options, _clock, _loggerFactory.CreateLogger("Bittensor.Edge.Telemetry"));
        DeviceTelemetry telemetry;
        try
        {
            // Before the connection starts: it registers the hook that sends discovery, the last state and the backfill.
            telemetry = new DeviceTelemetry(
                connection,
                new DeviceTelemetryOptions { OutboxPath = _options.OutboxPath, GatewayId = config?.Gateway.GatewayIdOrDefault() ?? FirstBootGateway.DefaultGatewayId, Device = _options.Device },
                _clock,
                _loggerFactory.CreateLogger("Bittensor.Edge.Telemetry"));
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        connection.InboundHandler = (message, token) => OnInboundAsync(connection, dispatcher, message, token);
        connection.AddPublishHook((trigger, token) => trigger == BusPublishTrigger.HomeAssistantOnline ? Task.CompletedTask : OnBirthAsync(telemetry, token));
        _telemetry = telemetry;
        _connection = connection;
        _status.SetState(MinerState.Connecting, broker.ToString());
        Log.Connecting(_logger, broker, deviceId);
        using CancellationTokenSource telemetryStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task telemetryRun = telemetry.RunAsync(telemetryStop.Token);
        try
        {
            await connection.StartAsync(cancellationToken).ConfigureAwait(false);
            bool wasOnline = false;
            while (!_revoked.Task.IsCompleted)
            {
                bool online = connection.IsConnected;
                if (online != wasOnline)
                {
                    wasOnline = online;
                    _status.SetState(online ? MinerState.Online : MinerState.Connecting, online ? null : broker.ToString());
                    if (online)
                    {
                        Log.Online(_logger, connection.BdSeq);
                    }
                }

                await Task.WhenAny(_clock.DelayAsync(s_poll, cancellationToken), _revoked.Task).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            // The publisher's last flush writes the RAM ring to the outbox; what is queued goes out after the next start.
            await telemetryStop.CancelAsync().ConfigureAwait(false);
            await telemetryRun.ConfigureAwait(false);
        }
    }

    private Task OnBirthAsync(DeviceTelemetry telemetry, CancellationToken cancellationToken)
    {
        // The birth is out, so the state published now says online rather than connecting.
        if (_status.State is MinerState.Connecting or MinerState.Starting)
        {
            _status.SetState(MinerState.Online);
        }

        return _options.OnConnected(telemetry, cancellationToken);
    }

    private async Task OnInboundAsync(DeviceBusConnection connection, BusDispatcher dispatcher, BusInboundMessage message, CancellationToken cancellationToken)
    {
        if (message.Kind is not (BusInboundKind.RpcRequest or BusInboundKind.Command))
        {
            return; // share, registry and blob pieces: nothing on this device uses them yet.
        }

        BusRequest request = new(message.Payload, message.CorrelationData, message.ResponseTopic, message.Kind == BusInboundKind.Command ? message.CommandName : null);
        byte[]? reply = await dispatcher.HandleAsync(request, cancellationToken).ConfigureAwait(false);
        if (reply is not null && !await connection.PublishResponseAsync(message, reply, cancellationToken).ConfigureAwait(false))
        {
            Log.PublishDropped(_logger, message.ResponseTopic ?? "rpc/resp");
        }
    }

    private async Task WaitForTimeAsync(CancellationToken cancellationToken)
    {
        bool logged = false;
        while (!_options.TimeGate.IsTimeTrusted())
        {
            if (!logged)
            {
                _status.SetState(MinerState.WaitingForTime);
                Log.WaitingForTime(_logger, _options.TimeGate.SyncFile);
                logged = true;
            }

            await _clock.DelayAsync(s_poll, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForFirstBootChangeAsync(CancellationToken cancellationToken)
    {
        DateTime stamp = Stamp();
        while (Stamp() == stamp)
        {
            await _clock.DelayAsync(s_configPoll, cancellationToken).ConfigureAwait(false);
        }

        DateTime Stamp()
        {
            try
            {
                return File.GetLastWriteTimeUtc(FirstBootPath);
            }
            catch (IOException)
            {
                return DateTime.MinValue;
            }
        }
    }

    private static string Advice(JoinOutcome outcome) => outcome.Kind == JoinOutcomeKind.WrongGateway
        ? "Check gateway.publicKey in the first-boot file against the bus key of the gateway you mean (its start-up log prints it); nothing secret was sent."
        : outcome.Reason switch
        {
            JoinRejectReasons.TokenUnknown or JoinRejectReasons.TokenRevoked or JoinRejectReasons.TokenExpired or JoinRejectReasons.TokenUsed =>
                $"Create a new token with 'bte fleet token create' and put it into the first-boot file (token id {outcome.TokenId}); the device retries when the file changes.",
            JoinRejectReasons.BoardNotAllowed => "The token is limited to other boards; create one for this board ('bte fleet token create --board ...').",
            JoinRejectReasons.RateLimited => "Too many join attempts from this address; the device retries when the first-boot file changes.",
            _ => "The device retries when the first-boot file changes.",
        };

    private static TimeSpan Jitter(TimeSpan delay) => delay * (0.8 + (0.4 * Random.Shared.NextDouble()));
}
