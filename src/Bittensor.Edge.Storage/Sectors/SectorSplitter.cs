// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>
/// Cuts an object into 4 MiB sectors (specs/storage-proofs.md §1): the last one is zero-padded, and whoever stores the
/// object keeps <c>{objectId, length, roots[]}</c> to undo the padding.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class SectorSplitter
{
    /// <summary>Sectors needed for <paramref name="length"/> bytes; an empty object needs none.</summary>
    public static long SectorCount(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return (length + StorageConstants.SectorSize - 1) / StorageConstants.SectorSize;
    }

    /// <summary>
    /// Fills <paramref name="sector"/> (4 MiB) with the next bytes of <paramref name="source"/>, zero-padding the rest.
    /// Returns how many bytes came from the stream: 0 at its end (and the sector is then all zero).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="sector"/> is not 4 194 304 bytes.</exception>
    public static int ReadSector(Stream source, Span<byte> sector)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (sector.Length != StorageConstants.SectorSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(sector), StorageConstants.SectorSize, sector.Length);
        }

        int filled = source.ReadAtLeast(sector, sector.Length, throwOnEndOfStream: false);
        sector.Slice(filled).Clear();
        return filled;
    }
}
