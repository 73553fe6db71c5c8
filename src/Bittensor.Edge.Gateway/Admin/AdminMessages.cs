// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json.Serialization;

namespace Bittensor.Edge.Gateway.Admin;

/// <summary><c>POST /v1/tokens</c>: make a join token.</summary>
/// <param name="TtlS">Seconds it stays valid.</param>
/// <param name="Uses">How many devices it admits.</param>
/// <param name="Board">The only board it admits, or null for any.</param>
public sealed record TokenCreateRequest(long TtlS, int Uses, string? Board = null);

/// <summary>The made token, shown once: the gateway keeps only its verifier.</summary>
/// <param name="Token">The <c>btejt_…</c> text for <c>bte-firstboot.json</c>.</param>
/// <param name="TokenId">16 hex digits, for <c>bte fleet token revoke</c>.</param>
/// <param name="ExpiresAt">When it expires.</param>
/// <param name="Uses">Uses.</param>
/// <param name="Board">Board restriction.</param>
public sealed record TokenCreated(string Token, string TokenId, DateTimeOffset ExpiresAt, int Uses, string? Board);

/// <summary>A stored token, without its secret.</summary>
/// <param name="TokenId">16 hex digits.</param>
/// <param name="CreatedAt">When made.</param>
/// <param name="ExpiresAt">When it expires.</param>
/// <param name="Uses">Uses it was made with.</param>
/// <param name="UsesLeft">Uses left.</param>
/// <param name="Board">Board restriction.</param>
/// <param name="State"><c>active</c>, <c>used</c>, <c>expired</c> or <c>revoked</c>.</param>
public sealed record TokenInfo(string TokenId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int Uses, int UsesLeft, string? Board, string State);

/// <summary><c>GET /v1/tokens</c>.</summary>
/// <param name="Tokens">Newest first.</param>
public sealed record TokenList(IReadOnlyList<TokenInfo> Tokens);

/// <summary><c>POST /v1/preauth</c>: admit a device key without a token.</summary>
/// <param name="PubKey">The device key as SS58 (or 0x and 64 hex digits).</param>
/// <param name="Board">Its board id.</param>
public sealed record PreauthRequest(string PubKey, string Board);

/// <summary>An enrolled device as operators see it.</summary>
/// <param name="DeviceId">The device id.</param>
/// <param name="PubKey">Its key as SS58.</param>
/// <param name="Board">Board id.</param>
/// <param name="Serial">Serial number.</param>
/// <param name="Fw">bte-miner version at join.</param>
/// <param name="State"><c>preauthorized</c>, <c>active</c> or <c>revoked</c>.</param>
/// <param name="Presence"><c>online</c>, <c>offline</c> or <c>unknown</c> (from its status topic, bdSeq rule).</param>
/// <param name="Connected">Whether it has an MQTT connection to this gateway now.</param>
/// <param name="BdSeq">The bdSeq of the status that set <paramref name="Presence"/>.</param>
/// <param name="LastSeen">Last time it published anything.</param>
/// <param name="EnrolledAt">When it joined.</param>
/// <param name="TokenId">The token it joined with (zeros: preauthorized).</param>
public sealed record DeviceInfo(string DeviceId, string PubKey, string Board, string Serial, string Fw, string State, string Presence, bool Connected, ulong? BdSeq, DateTimeOffset? LastSeen, DateTimeOffset EnrolledAt, string TokenId);

/// <summary><c>GET /v1/devices</c>.</summary>
/// <param name="Devices">By device id.</param>
public sealed record DeviceList(IReadOnlyList<DeviceInfo> Devices);

/// <summary><c>POST /v1/devices/{id}/revoke</c>.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="WasConnected">Whether it was connected.</param>
/// <param name="RevokeAcknowledged">Whether it acknowledged <c>cmd/revoke</c> before its session was dropped.</param>
/// <param name="DiscoveryCleared">Whether the empty retained discovery payload went out.</param>
public sealed record RevokeResult(string DeviceId, bool WasConnected, bool RevokeAcknowledged, bool DiscoveryCleared);

/// <summary>One check of a probe.</summary>
/// <param name="Name"><c>storage.put</c>, <c>storage.prove</c> or <c>infer.run</c>.</param>
/// <param name="Ok">Passed.</param>
/// <param name="LatencyMs">Request to verified answer.</param>
/// <param name="Detail">What was checked, or why it failed.</param>
public sealed record ProbeCheck(string Name, bool Ok, double LatencyMs, string Detail);

/// <summary><c>POST /v1/devices/{id}/probe</c>.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="Ok">Every check passed.</param>
/// <param name="Checks">In the order run.</param>
public sealed record ProbeReport(string DeviceId, bool Ok, IReadOnlyList<ProbeCheck> Checks);

/// <summary><c>GET /v1/info</c>: what a device's first-boot config needs.</summary>
/// <param name="FleetId">The fleet id.</param>
/// <param name="GatewayId">The gateway id.</param>
/// <param name="BaseTopic">The topic base.</param>
/// <param name="BusKey">The gateway bus key as SS58 (<c>gateway.publicKey</c> of <c>bte-firstboot.json</c>).</param>
/// <param name="MqttPort">The broker's plain port.</param>
/// <param name="MqttTlsPort">The <c>mqtts</c> port, or null when the TLS listener is off (<c>mqtt:tlsEnabled</c>).</param>
/// <param name="TlsSha256">The TLS certificate's pin (<c>tlsSha256</c> of <c>bte-firstboot.json</c>: lowercase hex SHA-256
/// of its DER bytes), or null when the TLS listener is off.</param>
public sealed record GatewayInfo(string FleetId, string GatewayId, string BaseTopic, string BusKey, int MqttPort, int? MqttTlsPort = null, string? TlsSha256 = null);

/// <summary>Any refusal of the admin API.</summary>
/// <param name="Error">What went wrong and what to do.</param>
public sealed record AdminError(string Error);

/// <summary>Source-generated JSON for the admin API (camelCase).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectRequiredConstructorParameters = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    WriteIndented = true)]
[JsonSerializable(typeof(TokenCreateRequest))]
[JsonSerializable(typeof(TokenCreated))]
[JsonSerializable(typeof(TokenInfo))]
[JsonSerializable(typeof(TokenList))]
[JsonSerializable(typeof(PreauthRequest))]
[JsonSerializable(typeof(DeviceInfo))]
[JsonSerializable(typeof(DeviceList))]
[JsonSerializable(typeof(RevokeResult))]
[JsonSerializable(typeof(ProbeReport))]
[JsonSerializable(typeof(GatewayInfo))]
[JsonSerializable(typeof(AdminError))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
