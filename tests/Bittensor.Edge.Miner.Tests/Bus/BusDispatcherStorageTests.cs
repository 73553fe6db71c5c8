// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Boards.Thermal;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Miner.Bus;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;

namespace Bittensor.Edge.Miner.Tests.Bus;

public sealed class BusDispatcherStorageTests
{
    [Fact]
    public async Task A_put_sector_can_be_read_proved_listed_and_deleted_and_every_answer_is_device_signed()
    {
        await using DispatcherRig rig = new(new ManualClock(DateTimeOffset.UtcNow));
        byte[] sector = DispatcherRig.RandomSector();
        Hash256 root = SectorTree.ComputeRoot(sector);

        (BusResponseHeader put, _) = await rig.CallAsync(BusMethods.StoragePut, new StoragePutParams(root), FleetJsonContext.Default.StoragePutParams, sector);
        Assert.True(put.Ok, put.Message);
        StoragePutResult stored = put.ReadResult(FleetJsonContext.Default.StoragePutResult);
        Assert.Equal(root, stored.Root.Value);
        Assert.True(stored.Durable);
        Assert.True(rig.Store.Contains(root));

        (BusResponseHeader get, byte[] data) = await rig.CallAsync(BusMethods.StorageGet, new StorageGetParams(root), FleetJsonContext.Default.StorageGetParams);
        Assert.True(get.Ok, get.Message);
        Assert.Equal(sector, data);

        ChallengeItem[] items = [new(root, 0), new(root, 1023), new(root, 517), new(root, 517)];
        (BusResponseHeader prove, byte[] leaves) = await rig.CallAsync(BusMethods.StorageProve, new StorageProveParams(items), FleetJsonContext.Default.StorageProveParams);
        Assert.True(prove.Ok, prove.Message);
        StorageProveResult proofs = prove.ReadResult(FleetJsonContext.Default.StorageProveResult);
        Assert.Equal(items.Length * StorageConstants.LeafSize, leaves.Length);
        for (int i = 0; i < items.Length; i++)
        {
            Assert.Equal(items[i].Leaf, proofs.Proofs[i].Leaf);
            Assert.Equal(ProofStatus.Valid, ProofVerifier.VerifyLeaf(root, items[i].Leaf, leaves.AsSpan(i * StorageConstants.LeafSize, StorageConstants.LeafSize), proofs.Proofs[i].Path));
        }

        (BusResponseHeader inventory, _) = await rig.CallAsync(BusMethods.StorageInventory, new StorageInventoryParams(10), FleetJsonContext.Default.StorageInventoryParams);
        StorageInventoryResult listed = inventory.ReadResult(FleetJsonContext.Default.StorageInventoryResult);
        Assert.Equal([new Hex32(root)], listed.Roots);
        Assert.False(listed.More);

        (BusResponseHeader delete, _) = await rig.CallAsync(BusMethods.StorageDelete, new StorageDeleteParams([root, Sha256.Hash(root.Bytes)]), FleetJsonContext.Default.StorageDeleteParams);
        Assert.Equal(1, delete.ReadResult(FleetJsonContext.Default.StorageDeleteResult).Deleted);
        (BusResponseHeader gone, _) = await rig.CallAsync(BusMethods.StorageProve, new StorageProveParams(items), FleetJsonContext.Default.StorageProveParams);
        Assert.Equal(BusErrors.UnknownSector, gone.Error);
    }

    [Fact]
    public async Task Inventory_pages_in_root_order_with_more_until_the_last_page()
    {
        await using DispatcherRig rig = new(new ManualClock(DateTimeOffset.UtcNow));
        List<Hash256> roots = [];
        for (int i = 0; i < 3; i++)
        {
            byte[] sector = DispatcherRig.RandomSector();
            Hash256 root = SectorTree.ComputeRoot(sector);
            roots.Add(root);
            Assert.True((await rig.CallAsync(BusMethods.StoragePut, new StoragePutParams(root), FleetJsonContext.Default.StoragePutParams, sector)).Header.Ok);
        }

        roots.Sort();
        StorageInventoryResult first = (await rig.CallAsync(BusMethods.StorageInventory, new StorageInventoryParams(2), FleetJsonContext.Default.StorageInventoryParams)).Header.ReadResult(FleetJsonContext.Default.StorageInventoryResult);
        Assert.Equal(roots.Take(2).Select(r => new Hex32(r)), first.Roots);
        Assert.True(first.More);
        StorageInventoryResult second = (await rig.CallAsync(BusMethods.StorageInventory, new StorageInventoryParams(2, first.Roots[^1]), FleetJsonContext.Default.StorageInventoryParams)).Header.ReadResult(FleetJsonContext.Default.StorageInventoryResult);
        Assert.Equal([new Hex32(roots[2])], second.Roots);
        Assert.False(second.More);
        Assert.Equal(BusErrors.BadRequest, (await rig.CallAsync(BusMethods.StorageInventory, new StorageInventoryParams(1001), FleetJsonContext.Default.StorageInventoryParams)).Header.Error);
    }

    [Fact]
    public async Task A_wrong_root_or_size_writes_nothing_and_says_why()
    {
        await using DispatcherRig rig = new(new ManualClock(DateTimeOffset.UtcNow));
        byte[] sector = DispatcherRig.RandomSector();
        Hash256 wrong = Sha256.Hash("not the root"u8);
        (BusResponseHeader mismatch, _) = await rig.CallAsync(BusMethods.StoragePut, new StoragePutParams(wrong), FleetJsonContext.Default.StoragePutParams, sector);
        Assert.Equal(BusErrors.RootMismatch, mismatch.Error);
        (BusResponseHeader small, _) = await rig.CallAsync(BusMethods.StoragePut, new StoragePutParams(wrong), FleetJsonContext.Default.StoragePutParams, sector[..1000]);
        Assert.Equal(BusErrors.BadRequest, small.Error);
        Assert.Contains("4194304", small.Message, StringComparison.Ordinal);
        Assert.Equal(0, rig.Store.Usage.Sectors);
    }

    [Fact]
    public async Task A_request_signed_by_another_key_or_without_correlation_is_dropped_unanswered()
    {
        await using DispatcherRig rig = new(new ManualClock(DateTimeOffset.UtcNow));
        byte[] sector = DispatcherRig.RandomSector();
        Hash256 root = SectorTree.ComputeRoot(sector);
        using Ed25519KeyPair stranger = Ed25519KeyPair.Generate();
        BusRequest forged = rig.Request(BusMethods.StoragePut, new StoragePutParams(root), FleetJsonContext.Default.StoragePutParams, sector, out _, signer: stranger);
        Assert.Null(await rig.Handle(forged));
        Assert.Null(await rig.Handle(forged with { CorrelationId = null }));
        Assert.Null(await rig.Handle(forged with { Payload = new byte[10] }));
        BusRequest genuine = rig.Request(BusMethods.StoragePut, new StoragePutParams(root), FleetJsonContext.Default.StoragePutParams, sector, out _);
        Assert.Null(await rig.Handle(genuine with { CorrelationId = BusEnvelope.NewCorrelationId() })); // replay under another id
        Assert.Equal(0, rig.Store.Usage.Sectors);
        Assert.Equal(4, rig.Dispatcher.Counters.Dropped);
    }

    [Fact]
    public async Task A_request_past_its_deadline_gets_DeadlineExceeded_and_does_no_work()
    {
        ManualClock clock = new(DateTimeOffset.UtcNow);
        await using DispatcherRig rig = new(clock);
        byte[] sector = DispatcherRig.RandomSector();
        Hash256 root = SectorTree.ComputeRoot(sector);
        long deadline = rig.Deadline(5);
        clock.Advance(TimeSpan.FromSeconds(6));
        (BusResponseHeader late, _) = await rig.CallAsync(BusMethods.StoragePut, new StoragePutParams(root), FleetJsonContext.Default.StoragePutParams, sector, deadline);
        Assert.Equal(BusErrors.DeadlineExceeded, late.Error);
        Assert.Equal(0, rig.Store.Usage.Sectors);
    }

    [Fact]
    public async Task A_redelivered_put_gets_the_cached_reply_and_a_large_get_reply_is_recomputed()
    {
        await using DispatcherRig rig = new(new ManualClock(DateTimeOffset.UtcNow));
        byte[] sector = DispatcherRig.RandomSector();
        Hash256 root = SectorTree.ComputeRoot(sector);
        BusRequest put = rig.Request(BusMethods.StoragePut, new StoragePutParams(root), FleetJsonContext.Default.StoragePutParams, sector, out byte[] putId);
        byte[]? first = await rig.Handle(put);
        byte[]? again = await rig.Handle(put);
        Assert.Equal(first, again);
        Assert.True(rig.Open(again, putId).Header.Ok);
        Assert.Equal(1, rig.Dispatcher.Counters.Puts);
        Assert.Equal(1, rig.Dispatcher.Counters.CacheHits);

        BusRequest get = rig.Request(BusMethods.StorageGet, new StorageGetParams(root), FleetJsonContext.Default.StorageGetParams, [], out byte[] getId);
        Assert.True(rig.Open(await rig.Handle(get), getId).Header.Ok);
        Assert.True(rig.Open(await rig.Handle(get), getId).Header.Ok);
        Assert.Equal(2, rig.Dispatcher.Counters.Gets); // 4 MiB is over the 64 KiB cache limit: computed twice
        Assert.Equal(1, rig.Dispatcher.Counters.CacheHits);
    }

    [Fact]
    public async Task Thermal_power_reconcile_and_shutdown_rules_answer_Busy()
    {
        await using DispatcherRig rig = new(new ManualClock(DateTimeOffset.UtcNow));
        byte[] sector = DispatcherRig.RandomSector();
        Hash256 root = SectorTree.ComputeRoot(sector);
        Assert.True((await rig.CallAsync(BusMethods.StoragePut, new StoragePutParams(root), FleetJsonContext.Default.StoragePutParams, sector)).Header.Ok);
        ChallengeItem[] items = [new(root, 3)];

        async Task<string?> PutError() => (await rig.CallAsync(BusMethods.StoragePut, new StoragePutParams(root), FleetJsonContext.Default.StoragePutParams, sector)).Header.Error;
        async Task<string?> ProveError() => (await rig.CallAsync(BusMethods.StorageProve, new StorageProveParams(items), FleetJsonContext.Default.StorageProveParams)).Header.Error;

        rig.Status.SetThermal(ThermalState.Hot, 81);
        Assert.Null(await PutError()); // hot: storage continues
        rig.Status.SetThermal(ThermalState.Critical, 86);
        Assert.Equal(BusErrors.Busy, await PutError());
        Assert.Null(await ProveError()); // critical: proofs and gets still run
        rig.Status.SetThermal(ThermalState.Normal, 50);
        rig.Status.SetUnderVoltage(true);
        Assert.Equal(BusErrors.Busy, await PutError());
        Assert.Null(await ProveError());
        rig.Status.SetUnderVoltage(false);
        Assert.Null(await PutError());
        rig.Status.SetStoreReady(false);
        Assert.Equal(BusErrors.Busy, await ProveError());
        rig.Status.SetStoreReady(true);
        rig.Status.BeginDraining();
        Assert.Equal(BusErrors.Busy, await ProveError());
        Assert.True(rig.Dispatcher.Counters.Busy >= 4);
    }

    [Fact]
    public async Task Malformed_headers_unknown_methods_and_bad_items_get_clear_errors()
    {
        await using DispatcherRig rig = new(new ManualClock(DateTimeOffset.UtcNow));
        byte[] correlation = BusEnvelope.NewCorrelationId();
        byte[] envelope = BusEnvelope.Seal(correlation, "{ not json"u8, [], rig.GatewayKey);
        (BusResponseHeader garbled, _) = rig.Open(await rig.Handle(new BusRequest(envelope, correlation, null)), correlation);
        Assert.Equal(BusErrors.BadRequest, garbled.Error);

        correlation = BusEnvelope.NewCorrelationId();
        envelope = BusEnvelope.Seal(correlation, BusRequestHeader.Encode("models.dance", rig.Deadline()), [], rig.GatewayKey);
        (BusResponseHeader unknown, _) = rig.Open(await rig.Handle(new BusRequest(envelope, correlation, null)), correlation);
        Assert.Equal(BusErrors.UnknownMethod, unknown.Error);

        correlation = BusEnvelope.NewCorrelationId();
        envelope = BusEnvelope.Seal(correlation, BusRequestHeader.Encode(BusMethods.StorageGet, rig.Deadline()), [], rig.GatewayKey);
        (BusResponseHeader noParams, _) = rig.Open(await rig.Handle(new BusRequest(envelope, correlation, null)), correlation);
        Assert.Equal(BusErrors.BadRequest, noParams.Error);

        (BusResponseHeader badLeaf, _) = await rig.CallAsync(BusMethods.StorageProve, new StorageProveParams([new ChallengeItem(Sha256.Hash([1]), 1024)]), FleetJsonContext.Default.StorageProveParams);
        Assert.Equal(BusErrors.BadRequest, badLeaf.Error);
        (BusResponseHeader none, _) = await rig.CallAsync(BusMethods.StorageProve, new StorageProveParams([]), FleetJsonContext.Default.StorageProveParams);
        Assert.Equal(BusErrors.BadRequest, none.Error);
    }

    [Fact]
    public async Task Commands_are_applied_only_when_signed_by_the_gateway_and_in_time()
    {
        ManualClock clock = new(DateTimeOffset.UtcNow);
        await using DispatcherRig rig = new(clock);
        Assert.Null(await rig.Handle(rig.Command(BusMethods.Identify, BusRequestHeader.Encode(BusMethods.Identify, rig.Deadline()))));
        Assert.Equal(["identify"], rig.Commands.Received);

        using Ed25519KeyPair stranger = Ed25519KeyPair.Generate();
        await rig.Handle(rig.Command(BusMethods.Restart, BusRequestHeader.Encode(BusMethods.Restart, rig.Deadline()), stranger));
        await rig.Handle(rig.Command(BusMethods.Restart, BusRequestHeader.Encode(BusMethods.Restart, rig.Deadline(-1))));
        await rig.Handle(rig.Command(BusMethods.Restart, BusRequestHeader.Encode(BusMethods.Identify, rig.Deadline())));
        await rig.Handle(rig.Command(BusMethods.ConfigSet, BusRequestHeader.Encode(BusMethods.ConfigSet, rig.Deadline(), new ConfigSetParams(TelemetryPeriodS: 1), FleetJsonContext.Default.ConfigSetParams)));
        await rig.Handle(rig.Command(BusMethods.Reboot, BusRequestHeader.Encode(BusMethods.Reboot, rig.Deadline())));
        Assert.Equal(["identify"], rig.Commands.Received);

        await rig.Handle(rig.Command(BusMethods.ConfigSet, BusRequestHeader.Encode(BusMethods.ConfigSet, rig.Deadline(), new ConfigSetParams(TelemetryPeriodS: 120), FleetJsonContext.Default.ConfigSetParams)));
        Assert.Equal(["identify", "config.set"], rig.Commands.Received);
        Assert.Equal(120, rig.Commands.TelemetryPeriodS);

        // A discovery prefix cannot change while the device runs: it is refused (logged), the period in the same command applies.
        await rig.Handle(rig.Command(BusMethods.ConfigSet, BusRequestHeader.Encode(BusMethods.ConfigSet, rig.Deadline(), new ConfigSetParams(HaDiscoveryPrefix: "ha2"), FleetJsonContext.Default.ConfigSetParams)));
        Assert.Equal(["identify", "config.set"], rig.Commands.Received);
        await rig.Handle(rig.Command(BusMethods.ConfigSet, BusRequestHeader.Encode(BusMethods.ConfigSet, rig.Deadline(), new ConfigSetParams(60, "ha2"), FleetJsonContext.Default.ConfigSetParams)));
        Assert.Equal(["identify", "config.set", "config.set"], rig.Commands.Received);
        Assert.Equal(60, rig.Commands.TelemetryPeriodS);
    }
}
