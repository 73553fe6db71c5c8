// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Telemetry.Bus;

/// <summary>
/// Gives the memory of large bus messages back to the system soon after they are handled. A 4 MiB <c>storage.put</c> costs
/// a 4 MiB large-object-heap array on the device (the packet, read once by <see cref="BusChannelAdapter"/>; a
/// <c>storage.get</c> reply costs another), and the GC only collects that heap when its budget runs out; under a steady stream of puts the budget grows to hundreds of MB, which a
/// 1 GB board cannot spare (fleet.md's footprint targets). So once the large messages handled since the last collection
/// add up to <see cref="ThresholdBytes"/>, one blocking collection runs that also returns the freed regions to the OS. With
/// only a few MB alive on a device that takes about a millisecond, against the tens of milliseconds the puts themselves
/// cost.
/// </summary>
internal sealed class LargeMessageReclaimer
{
    /// <summary>Messages from this size on land on the large object heap (the runtime's 85 000-byte threshold).</summary>
    public const int LargeMessageBytes = 85_000;

    private readonly Action _collect;
    private long _pending;
    private long _collections;

    /// <param name="thresholdBytes">Large-message bytes between collections; 0 turns reclaiming off.</param>
    /// <param name="collect">The collection; tests count calls, the device runs <see cref="CollectAndRelease"/>.</param>
    public LargeMessageReclaimer(long thresholdBytes, Action? collect = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(thresholdBytes);
        ThresholdBytes = thresholdBytes;
        _collect = collect ?? CollectAndRelease;
    }

    /// <summary>Large-message bytes between collections; 0 when off.</summary>
    public long ThresholdBytes { get; }

    /// <summary>Collections run so far.</summary>
    public long Collections => Interlocked.Read(ref _collections);

    /// <summary>Counts one handled message (inbound or outbound) of <paramref name="bytes"/>; collects when the threshold is crossed.</summary>
    public void Handled(int bytes)
    {
        if (ThresholdBytes == 0 || bytes < LargeMessageBytes)
        {
            return;
        }

        if (Interlocked.Add(ref _pending, bytes) < ThresholdBytes)
        {
            return;
        }

        // Each collection claims exactly ThresholdBytes, so concurrent callers neither lose counted bytes nor collect twice
        // for the same ones.
        long current;
        do
        {
            current = Volatile.Read(ref _pending);
            if (current < ThresholdBytes)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _pending, current - ThresholdBytes, current) != current);

        Interlocked.Increment(ref _collections);
        _collect();
    }

    /// <summary>A blocking, compacting full collection that decommits the freed regions at once.</summary>
    public static void CollectAndRelease() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
