// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Miner;

/// <summary>Every log message of <c>bte-miner</c>, source-generated so that disabled levels cost no formatting. Never logs tokens or keys.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "bte-miner {Version}: device {DeviceId} on board {Board} ({How})")]
    public static partial void Started(ILogger logger, string version, string deviceId, string board, string how);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Device key created at {Path} (mode 0600)")]
    public static partial void KeyCreated(ILogger logger, string path);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Cannot start: {Reason}")]
    public static partial void StartupFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Board: {Problem}")]
    public static partial void BoardWarning(ILogger logger, string problem);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Sector store {Path} open: {Sectors} sectors; reconcile removed {TempFiles} temp files, lost {Lost}, adopted {Adopted}, removed {Orphans} orphans{Rebuilt}")]
    public static partial void StoreOpened(ILogger logger, string path, long sectors, int tempFiles, int lost, int adopted, int orphans, string rebuilt);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "The sector store {Path} cannot be opened; storage requests are refused")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Bundled models written to {Folder}: {Ids}")]
    public static partial void ModelsWritten(ILogger logger, string folder, string ids);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "systemd notified (READY=1); watchdog pings every {Interval}")]
    public static partial void SystemdReady(ILogger logger, TimeSpan? interval);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "sd_notify to {Socket} failed")]
    public static partial void NotifyFailed(ILogger logger, string socket);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Waiting for time: the clock is not synchronized ({SyncFile} missing, no RTC); not connecting until it is (or set device:trustClock)")]
    public static partial void WaitingForTime(ILogger logger, string syncFile);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Not configured for a fleet: {Reason}")]
    public static partial void Unconfigured(ILogger logger, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Joining fleet {FleetId} through {Broker} as {ClientId} ({Mode})")]
    public static partial void JoinStarted(ILogger logger, string fleetId, string broker, string clientId, string mode);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Joined fleet {FleetId}: enrolled as {DeviceId}; the join token was deleted from {FirstBoot}")]
    public static partial void JoinAccepted(ILogger logger, string fleetId, string deviceId, string firstBoot);

    [LoggerMessage(EventId = 14, Level = LogLevel.Error, Message = "The gateway rejected the join: {Reason}. {Advice}")]
    public static partial void JoinRejected(ILogger logger, string reason, string advice);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Join attempt failed: {Reason}; retrying in {Delay}")]
    public static partial void JoinFailed(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "Connecting to {Broker} as {DeviceId}")]
    public static partial void Connecting(ILogger logger, Uri broker, string deviceId);

    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "Online: connected, subscribed and birth published (bdSeq {BdSeq})")]
    public static partial void Online(ILogger logger, ulong bdSeq);

    [LoggerMessage(EventId = 18, Level = LogLevel.Error, Message = "The gateway revoked this device's enrollment: work stopped, data kept. Re-join with a new token to serve again")]
    public static partial void Revoked(ILogger logger);

    [LoggerMessage(EventId = 19, Level = LogLevel.Information, Message = "Stopping: {Reason}")]
    public static partial void Stopping(ILogger logger, string reason);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Stopped ({Detail})")]
    public static partial void Stopped(ILogger logger, string detail);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "Service {Service} failed; stopping")]
    public static partial void ServiceFailed(ILogger logger, Exception exception, string service);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Thermal {From} -> {To} at {Celsius:F1} C")]
    public static partial void ThermalChanged(ILogger logger, string from, string to, double celsius);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "Power ok: {PowerOk}")]
    public static partial void PowerChanged(ILogger logger, bool powerOk);

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Bus message on {Kind} dropped without an answer: {Reason}")]
    public static partial void BusDropped(ILogger logger, string kind, string reason);

    [LoggerMessage(EventId = 31, Level = LogLevel.Debug, Message = "Redelivered request {CorrelationId} answered from the correlation cache")]
    public static partial void BusRedelivery(ILogger logger, string correlationId);

    [LoggerMessage(EventId = 32, Level = LogLevel.Error, Message = "Bus handler for {Method} failed")]
    public static partial void BusHandlerFailed(ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 33, Level = LogLevel.Debug, Message = "Bus answer {Error}: {Message}")]
    public static partial void BusFailure(ILogger logger, string error, string message);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning, Message = "Command {Command} ignored: {Reason}")]
    public static partial void CommandIgnored(ILogger logger, string command, string reason);

    [LoggerMessage(EventId = 35, Level = LogLevel.Information, Message = "Command {Command} applied")]
    public static partial void CommandApplied(ILogger logger, string command);

    [LoggerMessage(EventId = 36, Level = LogLevel.Error, Message = "Sector {Root} no longer hashes to its root (bit rot); deleted and reported lost")]
    public static partial void SectorRotted(ILogger logger, string root);

    [LoggerMessage(EventId = 37, Level = LogLevel.Debug, Message = "Publish to {Topic} not delivered (disconnected or refused)")]
    public static partial void PublishDropped(ILogger logger, string topic);

    [LoggerMessage(EventId = 38, Level = LogLevel.Debug, Message = "Bus {Method} {CorrelationId} answered {Outcome} in {Ms:F1} ms")]
    public static partial void BusAnswered(ILogger logger, string method, string correlationId, string outcome, double ms);

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Inference batch size and threads {How}")]
    public static partial void InferenceScaled(ILogger logger, string how);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Model {Model} is not served: {Reason}")]
    public static partial void ModelFailed(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 42, Level = LogLevel.Information, Message = "Start-up memory handed back ({When}): RSS {BeforeMb:F1} -> {AfterMb:F1} MiB")]
    public static partial void MemoryTrimmed(ILogger logger, string when, double beforeMb, double afterMb);
}
