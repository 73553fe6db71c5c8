// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Storage.Proofs;

/// <summary>One challenged leaf: a sector's root and a leaf index in it (the <c>{root, leaf}</c> item of protocol.md §4).</summary>
/// <param name="Root">The sector's root.</param>
/// <param name="Leaf">The leaf index; valid ones are 0..1023, but untrusted values are carried as received.</param>
public readonly record struct SectorLeaf(Hash256 Root, int Leaf)
{
    /// <summary>Whether <see cref="Leaf"/> is 0..1023.</summary>
    public bool IsLeafInRange => (uint)Leaf < StorageConstants.LeavesPerSector;
}
