// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Consensus;

/// <summary>Marker for the consensus assembly.</summary>
public static class ConsensusAssembly
{
    /// <summary>The spec this library implements.</summary>
    public const string Spec = "specs/consensus.md";
}
