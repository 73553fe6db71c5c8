// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Node;

/// <summary>Every log message of <c>bte-node</c>, source-generated so that disabled levels cost no formatting.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Chain {Chain} (genesis {GenesisHash}) opened at block {BestNumber} from {DataDir}")]
    public static partial void Opened(ILogger logger, string chain, Hash256 genesisHash, ulong bestNumber, string dataDir);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "RPC listening on {Endpoint}")]
    public static partial void RpcListening(ILogger logger, Uri endpoint);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Authoring blocks as {Author}, every {BlockTimeMs} ms")]
    public static partial void Authoring(ILogger logger, string author, ulong blockTimeMs);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "No author key configured (node:authorKeyUri): serving RPC without producing blocks")]
    public static partial void NotAuthoring(ILogger logger);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Block {Number} {Hash} committed with {Transactions} transactions")]
    public static partial void BlockCommitted(ILogger logger, ulong number, Hash256 hash, int transactions);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Cannot start: {Reason}")]
    public static partial void StartupFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Service {Service} failed; stopping the node")]
    public static partial void ServiceFailed(ILogger logger, Exception exception, string service);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Stopping: {Reason}")]
    public static partial void Stopping(ILogger logger, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Stopped at block {BestNumber}")]
    public static partial void Stopped(ILogger logger, ulong bestNumber);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "systemd notified (READY=1); watchdog pings every {Interval}")]
    public static partial void SystemdReady(ILogger logger, TimeSpan? interval);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "sd_notify to {Socket} failed: {Reason}")]
    public static partial void NotifyFailed(ILogger logger, string socket, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "RPC handler failed on a request")]
    public static partial void RpcFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "RPC {Method} {Path} answered {Status}")]
    public static partial void RpcRejected(ILogger logger, string method, string path, int status);

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Storage: miner uid {Uid} scored {Outcome}, EMA {Ema}")]
    public static partial void StorageOutcome(ILogger logger, ushort uid, Validator.ChallengeOutcome outcome, double ema);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Storage validator round {Round} failed: {Reason}")]
    public static partial void StorageRoundFailed(ILogger logger, int round, string reason);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "Storage validator: set_weights after round {Round} was refused by the chain")]
    public static partial void StorageWeightsRefused(ILogger logger, int round);

    [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "Storage validator round {Round}: {Miners} miners, {Scored} scored, {Stored} sectors stored")]
    public static partial void StorageRound(ILogger logger, int round, int miners, int scored, int stored);

    [LoggerMessage(EventId = 24, Level = LogLevel.Information, Message = "Storage validator set weights for {Miners} miners after round {Round}")]
    public static partial void StorageWeightsSet(ILogger logger, int miners, int round);

    [LoggerMessage(EventId = 25, Level = LogLevel.Information, Message = "Storage validator {Hotkey} on subnet {Netuid} via {Rpc}: a round every {Interval}, weights every {WeightsEveryRounds} rounds")]
    public static partial void StorageValidatorStarted(ILogger logger, string hotkey, ushort netuid, Uri rpc, TimeSpan interval, int weightsEveryRounds);

    [LoggerMessage(EventId = 26, Level = LogLevel.Information, Message = "Storage validator stopped after {Rounds} rounds")]
    public static partial void StorageValidatorStopped(ILogger logger, int rounds);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Inference validator on subnet {Netuid}: {Models} reference models ({Ids}) on {Provider}; ONNX Runtime offers {Available}; EP order {Order}")]
    public static partial void InferenceValidatorStarted(ILogger logger, int netuid, int models, string ids, string provider, string available, string order);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Inference validator: model {ModelId} is not used as a reference: {Reason}")]
    public static partial void InferenceReferenceRefused(ILogger logger, string modelId, string reason);

    [LoggerMessage(EventId = 32, Level = LogLevel.Information, Message = "Inference validator round {Round}: {Miners} miners, {Requests} requests, {Recomputed} recomputed, {Mismatches} wrong outputs")]
    public static partial void InferenceRound(ILogger logger, int round, int miners, int requests, int recomputed, int mismatches);

    [LoggerMessage(EventId = 33, Level = LogLevel.Warning, Message = "Inference validator round {Round} failed: {Reason}")]
    public static partial void InferenceRoundFailed(ILogger logger, int round, string reason);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning, Message = "Inference: miner uid {Uid} returned a wrong output for {ModelId} ({Match}); its quality EMA is reset to 0")]
    public static partial void InferenceMismatch(ILogger logger, int uid, string modelId, string match);

    [LoggerMessage(EventId = 35, Level = LogLevel.Debug, Message = "Inference: miner uid {Uid} quality {Quality}, capacity {Capacity} correct/s")]
    public static partial void InferenceMinerScored(ILogger logger, int uid, double quality, double capacity);

    [LoggerMessage(EventId = 36, Level = LogLevel.Information, Message = "Inference validator stopped after {Rounds} rounds")]
    public static partial void InferenceValidatorStopped(ILogger logger, int rounds);
}
