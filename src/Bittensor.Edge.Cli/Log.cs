// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Cli;

/// <summary>The CLI's log messages (long-running commands such as <c>bte axon serve</c>).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Metagraph refresh failed, still serving the metagraph of block {Block}: {Reason}")]
    public static partial void MetagraphRefreshFailed(ILogger logger, ulong block, string reason);
}
