// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Gateway.Admin;
using Bittensor.Edge.Gateway.Broker;
using Bittensor.Edge.Gateway.Bus;
using Bittensor.Edge.Gateway.Fleet;
using Bittensor.Edge.Gateway.Join;
using Bittensor.Edge.Gateway.Probe;
using Bittensor.Edge.Protocol.Fleet;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Gateway;

/// <summary>What a <see cref="FleetGateway"/> is made of, besides its store and key.</summary>
/// <param name="FleetId">The fleet id (in the join transcripts).</param>
/// <param name="GatewayId">The gateway id (in topics).</param>
/// <param name="Topics">The topic layout.</param>
/// <param name="Broker">The broker's listener and limits.</param>
/// <param name="ProbeModel">The bundled model of <c>bte fleet probe</c>.</param>
/// <param name="ProbeLeaves">Leaves per probe challenge.</param>
/// <param name="ProbeTimeout">Per probe request.</param>
public sealed record FleetGatewayOptions(string FleetId, string GatewayId, FleetTopics Topics, FleetBrokerOptions Broker, string ProbeModel, int ProbeLeaves, TimeSpan ProbeTimeout);

/// <summary>
/// The fleet side of <c>bte-gateway</c> in one object: the <see cref="FleetStore"/>, the embedded
/// <see cref="FleetBroker"/>, the <see cref="JoinService"/>, the gateway's <see cref="GatewayBus"/> client and the
/// <see cref="DeviceProber"/>, plus the operations behind the admin API (tokens, preauthorization, devices, revoke,
/// probe). Built by hand by <see cref="GatewayHost"/> and by tests.
/// </summary>
/// <remarks>Thread-safe. Owns the broker, bus and prober; not the store, key, clock or logger.</remarks>
public sealed class FleetGateway : IAsyncDisposable
{
    private static readonly TimeSpan s_revokeAckTimeout = TimeSpan.FromSeconds(5);

    private readonly FleetGatewayOptions _options;
    private readonly Ed25519KeyPair _busKey;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly DeviceProber _prober;

    private FleetGateway(FleetGatewayOptions options, FleetStore store, Ed25519KeyPair busKey, IClock clock, ILogger logger)
    {
        _options = options;
        Store = store;
        _busKey = busKey;
        _clock = clock;
        _logger = logger;
        Broker = new FleetBroker(options.Broker, store, clock, logger);
        Join = new JoinService(options.FleetId, busKey, store, clock, logger);
        Bus = new GatewayBus(options.Topics, options.GatewayId, busKey, store, Join, new DevicePresence(), clock, logger);
        _prober = new DeviceProber(Bus, store, options.ProbeModel, options.ProbeLeaves, options.ProbeTimeout, clock, logger);
        Broker.DevicePublished += deviceId => Bus.Presence.OnSeen(deviceId, _clock.UtcNow);
    }

    /// <summary>The fleet database.</summary>
    public FleetStore Store { get; }

    /// <summary>The embedded broker.</summary>
    public FleetBroker Broker { get; }

    /// <summary>The join service.</summary>
    public JoinService Join { get; }

    /// <summary>The gateway's bus client.</summary>
    public GatewayBus Bus { get; }

    /// <summary>The topic layout.</summary>
    public FleetTopics Topics => _options.Topics;

    /// <summary>The gateway's bus key (public part).</summary>
    public PublicKey BusKey => _busKey.PublicKey;

    /// <summary>Starts the broker and connects the bus client; then <see cref="RunAsync"/> serves join messages.</summary>
    public static async Task<FleetGateway> StartAsync(FleetGatewayOptions options, FleetStore store, Ed25519KeyPair busKey, IClock clock, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(busKey);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        FleetGateway gateway = new(options, store, busKey, clock, logger);
        try
        {
            await gateway.Broker.StartAsync().ConfigureAwait(false);
            await gateway.Bus.StartAsync(gateway.Broker, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await gateway.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return gateway;
    }

    /// <summary>Serves join messages until cancelled; faults if the bus connection is lost.</summary>
    public Task RunAsync(CancellationToken cancellationToken = default) => Bus.RunAsync(cancellationToken);

    /// <summary>What a device's first-boot config needs from this gateway.</summary>
    public GatewayInfo Info() => new(_options.FleetId, _options.GatewayId, _options.Topics.Base, Ss58.Encode(_busKey.PublicKey), Broker.Port, Broker.TlsPort, Broker.TlsSha256);

    /// <summary>Makes a join token; its text is returned once and never stored.</summary>
    public bool TryCreateToken(TokenCreateRequest request, [NotNullWhen(true)] out TokenCreated? created, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        created = null;
        if (request.TtlS <= 0 || request.TtlS > (long)GatewayConstants.MaxTokenTtl.TotalSeconds)
        {
            problem = $"ttl must be 1 s to {GatewayConstants.MaxTokenTtl.TotalDays:0} days.";
            return false;
        }

        if (request.Uses is < 1 or > GatewayConstants.MaxTokenUses)
        {
            problem = $"uses must be 1 to {GatewayConstants.MaxTokenUses}.";
            return false;
        }

        if (request.Board is not null && !JoinService.IsBoardId(request.Board))
        {
            problem = $"'{request.Board}' is not a board id (rpi4, rpi5, jetson-orin-nano, x64-sim, ...).";
            return false;
        }

        JoinToken token = JoinToken.Create();
        TokenRecord record = Store.AddToken(token, _clock.UtcNow, TimeSpan.FromSeconds(request.TtlS), request.Uses, request.Board);
        Log.TokenCreated(_logger, record.TokenId, record.Uses, record.ExpiresAt, record.Board ?? "any");
        created = new TokenCreated(token.Text, record.TokenId, record.ExpiresAt, record.Uses, record.Board);
        problem = null;
        return true;
    }

    /// <summary>Every token without its secret.</summary>
    public TokenList ListTokens()
    {
        DateTimeOffset now = _clock.UtcNow;
        return new TokenList([.. Store.ListTokens().Select(t => new TokenInfo(t.TokenId, t.CreatedAt, t.ExpiresAt, t.Uses, t.UsesLeft, t.Board, t.StateAt(now)))]);
    }

    /// <summary>Revokes a token by id.</summary>
    public bool TryRevokeToken(string tokenId, [NotNullWhen(true)] out TokenInfo? token)
    {
        token = null;
        if (!Store.TryRevokeToken(tokenId.ToLowerInvariant(), out TokenRecord? record))
        {
            return false;
        }

        Log.TokenRevoked(_logger, record.TokenId);
        token = new TokenInfo(record.TokenId, record.CreatedAt, record.ExpiresAt, record.Uses, record.UsesLeft, record.Board, record.StateAt(_clock.UtcNow));
        return true;
    }

    /// <summary>Preauthorizes a device key (SS58 or 0x hex) for a board.</summary>
    public bool TryPreauthorize(PreauthRequest request, [NotNullWhen(true)] out DeviceInfo? device, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        device = null;
        if (!TryParseKey(request.PubKey, out PublicKey key))
        {
            problem = $"'{request.PubKey}' is not an SS58 address or 0x and 64 hex digits.";
            return false;
        }

        if (!JoinService.IsBoardId(request.Board))
        {
            problem = $"'{request.Board}' is not a board id (rpi4, rpi5, jetson-orin-nano, x64-sim, ...).";
            return false;
        }

        if (!Store.TryPreauthorize(key, request.Board, _clock.UtcNow, out EnrollmentRecord enrollment))
        {
            problem = $"{enrollment.DeviceId} is already enrolled and active.";
            return false;
        }

        Log.DevicePreauthorized(_logger, enrollment.DeviceId, enrollment.Board);
        device = Describe(enrollment);
        problem = null;
        return true;
    }

    /// <summary>Every enrollment with its presence.</summary>
    public DeviceList ListDevices() => new([.. Store.ListEnrollments().Select(Describe)]);

    /// <summary>One enrollment with its presence.</summary>
    public bool TryGetDevice(string deviceId, [NotNullWhen(true)] out DeviceInfo? device)
    {
        device = Store.TryGetEnrollment(deviceId, out EnrollmentRecord? enrollment) ? Describe(enrollment) : null;
        return device is not null;
    }

    /// <summary>
    /// Revokes <paramref name="deviceId"/> (fleet.md §3): marks the enrollment revoked (so every later login and join is
    /// refused), sends the signed <c>cmd/revoke</c> and waits briefly for its acknowledgement, drops the device's
    /// session, and clears its Home Assistant discovery with an empty retained payload.
    /// </summary>
    public async Task<RevokeResult?> RevokeDeviceAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        if (!Store.TryRevokeEnrollment(deviceId, _clock.UtcNow, out EnrollmentRecord? _))
        {
            return null;
        }

        bool connected = Broker.IsConnected(deviceId);
        bool acknowledged = false;
        string commandTopic = Topics.Command(deviceId, BusMethods.Revoke);
        byte[] header = Protocol.Fleet.BusRequestHeader.Encode(BusMethods.Revoke, (_clock.UtcNow + TimeSpan.FromMinutes(5)).ToUnixTimeMilliseconds());
        Task Publish() => Bus.PublishCommandAsync(deviceId, BusMethods.Revoke, header, cancellationToken);
        if (connected)
        {
            acknowledged = await Broker.WaitForAcknowledgementAsync(deviceId, commandTopic, Publish, s_revokeAckTimeout, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Publish().ConfigureAwait(false);
        }

        await Broker.DropDeviceSessionAsync(deviceId).ConfigureAwait(false);
        await Bus.PublishAsync(Topics.HaDiscovery(deviceId), [], retain: true, cancellationToken).ConfigureAwait(false);
        Bus.Presence.Forget(deviceId);
        Log.DeviceRevoked(_logger, deviceId, connected, acknowledged);
        return new RevokeResult(deviceId, connected, acknowledged, DiscoveryCleared: true);
    }

    /// <summary>Probes an enrolled device (see <see cref="DeviceProber"/>).</summary>
    public Task<ProbeReport> ProbeAsync(string deviceId, CancellationToken cancellationToken = default) => _prober.ProbeAsync(deviceId, cancellationToken);

    /// <summary>Stops the bus client (clean offline status) and the broker.</summary>
    public async ValueTask DisposeAsync()
    {
        await Bus.DisposeAsync().ConfigureAwait(false);
        await Broker.DisposeAsync().ConfigureAwait(false);
        _prober.Dispose();
    }

    private DeviceInfo Describe(EnrollmentRecord e)
    {
        DevicePresenceInfo presence = e.State == EnrollmentState.Revoked ? DevicePresenceInfo.Unknown : Bus.Presence.Get(e.DeviceId);
        string state = e.State switch
        {
            EnrollmentState.Active => "active",
            EnrollmentState.Preauthorized => "preauthorized",
            _ => "revoked",
        };
        return new DeviceInfo(e.DeviceId, Ss58.Encode(e.DevicePub), e.Board, e.Serial, e.Fw, state, presence.State, Broker.IsConnected(e.DeviceId), presence.BdSeq, presence.LastSeen, e.EnrolledAt, e.TokenId);
    }

    private static bool TryParseKey(string? text, out PublicKey key)
    {
        key = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return PublicKey.TryParse(text, null, out key);
        }

        return Ss58.TryDecode(text, out key);
    }
}
