// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>
/// Settings of a sector store (section <c>storage</c> of a device's settings file).
/// </summary>
/// <remarks>
/// <code>
/// "storage": {
///   // Directory of the store: tmp/, sectors/ and index.db live under it (storage-proofs.md §8).
///   "directory": "/data/bte/store",
///   // Most bytes of sector data kept; rounded down to whole 4 MiB sectors. Default 16 GiB.
///   "quotaBytes": 17179869184,
///   // Fraction of the file system kept free (§9: keep 10 % of the partition free). Default 0.10.
///   "reserveFraction": 0.10
/// }
/// </code>
/// </remarks>
public sealed class SectorStoreOptions
{
    /// <summary>Default quota: 16 GiB, the per-miner cap of §3.</summary>
    public const long DefaultQuotaBytes = 16L * 1024 * 1024 * 1024;

    /// <summary>Default reserve: 10 % of the partition kept free (§9).</summary>
    public const double DefaultReserveFraction = 0.10;

    /// <summary>Directory of a <see cref="FileSectorStore"/>; unused by <see cref="MemorySectorStore"/>.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Most bytes of sector data kept, rounded down to whole sectors.</summary>
    public long QuotaBytes { get; set; } = DefaultQuotaBytes;

    /// <summary>Fraction of the file system that puts leave free, 0..0.9; a put that would go below it is <see cref="PutStatus.DiskFull"/>.</summary>
    public double ReserveFraction { get; set; } = DefaultReserveFraction;

    /// <summary>The quota in whole sectors.</summary>
    public long QuotaSectors => QuotaBytes / StorageConstants.SectorSize;

    /// <summary>Checks the values and names the first bad key, or returns <see langword="null"/>.</summary>
    public string? Validate()
    {
        if (QuotaBytes < 0)
        {
            return "storage.quotaBytes must not be negative.";
        }

        if (!(ReserveFraction >= 0 && ReserveFraction <= 0.9))
        {
            return "storage.reserveFraction must be between 0 and 0.9.";
        }

        return null;
    }
}
