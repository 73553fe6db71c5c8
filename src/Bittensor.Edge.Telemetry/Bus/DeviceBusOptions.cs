// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Telemetry.Bus;

/// <summary>
/// Settings of a device's MQTT 5 session with its gateway (fleet.md §4). The defaults are the spec's client settings;
/// tests shorten nothing but the clock. Validated once by <see cref="DeviceBusConnection"/>'s constructor, which names
/// the bad setting.
/// </summary>
public sealed class DeviceBusOptions
{
    /// <summary>The broker: <c>mqtt://host[:1883]</c> or <c>mqtts://host[:8883]</c> (TLS).</summary>
    public required Uri BrokerUri { get; init; }

    /// <summary>The device id (<c>dev-…</c>); also the MQTT username and, unless <see cref="ClientId"/> is set, the client id.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The fleet's topic layout (base and Home Assistant prefix).</summary>
    public required FleetTopics Topics { get; init; }

    /// <summary>
    /// Returns the password for the next CONNECT; called before every attempt because MQTT logins expire
    /// (<see cref="MqttLogin.CreatePassword"/> signs the current time). May throw; the attempt then counts as failed.
    /// </summary>
    public required Func<CancellationToken, ValueTask<string>> PasswordFactory { get; init; }

    /// <summary>The bdSeq file (fleet.md §4: <c>/var/lib/bte/bdseq</c>); created with its directory when missing.</summary>
    public required string BdSeqPath { get; init; }

    /// <summary>The MQTT client id; null means <see cref="DeviceId"/>, which a persistent session needs to be stable.</summary>
    public string? ClientId { get; init; }

    /// <summary>The MQTT username; null means <see cref="DeviceId"/> (fleet.md §3).</summary>
    public string? Username { get; init; }

    /// <summary>
    /// For <c>mqtts://</c>: the SHA-256 (hex) of the gateway's DER certificate, pinned instead of a CA chain
    /// (<c>tlsSha256</c> in the first-boot file). Null validates the chain against the system's trust store.
    /// </summary>
    public string? TlsSha256 { get; init; }

    /// <summary>MQTT keepalive; 30 s.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Session expiry with clean start false; 3 600 s, so requests queued during a short outage are kept.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromSeconds(3600);

    /// <summary>Delay of the last will, so quick reconnects do not flap; 15 s.</summary>
    public TimeSpan WillDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The largest MQTT packet either side may send; 8 MiB.</summary>
    public int MaximumPacketSize { get; init; } = BusEnvelope.MaxPayloadBytes;

    /// <summary>
    /// Bytes of large messages (≥ 85 000, in or out) after which the device runs one full garbage collection that returns
    /// their memory to the OS; 4 MiB (one collection per 4 MiB put), 0 turns it off. Keeps RSS near the idle figure under a
    /// stream of 4 MiB puts.
    /// </summary>
    public long ReclaimAfterBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary>How many unacknowledged QoS 1 messages the broker may have in flight to the device; 16.</summary>
    public int ReceiveMaximum { get; init; } = 16;

    /// <summary>The first reconnect delay; 1 s.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest reconnect delay before jitter; 60 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The relative jitter of each reconnect delay; 0.2 (±20 %).</summary>
    public double ReconnectJitter { get; init; } = 0.2;

    /// <summary>How long one CONNECT, SUBSCRIBE or QoS 1 PUBLISH may wait for its acknowledgement on the network; 10 s.</summary>
    public TimeSpan CommunicationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal string EffectiveClientId => ClientId ?? DeviceId;

    internal string EffectiveUsername => Username ?? DeviceId;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(BrokerUri);
        ArgumentNullException.ThrowIfNull(Topics);
        ArgumentNullException.ThrowIfNull(PasswordFactory);
        if (BrokerUri.Scheme is not ("mqtt" or "mqtts") || string.IsNullOrEmpty(BrokerUri.Host))
        {
            ThrowHelper.ThrowArgument(nameof(BrokerUri), $"brokerUri '{BrokerUri}' must be mqtt://host[:port] or mqtts://host[:port].");
        }

        if (!DeviceIds.IsValid(DeviceId))
        {
            ThrowHelper.ThrowArgument(nameof(DeviceId), $"deviceId '{DeviceId}' is not a device id (dev- and 16 base32 characters).");
        }

        if (string.IsNullOrWhiteSpace(BdSeqPath))
        {
            ThrowHelper.ThrowArgument(nameof(BdSeqPath), "bdSeqPath is required (fleet.md §4 keeps it in /var/lib/bte/bdseq).");
        }

        if (TlsSha256 is not null && (TlsSha256.Length != 64 || !IsHex(TlsSha256)))
        {
            ThrowHelper.ThrowArgument(nameof(TlsSha256), "tlsSha256 must be 64 hex characters (the SHA-256 of the gateway's DER certificate).");
        }

        if (TlsSha256 is not null && BrokerUri.Scheme != "mqtts")
        {
            ThrowHelper.ThrowArgument(nameof(TlsSha256), "tlsSha256 pins a TLS certificate; use an mqtts:// brokerUri with it.");
        }

        CheckRange(KeepAlive, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(ushort.MaxValue), nameof(KeepAlive));
        CheckRange(SessionExpiry, TimeSpan.Zero, TimeSpan.FromSeconds(uint.MaxValue), nameof(SessionExpiry));
        CheckRange(WillDelay, TimeSpan.Zero, TimeSpan.FromSeconds(uint.MaxValue), nameof(WillDelay));
        CheckRange(ReconnectMinDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1), nameof(ReconnectMinDelay));
        CheckRange(ReconnectMaxDelay, ReconnectMinDelay, TimeSpan.FromHours(1), nameof(ReconnectMaxDelay));
        CheckRange(CommunicationTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10), nameof(CommunicationTimeout));
        if (MaximumPacketSize is < 1024 or > 256 * 1024 * 1024)
        {
            ThrowHelper.ThrowArgument(nameof(MaximumPacketSize), $"maximumPacketSize {MaximumPacketSize} must be between 1 KiB and 256 MiB.");
        }

        if (ReceiveMaximum is < 1 or > ushort.MaxValue)
        {
            ThrowHelper.ThrowArgument(nameof(ReceiveMaximum), $"receiveMaximum {ReceiveMaximum} must be between 1 and 65535.");
        }

        if (ReconnectJitter is < 0 or >= 1 || double.IsNaN(ReconnectJitter))
        {
            ThrowHelper.ThrowArgument(nameof(ReconnectJitter), $"reconnectJitter {ReconnectJitter} must be in [0, 1).");
        }
    }

    private static void CheckRange(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max)
        {
            ThrowHelper.ThrowArgument(name, $"{char.ToLowerInvariant(name[0])}{name[1..]} {value} must be between {min} and {max}.");
        }
    }

    private static bool IsHex(string value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
