// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Gateway;

/// <summary>Defaults, limits, file names and exit codes of <c>bte-gateway</c>.</summary>
public static class GatewayConstants
{
    /// <summary>The plain MQTT port.</summary>
    public const int DefaultMqttPort = 1883;

    /// <summary>The MQTT-over-TLS port (fleet.md §3).</summary>
    public const int DefaultMqttTlsPort = 8883;

    /// <summary>The admin API port (loopback).</summary>
    public const int DefaultAdminPort = 9990;

    /// <summary>Join connects allowed per source address per minute (fleet.md §3).</summary>
    public const int DefaultJoinConnectsPerMinute = 10;

    /// <summary>How long a server nonce is valid (fleet.md §3).</summary>
    public static readonly TimeSpan ServerNonceLifetime = TimeSpan.FromSeconds(60);

    /// <summary>The most join challenges outstanding at once; older ones are dropped first.</summary>
    public const int MaxPendingChallenges = 4096;

    /// <summary>The MQTT username of join clients.</summary>
    public const string JoinUser = "join";

    /// <summary>The MQTT username of Home Assistant.</summary>
    public const string HomeAssistantUser = "homeassistant";

    /// <summary>The MQTT username of the gateway's own bus client.</summary>
    public const string InternalUser = "$gateway";

    /// <summary>The prefix of the gateway's own client id (<c>gw-{gatewayId}</c>).</summary>
    public const string InternalClientPrefix = "gw-";

    /// <summary>The prefix of join client ids.</summary>
    public const string JoinClientPrefix = "join-";

    /// <summary>
    /// SO_SNDBUF/SO_RCVBUF of the gateway's own bus client socket. MQTTnet's client pins both to 8 KiB unless told
    /// otherwise (<c>MqttClientTcpOptions.BufferSize</c>), which turns off the kernel's buffer autotuning and made a
    /// 4 MiB <c>storage.put</c> crawl at ~2 MB/s on loopback (2 s+); 1 MiB moves it in milliseconds. The kernel caps it
    /// at <c>net.core.wmem_max</c>/<c>rmem_max</c>, and memory is only used while data is in flight.
    /// </summary>
    public const int BusSocketBufferBytes = 1024 * 1024;

    /// <summary>The fleet database inside the data directory.</summary>
    public const string FleetDbFileName = "fleet.db";

    /// <summary>The gateway bus key inside the data directory, when <c>gateway:busKeyUri</c> is empty.</summary>
    public const string BusKeyFileName = "gateway.key";

    /// <summary>The TLS listener's self-signed certificate and private key (PEM, 0600) inside the data directory.</summary>
    public const string TlsCertificateFileName = "mqtt-tls.pem";

    /// <summary>How long the self-signed TLS certificate is valid; devices pin it, so it only has to outlive them.</summary>
    public static readonly TimeSpan TlsCertificateLifetime = TimeSpan.FromDays(365 * 30);

    /// <summary>The admin bearer token (0600) inside the data directory.</summary>
    public const string AdminTokenFileName = "admin.token";

    /// <summary>The admin API's base URL, written at start so the CLI finds a port picked by the OS.</summary>
    public const string AdminUrlFileName = "admin.url";

    /// <summary>The settings file name.</summary>
    public const string SettingsFileName = "gateway.settings.jsonc";

    /// <summary>The largest join token time to live: one year.</summary>
    public static readonly TimeSpan MaxTokenTtl = TimeSpan.FromDays(366);

    /// <summary>The most uses of one join token.</summary>
    public const int MaxTokenUses = 100_000;

    /// <summary>Exit code: stopped cleanly.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code: a service failed while running.</summary>
    public const int ExitFailure = 1;

    /// <summary>Exit code: bad command line or settings.</summary>
    public const int ExitUsage = 2;

    /// <summary>Exit code: the data directory, database, key or a listener could not be used.</summary>
    public const int ExitStartup = 3;
}
