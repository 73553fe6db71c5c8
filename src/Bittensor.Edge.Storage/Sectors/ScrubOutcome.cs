// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>What one scrub step found.</summary>
public enum ScrubOutcome
{
    /// <summary>The store is empty.</summary>
    Empty = 0,

    /// <summary>The sector still hashes to its root.</summary>
    Intact,

    /// <summary>The sector's data changed (bit rot) or vanished; it was deleted and must be reported lost.</summary>
    Rotted,
}
