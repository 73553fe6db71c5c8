// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>How full a store is.</summary>
/// <param name="Sectors">Sectors stored.</param>
/// <param name="QuotaSectors">Most sectors the store accepts.</param>
public readonly record struct StoreUsage(long Sectors, long QuotaSectors)
{
    /// <summary>Bytes of sector data stored.</summary>
    public long Bytes => Sectors * StorageConstants.SectorSize;

    /// <summary>Bytes the quota allows.</summary>
    public long QuotaBytes => QuotaSectors * StorageConstants.SectorSize;

    /// <summary>Bytes still accepted under the quota (not counting the file system's own free space).</summary>
    public long FreeBytes => Math.Max(0, QuotaBytes - Bytes);
}
