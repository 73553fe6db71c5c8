// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Inference.Batching;

/// <summary>
/// The device batcher's settings (inference.md §4): rows per run and how long the first request may wait for company.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>board</term><description>effective max batch, maxDelay</description></listheader>
/// <item><term>rpi4 / rpi5</term><description>min(4, model), 2 ms</description></item>
/// <item><term>jetson-orin-nano</term><description>min(16, model), 5 ms</description></item>
/// <item><term>x64-sim</term><description>min(32, model), 2 ms</description></item>
/// </list>
/// Immutable.
/// </remarks>
/// <param name="BoardMaxBatch">The board's cap on rows per run; the effective max batch is min(this, the model's maxBatch).</param>
/// <param name="MaxDelay">How long after the first queued request arrived a partial batch runs anyway; zero runs at once.</param>
public sealed record BatchSettings(int BoardMaxBatch, TimeSpan MaxDelay)
{
    /// <summary>Pi 4 and Pi 5.</summary>
    public static BatchSettings Pi { get; } = new(4, TimeSpan.FromMilliseconds(2));

    /// <summary>Jetson Orin Nano.</summary>
    public static BatchSettings Jetson { get; } = new(16, TimeSpan.FromMilliseconds(5));

    /// <summary>The x64 simulation board (and the x64 miner).</summary>
    public static BatchSettings X64 { get; } = new(32, TimeSpan.FromMilliseconds(2));

    /// <summary>The settings for a board id of <c>boards/</c>; unknown boards get <see cref="X64"/>.</summary>
    public static BatchSettings ForBoard(string board) => board switch
    {
        "rpi4" or "rpi5" => Pi,
        "jetson-orin-nano" => Jetson,
        _ => X64,
    };

    /// <summary>The queue holds at most this many rows per max batch (4 × maxBatch).</summary>
    public const int QueueFactor = 4;
}
