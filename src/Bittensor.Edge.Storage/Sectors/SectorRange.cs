// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>Argument checks shared by the stores' range reads.</summary>
internal static class SectorRange
{
    public static void Check(long offset, int length)
    {
        if (offset < 0 || offset > StorageConstants.SectorSize - length)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(offset), offset, $"A read of {length} bytes at {offset} does not fit in a {StorageConstants.SectorSize}-byte sector.");
        }
    }
}
