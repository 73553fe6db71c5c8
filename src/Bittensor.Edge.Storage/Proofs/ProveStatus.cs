// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Storage.Proofs;

/// <summary>Why a prover could or could not answer an item.</summary>
public enum ProveStatus
{
    /// <summary>The proof was written.</summary>
    Proved = 0,

    /// <summary>The sector is not stored.</summary>
    MissingSector,

    /// <summary>The leaf index is outside 0..1023.</summary>
    LeafOutOfRange,

    /// <summary>The stored data or level-4 cache no longer hashes to the root (bit rot); the sector should be reported lost.</summary>
    Corrupt,
}
