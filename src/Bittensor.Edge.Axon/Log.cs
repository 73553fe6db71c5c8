// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Axon;

/// <summary>Every log message of the axon host, source-generated so that disabled levels cost no formatting.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Axon {Hotkey} listening on {Endpoint} with synapses {Synapses}")]
    public static partial void Listening(ILogger logger, string hotkey, Uri endpoint, string synapses);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Axon {Hotkey} stopped")]
    public static partial void Stopped(ILogger logger, string hotkey);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "{Synapse} from {Caller} rejected with {Status}: {Reason}")]
    public static partial void Rejected(ILogger logger, string synapse, string caller, int status, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "{Synapse} from {Caller} answered {Status} in {ProcessTime}")]
    public static partial void Answered(ILogger logger, string synapse, string caller, int status, TimeSpan processTime);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "{Synapse} handler failed for {Caller}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string synapse, string caller);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Axon overloaded: {Reason}")]
    public static partial void Overloaded(ILogger logger, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "{Synapse} from {Caller} dropped, the connection failed: {Reason}")]
    public static partial void ClientGone(ILogger logger, string synapse, string caller, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Axon pipeline failed on {Path}")]
    public static partial void PipelineFailed(ILogger logger, Exception exception, string path);
}
