// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Boards.Thermal;

/// <summary>The device's thermal state (specs/fleet.md §2), ordered from coolest to hottest.</summary>
public enum ThermalState
{
    /// <summary>Below warm: no action.</summary>
    Normal = 0,

    /// <summary>Batch size and intra-op threads halved; GPIO fan forced on.</summary>
    Warm = 1,

    /// <summary>Inference stops; storage continues.</summary>
    Hot = 2,

    /// <summary>Storage ingest refused too; only proofs, gets and heartbeats run.</summary>
    Critical = 3,
}
