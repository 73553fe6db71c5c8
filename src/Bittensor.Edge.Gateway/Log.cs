// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Gateway;

/// <summary>Every log message of <c>bte-gateway</c>, source-generated. Tokens, keys and passwords are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Cannot start: {Reason}")]
    public static partial void StartupFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Fleet {FleetId} gateway {GatewayId} ready: bus key {BusKey}, topics {Base}, MQTT port {Port}, {Devices} enrollments")]
    public static partial void GatewayReady(ILogger logger, string fleetId, string gatewayId, string busKey, string @base, int port, int devices);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Created a new gateway bus key at {Path}: devices must pin its public key (bte fleet devices shows it via the admin info)")]
    public static partial void BusKeyCreated(ILogger logger, string path);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Admin API listening on {Url}")]
    public static partial void AdminListening(ILogger logger, Uri url);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Service {Service} failed; stopping the gateway")]
    public static partial void ServiceFailed(ILogger logger, Exception exception, string service);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Stopping: {Reason}")]
    public static partial void Stopping(ILogger logger, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "MQTT broker listening on {Address}:{Port}")]
    public static partial void BrokerListening(ILogger logger, IPAddress address, int port);

    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "MQTT over TLS (mqtts) listening on {Address}:{Port}, certificate SHA-256 {TlsSha256} (tlsSha256 of bte-firstboot.json)")]
    public static partial void BrokerTlsListening(ILogger logger, IPAddress address, int port, string tlsSha256);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Created a new self-signed TLS certificate at {Path} with SHA-256 {TlsSha256}: devices that use mqtts must pin it (tlsSha256, shown by bte fleet info)")]
    public static partial void TlsCertificateCreated(ILogger logger, string path, string tlsSha256);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "MQTT connect refused: client {ClientId} user '{User}' from {Remote}: {Reason}")]
    public static partial void ConnectRefused(ILogger logger, string clientId, string user, string remote, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "MQTT publish refused by the ACL: client {ClientId} user '{User}' topic {Topic}")]
    public static partial void PublishRefused(ILogger logger, string clientId, string user, string topic);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "MQTT subscribe refused by the ACL: client {ClientId} user '{User}' filter {Filter}")]
    public static partial void SubscribeRefused(ILogger logger, string clientId, string user, string filter);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "MQTT client {ClientId} (user '{User}') connected from {Remote}")]
    public static partial void ClientConnected(ILogger logger, string clientId, string user, string remote);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "MQTT client {ClientId} disconnected ({Type})")]
    public static partial void ClientDisconnected(ILogger logger, string clientId, string type);

    [LoggerMessage(EventId = 18, Level = LogLevel.Debug, Message = "Broker: the last will of {ClientId} waits {DelayS} s (its will delay) before it is published")]
    public static partial void WillHeld(ILogger logger, string clientId, uint delayS);

    [LoggerMessage(EventId = 19, Level = LogLevel.Information, Message = "Broker: the last will of {ClientId} was dropped: it reconnected within the will delay")]
    public static partial void WillCancelled(ILogger logger, string clientId);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "Broker: {Operation} for '{ClientId}' failed: {Reason}")]
    public static partial void BrokerOperationFailed(ILogger logger, string operation, string clientId, string reason);

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Join: challenged client {ClientId} for {DeviceId} ({Board})")]
    public static partial void JoinChallenged(ILogger logger, string clientId, string deviceId, string board);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Join rejected: client {ClientId}: {Reason} ({Detail})")]
    public static partial void JoinRejected(ILogger logger, string clientId, string reason, string detail);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Device {DeviceId} enrolled: board {Board}, serial {Serial}, token {TokenId}")]
    public static partial void DeviceEnrolled(ILogger logger, string deviceId, string board, string serial, string tokenId);

    [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "Device {DeviceId} joined again (already enrolled; no token use spent)")]
    public static partial void DeviceRejoined(ILogger logger, string deviceId);

    [LoggerMessage(EventId = 24, Level = LogLevel.Warning, Message = "Join queue full: dropped a message of client {ClientId}")]
    public static partial void JoinQueueFull(ILogger logger, string clientId);

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Bus: dropped a response on {DeviceId}/rpc/resp: {Reason}")]
    public static partial void ResponseDropped(ILogger logger, string deviceId, string reason);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Bus: malformed status payload from {DeviceId}")]
    public static partial void BadStatus(ILogger logger, string deviceId);

    [LoggerMessage(EventId = 32, Level = LogLevel.Debug, Message = "Bus: ignored a late offline of {DeviceId} with bdSeq {BdSeq} (older than its last online)")]
    public static partial void StaleWillIgnored(ILogger logger, string deviceId, ulong bdSeq);

    [LoggerMessage(EventId = 33, Level = LogLevel.Warning, Message = "Bus: failed on a message on {Topic}: {Reason}")]
    public static partial void BusMessageFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 34, Level = LogLevel.Error, Message = "Bus: the gateway's own client lost its connection ({Reason})")]
    public static partial void BusLost(ILogger logger, string reason);

    [LoggerMessage(EventId = 35, Level = LogLevel.Warning, Message = "Bus: clean stop failed: {Reason}")]
    public static partial void BusStopFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 36, Level = LogLevel.Warning, Message = "Home Assistant command refused: {Reason}")]
    public static partial void HomeAssistantCommandRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 37, Level = LogLevel.Information, Message = "Home Assistant: forwarded {Command} to {DeviceId} as a signed command")]
    public static partial void HomeAssistantCommandForwarded(ILogger logger, string command, string deviceId);

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Token {TokenId} created: {Uses} uses, expires {ExpiresAt:o}, board {Board}")]
    public static partial void TokenCreated(ILogger logger, string tokenId, int uses, DateTimeOffset expiresAt, string board);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Token {TokenId} revoked")]
    public static partial void TokenRevoked(ILogger logger, string tokenId);

    [LoggerMessage(EventId = 42, Level = LogLevel.Information, Message = "Device {DeviceId} preauthorized for {Board}")]
    public static partial void DevicePreauthorized(ILogger logger, string deviceId, string board);

    [LoggerMessage(EventId = 43, Level = LogLevel.Information, Message = "Device {DeviceId} revoked (was connected: {Connected}, acknowledged cmd/revoke: {Acknowledged}); session dropped, discovery cleared")]
    public static partial void DeviceRevoked(ILogger logger, string deviceId, bool connected, bool acknowledged);

    [LoggerMessage(EventId = 44, Level = LogLevel.Information, Message = "Probe of {DeviceId}: {Ok} ({Summary})")]
    public static partial void ProbeFinished(ILogger logger, string deviceId, bool ok, string summary);

    [LoggerMessage(EventId = 50, Level = LogLevel.Warning, Message = "Admin API: refused {Method} {Path} (bad or missing bearer token)")]
    public static partial void AdminRefused(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 51, Level = LogLevel.Error, Message = "Admin API: {Method} {Path} failed")]
    public static partial void AdminFailed(ILogger logger, Exception exception, string method, string path);
}
