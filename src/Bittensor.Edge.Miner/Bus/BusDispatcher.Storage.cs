// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;
using Bittensor.Edge.Storage.Serving;

namespace Bittensor.Edge.Miner.Bus;

/// <summary>
/// The <c>storage.*</c> methods (storage-proofs.md §7) over the device's sector store: this part maps the bus envelope
/// (params, <c>Busy</c> while ingest or reads are refused, <see cref="BusErrors"/> codes) onto Storage's
/// <see cref="DeviceStorageHandler"/>, which does the store work.
/// </summary>
public sealed partial class BusDispatcher
{
    /// <summary>Most items in one <c>storage.prove</c>: a challenge has at most 64, and the gateway sends one per device.</summary>
    public const int MaxProveItems = 256;

    private Reply StoragePut(BusRequestHeader header, ReadOnlyMemory<byte> body)
    {
        StoragePutParams parameters = header.ReadParams(FleetJsonContext.Default.StoragePutParams);
        if (!_status.CanIngest(out string? refusal) || _store.Store is not { } store)
        {
            return Fail(BusErrors.Busy, $"storage.put refused: {refusal ?? "the store is not open"}.");
        }

        // The gateway keeps expiry itself (it deletes expired placements); the device never collects on its own.
        PutStatus status = new DeviceStorageHandler(store).Put(parameters.Root, body.Span);
        switch (status)
        {
            case PutStatus.Stored:
            case PutStatus.AlreadyStored:
                Interlocked.Increment(ref _puts);
                return Ok(new StoragePutResult(parameters.Root, Durable: true), FleetJsonContext.Default.StoragePutResult);
            case PutStatus.WrongSize:
                return Fail(BusErrors.BadRequest, $"storage.put needs a {StorageConstants.SectorSize}-byte sector in the body, not {body.Length} bytes.");
            case PutStatus.RootMismatch:
                return Fail(BusErrors.RootMismatch, $"The sector does not hash to {parameters.Root}; nothing was written.");
            case PutStatus.QuotaExceeded:
                return Fail(BusErrors.StorageFull, $"The store holds its quota of {store.Usage.QuotaSectors} sectors; nothing was written.");
            case PutStatus.DiskFull:
                return Fail(BusErrors.StorageFull, "The data partition is full or below its free-space reserve; nothing was written.");
            default:
                return Fail(BusErrors.BadRequest, $"storage.put refused: {status}.");
        }
    }

    private Reply StorageGet(BusRequestHeader header)
    {
        StorageGetParams parameters = header.ReadParams(FleetJsonContext.Default.StorageGetParams);
        if (!_status.CanRead(out string? refusal) || _store.Store is not { } store)
        {
            return Fail(BusErrors.Busy, $"storage.get refused: {refusal ?? "the store is not open"}.");
        }

        if (new DeviceStorageHandler(store).Get(parameters.Root) is not { } sector)
        {
            return Fail(BusErrors.UnknownSector, $"Sector {parameters.Root} is not stored here.");
        }

        Interlocked.Increment(ref _gets);
        return Ok(new StorageGetResult(parameters.Root), FleetJsonContext.Default.StorageGetResult, sector);
    }

    private Reply StorageProve(BusRequestHeader header)
    {
        StorageProveParams parameters = header.ReadParams(FleetJsonContext.Default.StorageProveParams);
        if (!_status.CanRead(out string? refusal) || _store.Store is not { } store)
        {
            return Fail(BusErrors.Busy, $"storage.prove refused: {refusal ?? "the store is not open"}.");
        }

        IReadOnlyList<ChallengeItem> items = parameters.Items ?? [];
        if (items.Count is 0 or > MaxProveItems)
        {
            return Fail(BusErrors.BadRequest, $"storage.prove takes 1 to {MaxProveItems} items, not {items.Count}.");
        }

        SectorLeaf[] leavesAsked = new SectorLeaf[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            ChallengeItem item = items[i];
            if (item is null || (uint)item.Leaf >= StorageConstants.LeavesPerSector)
            {
                return Fail(BusErrors.BadRequest, $"Item {i} has leaf {item?.Leaf}; leaves are 0 to {StorageConstants.LeavesPerSector - 1}.");
            }

            leavesAsked[i] = new SectorLeaf(item.Root, item.Leaf);
        }

        DeviceProveResult result = new DeviceStorageHandler(store).Prove(leavesAsked);
        byte[] leaves = new byte[items.Count * StorageConstants.LeafSize];
        BusLeafProof[] proofs = new BusLeafProof[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            Hash256 root = leavesAsked[i].Root;
            switch (result.Statuses[i])
            {
                case ProveStatus.Proved when result.Proofs[i] is { Data: { } data, Path: { } path }:
                    data.CopyTo(leaves, i * StorageConstants.LeafSize);
                    proofs[i] = new BusLeafProof(root, leavesAsked[i].Leaf, path);
                    break;
                case ProveStatus.MissingSector:
                    Interlocked.Increment(ref _proveFailures);
                    return Fail(BusErrors.UnknownSector, $"Sector {items[i].Root} (item {i}) is not stored here.");
                case ProveStatus.Corrupt:
                    Interlocked.Increment(ref _proveFailures);
                    store.Delete(root);
                    Log.SectorRotted(_logger, items[i].Root.ToString());
                    return Fail(BusErrors.UnknownSector, $"Sector {items[i].Root} (item {i}) no longer hashes to its root (bit rot); it was deleted and is lost here.");
                default:
                    return Fail(BusErrors.BadRequest, $"Item {i}: {result.Statuses[i]}.");
            }
        }

        Interlocked.Increment(ref _proves);
        return Ok(new StorageProveResult(proofs), FleetJsonContext.Default.StorageProveResult, leaves);
    }

    private Reply StorageDelete(BusRequestHeader header)
    {
        StorageDeleteParams parameters = header.ReadParams(FleetJsonContext.Default.StorageDeleteParams);
        if (!_status.CanIngest(out string? refusal) || _store.Store is not { } store)
        {
            return Fail(BusErrors.Busy, $"storage.delete refused: {refusal ?? "the store is not open"}.");
        }

        IReadOnlyList<Hex32> roots = parameters.Roots ?? [];
        if (roots.Count > BusMethods.MaxInventoryLimit)
        {
            return Fail(BusErrors.BadRequest, $"storage.delete takes at most {BusMethods.MaxInventoryLimit} roots, not {roots.Count}.");
        }

        DeviceDeleteResult deleted = new DeviceStorageHandler(store).Delete([.. roots.Select(static r => r.Value)]);
        return Ok(new StorageDeleteResult(deleted.Deleted.Count), FleetJsonContext.Default.StorageDeleteResult);
    }

    private Reply StorageInventory(BusRequestHeader header)
    {
        StorageInventoryParams parameters = header.ReadParams(FleetJsonContext.Default.StorageInventoryParams);
        if (!_status.CanRead(out string? refusal) || _store.Store is not { } store)
        {
            return Fail(BusErrors.Busy, $"storage.inventory refused: {refusal ?? "the store is not open"}.");
        }

        if (parameters.Limit > BusMethods.MaxInventoryLimit || !new DeviceStorageHandler(store).TryInventory(parameters.After?.Value, parameters.Limit, out InventoryPage page))
        {
            return Fail(BusErrors.BadRequest, $"storage.inventory limit is 1 to {BusMethods.MaxInventoryLimit}, not {parameters.Limit}.");
        }

        bool more = page.Next is not null;
        Hex32[] roots = [.. page.Entries.Select(static e => (Hex32)e.Root)];
        return Ok(new StorageInventoryResult(roots, more), FleetJsonContext.Default.StorageInventoryResult);
    }

    private static Reply Ok<T>(T result, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, ReadOnlyMemory<byte> body = default) =>
        new(BusResponseHeader.Success(result, typeInfo), body);
}
