// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>
/// A content-addressed store of 4 MiB sectors, each named by its Merkle root and kept with its 64 level-4 nodes
/// (specs/storage-proofs.md §1, §8).
/// </summary>
/// <remarks>
/// <para>Implementations are thread-safe: puts, reads, proofs and deletes may run concurrently. A
/// <see cref="Put"/> that returns <see cref="PutStatus.Stored"/> is durable as far as the implementation can make it.</para>
/// <para>Expected failures (root mismatch, quota, a missing sector) are return values; exceptions mean a bug or
/// corruption. The store owns its files and index; <see cref="IDisposable.Dispose"/> closes them, after which every
/// member throws <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public interface ISectorStore : IDisposable
{
    /// <summary>Sectors stored and the quota.</summary>
    StoreUsage Usage { get; }

    /// <summary>
    /// Stores a sector under <paramref name="root"/> after checking that <paramref name="sector"/> hashes to it.
    /// Nothing is written unless the result is <see cref="PutStatus.Stored"/>.
    /// </summary>
    /// <param name="root">The root the sender claims.</param>
    /// <param name="sector">Exactly 4 194 304 bytes.</param>
    /// <param name="expiresAtBlock">The block after which the sector may be collected.</param>
    PutStatus Put(in Hash256 root, ReadOnlySpan<byte> sector, ulong expiresAtBlock);

    /// <summary>Whether a sector is stored.</summary>
    bool Contains(in Hash256 root);

    /// <summary>The index entry of a sector.</summary>
    bool TryGetInfo(in Hash256 root, out SectorInfo info);

    /// <summary>
    /// Reads <c>destination.Length</c> bytes of a sector from <paramref name="offset"/>; <see langword="false"/> when
    /// the sector is not stored. Reads past the sector's end are argument errors.
    /// </summary>
    bool TryRead(in Hash256 root, long offset, Span<byte> destination);

    /// <summary>Copies the sector's 64 level-4 nodes (2 048 bytes) to <paramref name="destination"/>.</summary>
    bool TryGetLevel4(in Hash256 root, Span<byte> destination);

    /// <summary>
    /// Copies levels 4 to 10 of the sector's tree (127 nodes, 4 064 bytes, level 4 first and the root last; see
    /// <see cref="StorageConstants.UpperTreeSize"/>) to <paramref name="destination"/>, so a prover needs no hashing
    /// above level 4. The bytes come from the store's own record: a prover still checks them against the root.
    /// </summary>
    bool TryGetUpperTree(in Hash256 root, Span<byte> destination);

    /// <summary>Deletes a sector (index first, then data); <see langword="false"/> when it was not stored.</summary>
    bool Delete(in Hash256 root);

    /// <summary>
    /// Up to <paramref name="limit"/> index entries with roots above <paramref name="after"/> (all when
    /// <see langword="null"/>), in root order: the pages of <c>storage.inventory</c>.
    /// </summary>
    IReadOnlyList<SectorInfo> List(Hash256? after, int limit);

    /// <summary>Deletes every sector whose expiry block is below <paramref name="currentBlock"/>; returns their roots.</summary>
    IReadOnlyList<Hash256> CollectExpired(ulong currentBlock);
}
