// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Storage.Proofs;

/// <summary>
/// One leaf proof (specs/storage-proofs.md §5): the root and leaf it answers, the leaf's 4 096 bytes and its Merkle path
/// of 10 × 32 bytes, the sibling at level 0 first. This is the <c>{root, leaf, data, path}</c> item of the
/// <c>StorageChallenge</c> response (protocol.md §4) with plain arrays, so the wire records convert field by field.
/// </summary>
/// <remarks>
/// A proof from the network is untrusted: its arrays may be null or of any length. <see cref="ProofVerifier"/> checks
/// them and never throws. The arrays are not copied; do not change them while a verification runs.
/// </remarks>
public sealed class SectorLeafProof
{
    /// <summary>Wraps the given values without copying or validating them.</summary>
    public SectorLeafProof(Hash256 root, int leaf, byte[]? data, byte[]? path)
    {
        Root = root;
        Leaf = leaf;
        Data = data;
        Path = path;
    }

    /// <summary>The root the proof claims to answer.</summary>
    public Hash256 Root { get; }

    /// <summary>The leaf index the proof claims to answer.</summary>
    public int Leaf { get; }

    /// <summary>The leaf's bytes; 4 096 in a well-formed proof.</summary>
    public byte[]? Data { get; }

    /// <summary>The sibling hashes, level 0 first; 320 bytes in a well-formed proof.</summary>
    public byte[]? Path { get; }
}
