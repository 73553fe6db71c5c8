// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Inference;

/// <summary>Every log message of the inference host (the generated methods check the level before formatting).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Model {ModelId} runs on the {Provider} execution provider")]
    public static partial void ProviderChosen(ILogger logger, string modelId, string provider);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Model {ModelId}: the {Provider} execution provider failed ({Reason}); falling back to {Next}")]
    public static partial void ProviderFallback(ILogger logger, string modelId, string provider, string reason, string next);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Model {ModelId} ({Sha256}) is loaded and passed its self-test on {Provider}")]
    public static partial void ModelReady(ILogger logger, string modelId, string sha256, string provider);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Model {ModelId} failed to load: {Reason}")]
    public static partial void ModelLoadFailed(ILogger logger, string modelId, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Model {ModelId}: a batch of {Rows} rows failed to run")]
    public static partial void BatchFailed(ILogger logger, Exception exception, string modelId, int rows);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Model {ModelId} unloaded")]
    public static partial void ModelUnloaded(ILogger logger, string modelId);
}
