// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>
/// When a subnet's epoch runs: subtensor's scheduling from before dynamic tempo (<c>blocks_until_next_epoch</c> in
/// <c>coinbase/run_coinbase.rs</c>; <c>specs/consensus.md</c> §7). The epoch runs in block b when
/// <c>(b + netuid + 1) mod (tempo + 1) == tempo</c>, so epochs are <c>tempo + 1</c> blocks apart.
/// </summary>
public static class EpochSchedule
{
    /// <summary>
    /// <c>tempo − ((block + netuid + 1) mod (tempo + 1))</c>: 0 in an epoch block; <see cref="ulong.MaxValue"/>
    /// when <paramref name="tempo"/> is 0 (the epoch never runs).
    /// </summary>
    /// <param name="block">The current block.</param>
    /// <param name="netuid">The subnet.</param>
    /// <param name="tempo">The subnet's tempo.</param>
    /// <returns>Blocks until the next epoch block.</returns>
    public static ulong BlocksUntilNextEpoch(ulong block, ushort netuid, ushort tempo)
    {
        if (tempo == 0)
        {
            return ulong.MaxValue;
        }

        // subtensor adds with wrapping_add; it only matters within 2^16 blocks of 2^64.
        ulong adjusted = unchecked(block + netuid + 1);
        return tempo - (adjusted % (tempo + 1UL));
    }

    /// <summary>Whether the epoch of <paramref name="netuid"/> runs in <paramref name="block"/>.</summary>
    /// <param name="block">The block.</param>
    /// <param name="netuid">The subnet.</param>
    /// <param name="tempo">The subnet's tempo; 0 never runs.</param>
    /// <returns>True in epoch blocks.</returns>
    public static bool IsEpochBlock(ulong block, ushort netuid, ushort tempo) =>
        tempo != 0 && BlocksUntilNextEpoch(block, netuid, tempo) == 0;
}
