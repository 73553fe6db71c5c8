// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Storage.Serving;

/// <summary>
/// The miner side of the storage synapses (specs/storage-proofs.md §3–5) over an <see cref="ISectorStore"/>, in bytes
/// and results only, so that <c>bte axon serve</c> and the gateway map their wire records onto the same rules:
/// StoreChunk checks size and root and records which validator stored the sector; RetrieveChunk reads it back;
/// StorageChallenge checks the challenge's shape and that every root was stored by the caller, then proves each item
/// in order with a <see cref="SectorProver"/>.
/// </summary>
/// <remarks>
/// <para>The miner cannot re-derive the items itself: they are drawn over the validator's own list of live sectors,
/// ordered by the validator's <c>storedAtBlock</c> (§4), which the miner never sees. It refuses what it can check
/// (k, the item count, leaf ranges, roots the caller did not store), and binds the answer to
/// <see cref="Challenge.DeriveSeed"/> only through the validator's verification.</para>
/// <para>Thread-safe: each challenge uses its own prover. Neither the store nor the owner log is disposed here.</para>
/// </remarks>
public sealed class SectorService
{
    private readonly ISectorStore _store;
    private readonly SectorOwnerLog _owners;

    /// <summary>A service over <paramref name="store"/> recording owners in <paramref name="owners"/>; the caller keeps owning both.</summary>
    public SectorService(ISectorStore store, SectorOwnerLog owners)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(owners);
        _store = store;
        _owners = owners;
    }

    /// <summary>The store's sector count and quota, for <c>Health</c>.</summary>
    public StoreUsage Usage => _store.Usage;

    /// <summary>
    /// Stores a sector for <paramref name="validator"/>. <see cref="PutStatus.Stored"/> and
    /// <see cref="PutStatus.AlreadyStored"/> are successes (the caller answers 200 with the root); the expiry block is
    /// kept by the store (an already stored sector keeps the later one).
    /// </summary>
    public PutStatus Store(in Hash256 root, ReadOnlySpan<byte> sector, ulong expiresAtBlock, in PublicKey validator)
    {
        if (sector.Length != StorageConstants.SectorSize)
        {
            return PutStatus.WrongSize;
        }

        PutStatus status = _store.Put(root, sector, expiresAtBlock);
        if (status is PutStatus.Stored or PutStatus.AlreadyStored)
        {
            _owners.Add(root, validator);
        }

        return status;
    }

    /// <summary>Reads a whole sector; <see langword="null"/> when it is not stored.</summary>
    public byte[]? Retrieve(in Hash256 root)
    {
        byte[] data = new byte[StorageConstants.SectorSize];
        return _store.TryRead(root, 0, data) ? data : null;
    }

    /// <summary>
    /// Answers a challenge from <paramref name="validator"/> with <paramref name="k"/> items, in item order.
    /// </summary>
    /// <param name="validator">The verified caller.</param>
    /// <param name="k">The challenge's declared item count.</param>
    /// <param name="items">The items, as sent.</param>
    /// <param name="proofs">One proof per item when the result is <see cref="ChallengeAnswerStatus.Proved"/>; otherwise empty.</param>
    public ChallengeAnswerStatus Answer(in PublicKey validator, int k, ReadOnlySpan<SectorLeaf> items, out SectorLeafProof[] proofs)
    {
        proofs = [];
        if (k < 1 || k > StorageConstants.MaxChallengeItems || items.Length != k)
        {
            return ChallengeAnswerStatus.BadChallenge;
        }

        foreach (SectorLeaf item in items)
        {
            if (!item.IsLeafInRange || !_owners.IsOwner(item.Root, validator))
            {
                return ChallengeAnswerStatus.BadChallenge;
            }

            if (!_store.Contains(item.Root))
            {
                return ChallengeAnswerStatus.UnknownSector;
            }
        }

        using SectorProver prover = new(_store);
        ProveStatus status = prover.Prove(items, out SectorLeafProof?[] proved);
        switch (status)
        {
            case ProveStatus.Proved:
                proofs = new SectorLeafProof[proved.Length];
                for (int i = 0; i < proved.Length; i++)
                {
                    proofs[i] = proved[i]!;
                }

                return ChallengeAnswerStatus.Proved;
            case ProveStatus.MissingSector:
                return ChallengeAnswerStatus.UnknownSector;
            case ProveStatus.LeafOutOfRange:
                return ChallengeAnswerStatus.BadChallenge;
            default:
                return ChallengeAnswerStatus.Corrupt;
        }
    }
}

/// <summary>The outcome of <see cref="SectorService.Answer"/>.</summary>
public enum ChallengeAnswerStatus
{
    /// <summary>Every item was proved.</summary>
    Proved = 0,

    /// <summary>k is not 1..64, the item count differs from k, a leaf is out of range, or a root was not stored by the caller (422 <c>BadChallenge</c>).</summary>
    BadChallenge,

    /// <summary>A root the caller stored is no longer held (expired, lost or deleted; 422 <c>UnknownSector</c>).</summary>
    UnknownSector,

    /// <summary>The stored data or tree no longer hashes to the root; the sector is rotten (the axon answers 500).</summary>
    Corrupt,
}
