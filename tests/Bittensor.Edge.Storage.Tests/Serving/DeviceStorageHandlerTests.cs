// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;
using Bittensor.Edge.Storage.Serving;

namespace Bittensor.Edge.Storage.Tests.Serving;

/// <summary>The device-bus storage methods (storage-proofs.md §7) over a real <see cref="FileSectorStore"/>.</summary>
public sealed class DeviceStorageHandlerTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FileSectorStore _store;
    private readonly DeviceStorageHandler _handler;

    public DeviceStorageHandlerTests()
    {
        _store = FileSectorStore.Open(new SectorStoreOptions { Directory = _temp.Path, ReserveFraction = 0, QuotaBytes = 3L * StorageConstants.SectorSize }, new ManualClock());
        _handler = new DeviceStorageHandler(_store);
    }

    public void Dispose()
    {
        _store.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void Put_stores_durably_and_refuses_a_wrong_root_a_wrong_size_and_a_full_quota()
    {
        byte[] a = TestSectors.Create(1);
        Hash256 root = SectorTree.ComputeRoot(a);

        Assert.Equal(PutStatus.WrongSize, _handler.Put(root, a.AsSpan(1)));
        Assert.Equal(PutStatus.RootMismatch, _handler.Put(SectorTree.ComputeRoot(TestSectors.Create(2)), a));
        Assert.Equal(PutStatus.Stored, _handler.Put(root, a));
        Assert.Equal(PutStatus.AlreadyStored, _handler.Put(root, a));
        Assert.True(_store.TryGetInfo(root, out SectorInfo info));
        Assert.True(info.ExpiresAtBlock >= long.MaxValue); // never: the index keeps block numbers as int64
        for (int seed = 2; seed <= 3; seed++)
        {
            byte[] more = TestSectors.Create(seed);
            Assert.Equal(PutStatus.Stored, _handler.Put(SectorTree.ComputeRoot(more), more, 500));
        }

        byte[] over = TestSectors.Create(4);
        Assert.Equal(PutStatus.QuotaExceeded, _handler.Put(SectorTree.ComputeRoot(over), over));
        Assert.Empty(Directory.EnumerateFiles(_temp.Combine("tmp")));
    }

    [Fact]
    public void Prove_answers_each_item_with_its_own_status_so_the_gateway_can_retry_only_the_missing_ones()
    {
        byte[] a = TestSectors.Create(1);
        Hash256 root = SectorTree.ComputeRoot(a);
        Assert.Equal(PutStatus.Stored, _handler.Put(root, a));
        Hash256 absent = SectorTree.ComputeRoot(TestSectors.Create(9));
        SectorLeaf[] items = [new(root, 0), new(absent, 5), new(root, 1023), new(root, 1024)];

        DeviceProveResult result = _handler.Prove(items);

        Assert.Equal([ProveStatus.Proved, ProveStatus.MissingSector, ProveStatus.Proved, ProveStatus.LeafOutOfRange], result.Statuses);
        Assert.False(result.AllProved);
        Assert.Equal(ProofStatus.Valid, ProofVerifier.VerifyItem(items[0], result.Proofs[0]));
        Assert.Equal(ProofStatus.Valid, ProofVerifier.VerifyItem(items[2], result.Proofs[2]));
        Assert.Null(result.Proofs[1]);
        Assert.Null(result.Proofs[3]);
        Assert.Equal(a.AsSpan(1023 * StorageConstants.LeafSize).ToArray(), result.Proofs[2]!.Data);
    }

    [Fact]
    public void Get_returns_the_whole_sector_or_null_and_delete_reports_deleted_and_missing()
    {
        byte[] a = TestSectors.Create(1);
        Hash256 root = SectorTree.ComputeRoot(a);
        Hash256 absent = SectorTree.ComputeRoot(TestSectors.Create(2));
        Assert.Equal(PutStatus.Stored, _handler.Put(root, a));

        Assert.Equal(a, _handler.Get(root));
        Assert.Null(_handler.Get(absent));
        DeviceDeleteResult deleted = _handler.Delete([root, absent]);
        Assert.Equal([root], deleted.Deleted);
        Assert.Equal([absent], deleted.Missing);
        Assert.Null(_handler.Get(root));
        Assert.Equal([root], _handler.Delete([root]).Missing);
    }

    [Fact]
    public void Inventory_pages_in_root_order_to_the_end_and_refuses_a_limit_outside_1_to_1000()
    {
        List<Hash256> roots = [];
        for (int seed = 1; seed <= 3; seed++)
        {
            byte[] data = TestSectors.Create(seed);
            roots.Add(SectorTree.ComputeRoot(data));
            Assert.Equal(PutStatus.Stored, _handler.Put(roots[^1], data, (ulong)seed));
        }

        roots.Sort();
        Assert.True(_handler.TryInventory(null, 2, out InventoryPage first));
        Assert.Equal(roots.Take(2), first.Entries.Select(e => e.Root));
        Assert.Equal(roots[1], first.Next);
        Assert.True(_handler.TryInventory(first.Next, 2, out InventoryPage second));
        Assert.Equal([roots[2]], second.Entries.Select(e => e.Root));
        Assert.Null(second.Next);
        Assert.True(_handler.TryInventory(null, DeviceStorageHandler.MaxInventoryLimit, out InventoryPage all));
        Assert.Equal(roots, all.Entries.Select(e => e.Root));
        Assert.Null(all.Next);

        Assert.False(_handler.TryInventory(null, 0, out InventoryPage none));
        Assert.Empty(none.Entries);
        Assert.False(_handler.TryInventory(null, DeviceStorageHandler.MaxInventoryLimit + 1, out _));
    }
}
