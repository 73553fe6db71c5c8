// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Synapses;

/// <summary>Sizes of the storage synapses (storage-proofs.md).</summary>
public static class StorageSizes
{
    /// <summary>Bytes in a sector, 4 MiB.</summary>
    public const int SectorBytes = 4 * 1024 * 1024;

    /// <summary>Bytes in a leaf, 4 KiB.</summary>
    public const int LeafBytes = 4096;

    /// <summary>Leaves in a sector.</summary>
    public const int LeavesPerSector = SectorBytes / LeafBytes;

    /// <summary>Sibling hashes in a leaf's Merkle path (log2 of 1024).</summary>
    public const int PathDepth = 10;

    /// <summary>Bytes in a Merkle path: <see cref="PathDepth"/> × 32, bottom-up.</summary>
    public const int PathBytes = PathDepth * Hash256.Size;

    /// <summary>The largest challenge, k = 64 (storage-proofs.md §4).</summary>
    public const int MaxChallengeItems = 64;
}

/// <summary><c>StoreChunk</c> request: <c>{root, data, expiresAtBlock}</c>.</summary>
/// <param name="Root">The sector's Merkle root (hex32).</param>
/// <param name="Data">Exactly 4 194 304 bytes (base64 on the wire).</param>
/// <param name="ExpiresAtBlock">Block after which the miner may delete the sector.</param>
public sealed record StoreChunkRequest(Hex32 Root, byte[] Data, ulong ExpiresAtBlock) : ISynapseMessage
{
    /// <inheritdoc/>
    public DomainError? Validate() =>
        Data.Length == StorageSizes.SectorBytes
            ? null
            : DomainError.BadInput($"data must be exactly {StorageSizes.SectorBytes} bytes, got {Data.Length}.");
}

/// <summary><c>StoreChunk</c> response: <c>{root, stored: true}</c>; signed, it is the validator's receipt.</summary>
/// <param name="Root">The stored sector's root.</param>
/// <param name="Stored">Always <see langword="true"/> on a 200.</param>
public sealed record StoreChunkResponse(Hex32 Root, bool Stored) : ISynapseMessage
{
    /// <inheritdoc/>
    public DomainError? Validate() => Stored ? null : DomainError.BadInput("stored must be true.");
}

/// <summary><c>RetrieveChunk</c> request: <c>{root}</c>.</summary>
/// <param name="Root">The sector to read back.</param>
public sealed record RetrieveChunkRequest(Hex32 Root) : ISynapseMessage
{
    /// <inheritdoc/>
    public DomainError? Validate() => null;
}

/// <summary><c>RetrieveChunk</c> response: <c>{root, data}</c>.</summary>
/// <param name="Root">The sector's root.</param>
/// <param name="Data">The sector's 4 194 304 bytes.</param>
public sealed record RetrieveChunkResponse(Hex32 Root, byte[] Data) : ISynapseMessage
{
    /// <inheritdoc/>
    public DomainError? Validate() =>
        Data.Length == StorageSizes.SectorBytes
            ? null
            : DomainError.BadInput($"data must be exactly {StorageSizes.SectorBytes} bytes, got {Data.Length}.");
}

/// <summary>One challenged leaf: <c>{root, leaf}</c>.</summary>
/// <param name="Root">The sector.</param>
/// <param name="Leaf">Leaf index, 0..1023.</param>
public sealed record ChallengeItem(Hex32 Root, int Leaf);

/// <summary><c>StorageChallenge</c> request: <c>{blockNumber, blockHash, validatorNonce, k, items}</c>.</summary>
/// <param name="BlockNumber">The validator's best block at send time.</param>
/// <param name="BlockHash">That block's hash (hex32).</param>
/// <param name="ValidatorNonce">32 fresh random bytes from the validator (hex32).</param>
/// <param name="K">Number of items, 1..64.</param>
/// <param name="Items">Exactly <paramref name="K"/> leaves to prove.</param>
public sealed record StorageChallengeRequest(
    ulong BlockNumber,
    Hex32 BlockHash,
    Hex32 ValidatorNonce,
    int K,
    IReadOnlyList<ChallengeItem> Items) : ISynapseMessage
{
    /// <inheritdoc/>
    public DomainError? Validate()
    {
        if (K < 1 || K > StorageSizes.MaxChallengeItems || Items.Count != K)
        {
            return new DomainError(DomainErrorCodes.BadChallenge, $"k must be 1..{StorageSizes.MaxChallengeItems} and equal the item count; k = {K}, items = {Items.Count}.");
        }

        for (int i = 0; i < Items.Count; i++)
        {
            ChallengeItem? item = Items[i];
            if (item is null || item.Leaf < 0 || item.Leaf >= StorageSizes.LeavesPerSector)
            {
                return DomainError.BadInput($"items[{i}].leaf must be 0..{StorageSizes.LeavesPerSector - 1}.");
            }
        }

        return null;
    }
}

/// <summary>One leaf proof: <c>{root, leaf, data, path}</c>.</summary>
/// <param name="Root">The sector.</param>
/// <param name="Leaf">Leaf index, 0..1023.</param>
/// <param name="Data">The leaf's 4096 bytes.</param>
/// <param name="Path">Ten 32-byte sibling hashes, bottom-up (320 bytes).</param>
public sealed record LeafProof(Hex32 Root, int Leaf, byte[] Data, byte[] Path);

/// <summary><c>StorageChallenge</c> response: <c>{proofs}</c>, in item order.</summary>
/// <param name="Proofs">One proof per challenged item.</param>
public sealed record StorageChallengeResponse(IReadOnlyList<LeafProof> Proofs) : ISynapseMessage
{
    /// <inheritdoc/>
    public DomainError? Validate()
    {
        for (int i = 0; i < Proofs.Count; i++)
        {
            LeafProof? proof = Proofs[i];
            if (proof is null)
            {
                return DomainError.BadInput($"proofs[{i}] is null.");
            }

            if (proof.Leaf < 0 || proof.Leaf >= StorageSizes.LeavesPerSector)
            {
                return DomainError.BadInput($"proofs[{i}].leaf must be 0..{StorageSizes.LeavesPerSector - 1}.");
            }

            if (proof.Data.Length != StorageSizes.LeafBytes)
            {
                return DomainError.BadInput($"proofs[{i}].data must be {StorageSizes.LeafBytes} bytes, got {proof.Data.Length}.");
            }

            if (proof.Path.Length != StorageSizes.PathBytes)
            {
                return DomainError.BadInput($"proofs[{i}].path must be {StorageSizes.PathBytes} bytes, got {proof.Path.Length}.");
            }
        }

        return null;
    }
}
