// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Miner.Hosting;

/// <summary>Runs the device host from a settings file and flag overrides until SIGTERM or Ctrl-C.</summary>
public static class MinerRunner
{
    /// <summary>Runs until SIGTERM or SIGINT, then stops cleanly; returns the exit code.</summary>
    public static async Task<int> RunUntilSignalAsync(string? configPath, IReadOnlyDictionary<string, string?> flags, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        _ = configPath;
        _ = flags;
        await error.WriteLineAsync("bte-miner: the device host is not built yet; only --version and self-test work.").ConfigureAwait(false);
        return MinerConstants.ExitUsage;
    }
}
