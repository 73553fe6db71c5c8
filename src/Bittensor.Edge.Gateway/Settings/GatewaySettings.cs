// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Gateway.Settings;

/// <summary>
/// The settings of <c>bte-gateway</c>, one class per section of <c>gateway.settings.jsonc</c> (whose comments these
/// docs repeat). Sources, later ones winning: the defaults here, the file (<c>--config</c>), <c>BTE_</c> environment
/// variables (<c>BTE_mqtt__port=1884</c>), then flags. Relative paths are resolved against the settings file's folder
/// (the working directory when there is no file).
/// </summary>
/// <remarks>Plain mutable data for the configuration binder; <see cref="GatewaySettingsValidator"/> checks it once at start-up.</remarks>
public sealed class GatewaySettings
{
    /// <summary>The <c>gateway</c> section.</summary>
    public GatewaySection Gateway { get; set; } = new();

    /// <summary>The <c>mqtt</c> section.</summary>
    public MqttSection Mqtt { get; set; } = new();

    /// <summary>The <c>admin</c> section.</summary>
    public AdminSection Admin { get; set; } = new();

    /// <summary>The <c>probe</c> section.</summary>
    public ProbeSection Probe { get; set; } = new();
}

/// <summary>The <c>gateway</c> section: identity, fleet and data.</summary>
public sealed class GatewaySection
{
    /// <summary>
    /// Folder of the fleet database (<c>fleet.db</c>: tokens, enrollments, login marks), the admin token and, by
    /// default, the bus key; created 0700. Default <c>data</c>.
    /// </summary>
    public string DataDir { get; set; } = "data";

    /// <summary>The fleet id devices join (<c>fleetId</c> of <c>bte-firstboot.json</c>); one MQTT topic level. Default <c>lab1</c>.</summary>
    public string FleetId { get; set; } = "lab1";

    /// <summary>This gateway's id in topics (<c>{base}/gw/{gatewayId}/…</c>); one MQTT topic level. Default <c>gw1</c>.</summary>
    public string GatewayId { get; set; } = "gw1";

    /// <summary>The topic base; empty means <c>bte/{fleetId}</c>. Default empty.</summary>
    public string BaseTopic { get; set; } = "";

    /// <summary>The Home Assistant discovery prefix. Default <c>homeassistant</c>.</summary>
    public string HaPrefix { get; set; } = "homeassistant";

    /// <summary>
    /// Where the gateway's bus key (Ed25519; signs join challenges, commands and RPC) lives, as a URI:
    /// <c>file:///path/gateway.key</c> (a plaintext key file, protocol.md §5, mode 0600, created on first start if
    /// missing). Empty: <c>{dataDir}/gateway.key</c>. Devices pin its public key, so losing it means re-flashing them.
    /// </summary>
    public string BusKeyUri { get; set; } = "";

    /// <summary>Console log level: Trace, Debug, Information, Warning, Error, Critical or None. Default Information.</summary>
    public string LogLevel { get; set; } = "Information";
}

/// <summary>The <c>mqtt</c> section: the embedded broker.</summary>
public sealed class MqttSection
{
    /// <summary>IP address of the plain MQTT listener. Default <c>0.0.0.0</c> (devices are on the LAN).</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>TCP port; 0 picks a free one (logged at start-up). Default 1883.</summary>
    public int Port { get; set; } = GatewayConstants.DefaultMqttPort;

    /// <summary>Join connects allowed per source address per minute (1–10000). Default 10.</summary>
    public int JoinConnectsPerMinute { get; set; } = GatewayConstants.DefaultJoinConnectsPerMinute;

    /// <summary>
    /// Where the password of the MQTT user <c>homeassistant</c> lives, as a URI: <c>file:///path</c> (the first line
    /// of a file, mode 0600). Empty: Home Assistant cannot log in. Default empty.
    /// </summary>
    public string HomeAssistantPasswordUri { get; set; } = "";

    /// <summary>
    /// Whether to listen for MQTT over TLS (<c>mqtts</c>) on <see cref="TlsPort"/> as well, with a self-signed certificate
    /// made on first start (<c>{dataDir}/mqtt-tls.pem</c>, 0600) that devices pin by SHA-256 (<c>tlsSha256</c>). Default false.
    /// </summary>
    public bool TlsEnabled { get; set; }

    /// <summary>TCP port of the <c>mqtts</c> listener; 0 picks a free one. Default 8883.</summary>
    public int TlsPort { get; set; } = GatewayConstants.DefaultMqttTlsPort;
}

/// <summary>The <c>admin</c> section: the HTTP API that <c>bte fleet</c> uses.</summary>
public sealed class AdminSection
{
    /// <summary>
    /// IP address of the admin API. Default <c>127.0.0.1</c>. Security: every call needs the bearer token in
    /// <c>{dataDir}/admin.token</c> (0600), but keep it on loopback: it creates join tokens and revokes devices.
    /// </summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (written to <c>{dataDir}/admin.url</c>). Default 9990.</summary>
    public int Port { get; set; } = GatewayConstants.DefaultAdminPort;
}

/// <summary>The <c>probe</c> section: <c>bte fleet probe</c>.</summary>
public sealed class ProbeSection
{
    /// <summary>The bundled model the probe runs (generated in code; the device generates the same bytes). Default <c>mlp-tiny-v1</c>.</summary>
    public string Model { get; set; } = "mlp-tiny-v1";

    /// <summary>Leaves per storage challenge (1–64). Default 8.</summary>
    public int Leaves { get; set; } = 8;

    /// <summary>Seconds each probe request may take (1–300); a 4 MiB put over Wi-Fi needs a few. Default 30.</summary>
    public int TimeoutS { get; set; } = 30;
}
