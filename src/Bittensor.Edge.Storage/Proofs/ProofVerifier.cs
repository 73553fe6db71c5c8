// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Storage.Merkle;

namespace Bittensor.Edge.Storage.Proofs;

/// <summary>
/// Checks leaf proofs against roots the verifier recorded itself (specs/storage-proofs.md §5). Nothing here trusts a
/// root sent in a proof: the proof's root must equal the requested root, and hashing must reach that requested root.
/// </summary>
/// <remarks>Stateless and thread-safe. Never throws on untrusted input; allocation-free.</remarks>
public static class ProofVerifier
{
    /// <summary>Checks one proof of leaf <paramref name="leaf"/> against the recorded <paramref name="root"/>.</summary>
    /// <param name="root">The root recorded at store time.</param>
    /// <param name="leaf">The leaf index that was asked for.</param>
    /// <param name="data">The leaf bytes from the proof.</param>
    /// <param name="path">The 10 sibling hashes from the proof, level 0 first.</param>
    public static ProofStatus VerifyLeaf(in Hash256 root, int leaf, ReadOnlySpan<byte> data, ReadOnlySpan<byte> path)
    {
        if ((uint)leaf >= StorageConstants.LeavesPerSector)
        {
            return ProofStatus.LeafOutOfRange;
        }

        if (data.Length != StorageConstants.LeafSize || path.Length != StorageConstants.PathSize)
        {
            return ProofStatus.Malformed;
        }

        Span<byte> hash = stackalloc byte[StorageConstants.NodeSize];
        SectorTree.HashLeafCore(data, hash);
        int index = leaf;
        for (int level = 0; level < StorageConstants.TreeDepth; level++)
        {
            ReadOnlySpan<byte> sibling = path.Slice(level * StorageConstants.NodeSize, StorageConstants.NodeSize);
            if ((index & 1) == 0)
            {
                SectorTree.HashNodeCore(hash, sibling, hash);
            }
            else
            {
                SectorTree.HashNodeCore(sibling, hash, hash);
            }

            index >>= 1;
        }

        return CryptographicOperations.FixedTimeEquals(hash, root.Bytes) ? ProofStatus.Valid : ProofStatus.RootMismatch;
    }

    /// <summary>
    /// Checks one proof against the item it answers: the proof must name the same root and leaf, and hash to the
    /// requested root.
    /// </summary>
    public static ProofStatus VerifyItem(in SectorLeaf expected, SectorLeafProof? proof)
    {
        if (!expected.IsLeafInRange)
        {
            return ProofStatus.LeafOutOfRange;
        }

        if (proof is null || proof.Data is null || proof.Path is null)
        {
            return ProofStatus.Malformed;
        }

        if (proof.Leaf != expected.Leaf || proof.Root != expected.Root)
        {
            return ProofStatus.ItemMismatch;
        }

        return VerifyLeaf(expected.Root, expected.Leaf, proof.Data, proof.Path);
    }

    /// <summary>
    /// Checks a whole challenge response, in item order, and reports the first failure. The response must hold exactly
    /// one proof per item.
    /// </summary>
    /// <param name="expected">The items the verifier asked for, with the roots it recorded.</param>
    /// <param name="proofs">The proofs received; may be null or hold nulls.</param>
    public static ChallengeVerdict VerifyChallenge(ReadOnlySpan<SectorLeaf> expected, IReadOnlyList<SectorLeafProof?>? proofs)
    {
        if (proofs is null || proofs.Count != expected.Length || expected.IsEmpty)
        {
            return new ChallengeVerdict(ProofStatus.WrongItemCount, -1);
        }

        for (int i = 0; i < expected.Length; i++)
        {
            ProofStatus status = VerifyItem(expected[i], proofs[i]);
            if (status != ProofStatus.Valid)
            {
                return new ChallengeVerdict(status, i);
            }
        }

        return ChallengeVerdict.Valid;
    }
}
