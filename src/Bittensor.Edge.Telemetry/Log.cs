// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Telemetry.Bus;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Bittensor.Edge.Telemetry;

/// <summary>Every log message of the device bus and telemetry, source-generated so that disabled levels cost no formatting.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Connected to {Broker} as {ClientId} (bdSeq {BdSeq}, session present {SessionPresent})")]
    public static partial void Connected(ILogger logger, Uri broker, string clientId, ulong bdSeq, bool sessionPresent);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Connection to {Broker} lost ({Reason}); reconnecting")]
    public static partial void ConnectionLost(ILogger logger, Uri broker, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Connecting to {Broker} failed: {Reason}; next attempt in {Delay}")]
    public static partial void ConnectFailed(ILogger logger, Uri broker, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "The broker refused the login ({Code}): check that the device is enrolled and its clock is within 5 minutes of the gateway's")]
    public static partial void LoginRefused(ILogger logger, MqttClientConnectResultCode code);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "The broker did not grant the subscription {Filter} ({Code}); check the gateway's ACL")]
    public static partial void SubscriptionRefused(ILogger logger, string filter, MqttClientSubscribeResultCode code);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "The inbound handler failed on {Topic}; the message is acknowledged and dropped")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Dropped an inbound message on {Topic}: {Reason}")]
    public static partial void InboundDropped(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Publish to {Topic} failed: {Reason}")]
    public static partial void PublishFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "A publish hook ({Trigger}) failed")]
    public static partial void HookFailed(ILogger logger, Exception exception, BusPublishTrigger trigger);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Stopped cleanly (offline published: {OfflinePublished})")]
    public static partial void Stopped(ILogger logger, bool offlinePublished);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "The bdSeq file {Path} was damaged; continuing from {BdSeq}")]
    public static partial void BdSeqRecovered(ILogger logger, string path, ulong bdSeq);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug, Message = "Inbound {Kind} on {Topic}: {Bytes} bytes, duplicate {Duplicate}")]
    public static partial void Inbound(ILogger logger, BusInboundKind kind, string topic, int bytes, bool duplicate);

    [LoggerMessage(EventId = 14, Level = LogLevel.Debug, Message = "The broker refused a publish to {Topic}: {Code} {ReasonString}")]
    public static partial void PublishRefused(ILogger logger, string topic, MqttClientPublishReasonCode code, string? reasonString);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "The TLS certificate of {Broker} does not match the pinned tlsSha256 (got {Actual})")]
    public static partial void TlsPinMismatch(ILogger logger, Uri broker, string actual);

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Appended {Samples} samples to the outbox ({Dropped} dropped by age or bound)")]
    public static partial void Flushed(ILogger logger, int samples, int dropped);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "Could not write the telemetry outbox; samples stay in RAM")]
    public static partial void FlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Sent {Events} queued events and {Samples} buffered samples")]
    public static partial void Backfilled(ILogger logger, int events, int samples);
}
