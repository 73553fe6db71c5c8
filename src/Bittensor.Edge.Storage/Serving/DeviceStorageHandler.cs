// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Storage.Serving;

/// <summary>
/// The device side of the storage methods of the device bus (specs/storage-proofs.md §7, last bullet), without a
/// transport: <c>storage.put {root, data}</c>, <c>storage.prove {items}</c>, <c>storage.get {root}</c>,
/// <c>storage.delete {roots}</c> and <c>storage.inventory {after, limit ≤ 1000}</c>, each one method whose result says
/// exactly what happened. <c>bte-miner</c> maps its MQTT request/response envelopes (fleet.md §5) onto these; the
/// envelope format is not defined here.
/// </summary>
/// <remarks>
/// <para>Unlike <see cref="SectorService"/> (the axon side, which answers validators and checks which validator stored
/// each root), the caller here is the device's own gateway, already authenticated by the bus: there is no owner check,
/// and the gateway itself verifies every proof (§7 step 3) and retries the items a device could not prove on another
/// replica, which is why <see cref="Prove"/> reports a status per item.</para>
/// <para>Thread-safe when the store is (every <see cref="ISectorStore"/> is): each prove uses its own
/// <see cref="SectorProver"/>. The store is not disposed here.</para>
/// </remarks>
public sealed class DeviceStorageHandler
{
    /// <summary>Most entries one <c>storage.inventory</c> page returns.</summary>
    public const int MaxInventoryLimit = 1000;

    private readonly ISectorStore _store;

    /// <summary>A handler over <paramref name="store"/>, which the caller keeps owning.</summary>
    public DeviceStorageHandler(ISectorStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>
    /// <c>storage.put</c>: stores a sector once it is durable (§8; nothing is acknowledged before). Success is
    /// <see cref="PutStatus.Stored"/> or <see cref="PutStatus.AlreadyStored"/>; <see cref="PutStatus.RootMismatch"/>,
    /// <see cref="PutStatus.WrongSize"/>, <see cref="PutStatus.QuotaExceeded"/> and <see cref="PutStatus.DiskFull"/> are
    /// refusals the gateway answers by placing elsewhere.
    /// </summary>
    /// <param name="root">The root the gateway checked.</param>
    /// <param name="data">Exactly one sector.</param>
    /// <param name="expiresAtBlock">The placement's expiry, when the envelope carries one; the gateway deletes expired placements itself.</param>
    public PutStatus Put(in Hash256 root, ReadOnlySpan<byte> data, ulong expiresAtBlock = ulong.MaxValue) =>
        data.Length != StorageConstants.SectorSize ? PutStatus.WrongSize : _store.Put(root, data, expiresAtBlock);

    /// <summary>
    /// <c>storage.prove</c>: one proof per item in item order, each with its own status; items on the same sector share
    /// one lookup of its tree and one open file. The item count is not limited here: the gateway sends a device only its
    /// share of a k ≤ 64 challenge.
    /// </summary>
    public DeviceProveResult Prove(ReadOnlySpan<SectorLeaf> items)
    {
        ProveStatus[] statuses = new ProveStatus[items.Length];
        using SectorProver prover = new(_store);
        prover.Prove(items, out SectorLeafProof?[] proofs, statuses);
        return new DeviceProveResult(proofs, statuses);
    }

    /// <summary><c>storage.get</c>: the whole sector, or <see langword="null"/> when it is not stored (the repair loop's source).</summary>
    public byte[]? Get(in Hash256 root)
    {
        byte[] data = new byte[StorageConstants.SectorSize];
        return _store.TryRead(root, 0, data) ? data : null;
    }

    /// <summary><c>storage.delete</c>: deletes each root (index first, then data); reports which were deleted and which were not stored.</summary>
    public DeviceDeleteResult Delete(IReadOnlyList<Hash256> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        List<Hash256> deleted = [];
        List<Hash256> missing = [];
        foreach (Hash256 root in roots)
        {
            (_store.Delete(root) ? deleted : missing).Add(root);
        }

        return new DeviceDeleteResult(deleted, missing);
    }

    /// <summary>
    /// <c>storage.inventory</c>: up to <paramref name="limit"/> stored sectors with roots above <paramref name="after"/>
    /// (from the start when <see langword="null"/>), in root order. Page on with <see cref="InventoryPage.Next"/> until it
    /// is <see langword="null"/>.
    /// </summary>
    /// <returns><see langword="false"/> (and an empty page) when <paramref name="limit"/> is outside 1..1000: the bus answers a bad request.</returns>
    public bool TryInventory(Hash256? after, int limit, out InventoryPage page)
    {
        if (limit is < 1 or > MaxInventoryLimit)
        {
            page = new InventoryPage([], null);
            return false;
        }

        // One extra entry says whether another page follows without a second query.
        IReadOnlyList<SectorInfo> entries = _store.List(after, limit + 1);
        if (entries.Count > limit)
        {
            SectorInfo[] first = [.. entries.Take(limit)];
            page = new InventoryPage(first, first[^1].Root);
        }
        else
        {
            page = new InventoryPage(entries, null);
        }

        return true;
    }
}

/// <summary>The result of <c>storage.prove</c>: per item, a proof where <see cref="Statuses"/> says <see cref="ProveStatus.Proved"/>, else null.</summary>
/// <param name="Proofs">One entry per item, in item order.</param>
/// <param name="Statuses">One status per item: <see cref="ProveStatus.MissingSector"/> (retry on another replica), <see cref="ProveStatus.LeafOutOfRange"/> (a bad request) or <see cref="ProveStatus.Corrupt"/> (report the sector lost).</param>
public sealed record DeviceProveResult(IReadOnlyList<SectorLeafProof?> Proofs, IReadOnlyList<ProveStatus> Statuses)
{
    /// <summary>Whether every item was proved.</summary>
    public bool AllProved => Statuses.All(s => s == ProveStatus.Proved);
}

/// <summary>The result of <c>storage.delete</c>.</summary>
/// <param name="Deleted">Roots deleted now.</param>
/// <param name="Missing">Roots that were not stored (already deleted, expired or lost): not an error for the gateway.</param>
public sealed record DeviceDeleteResult(IReadOnlyList<Hash256> Deleted, IReadOnlyList<Hash256> Missing);

/// <summary>One page of <c>storage.inventory</c>.</summary>
/// <param name="Entries">Stored sectors in root order, with their store time and expiry.</param>
/// <param name="Next">The <c>after</c> of the next page, or <see langword="null"/> on the last page.</param>
public sealed record InventoryPage(IReadOnlyList<SectorInfo> Entries, Hash256? Next);
