// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.InteropServices;

namespace Bittensor.Edge.Core.Hosting;

/// <summary>How every executable (bte-node, bte-gateway, bte-miner) stops: SIGTERM (systemd) or SIGINT (Ctrl-C).</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class ProcessSignals
{
    /// <summary>
    /// Runs <paramref name="run"/> with a token cancelled by SIGTERM, SIGINT or <paramref name="stop"/>; the signals do
    /// not kill the process while it runs, so it can stop cleanly. Returns what <paramref name="run"/> returns.
    /// </summary>
    public static async Task<int> RunUntilSignalledAsync(Func<CancellationToken, Task<int>> run, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        using CancellationTokenSource signalled = CancellationTokenSource.CreateLinkedTokenSource(stop);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            signalled.Cancel();
        }

        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        return await run(signalled.Token).ConfigureAwait(false);
    }
}
