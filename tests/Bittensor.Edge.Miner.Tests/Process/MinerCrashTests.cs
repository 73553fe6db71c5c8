// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using System.Security.Cryptography;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Miner.Tests.Infrastructure;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;

namespace Bittensor.Edge.Miner.Tests.Process;

public sealed class MinerCrashTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Killed_with_sigkill_during_storage_writes_the_restarted_miner_holds_every_acknowledged_sector_and_stops_cleanly_on_sigterm()
    {
        using TempDir dir = new();
        Directory.CreateDirectory(dir.Path("state"));
        await using TestFleet fleet = await TestFleet.StartAsync();
        await File.WriteAllTextAsync(dir.Path("state", "firstboot.json"), fleet.FirstBootJson(fleet.CreateToken()), TestContext.Current.CancellationToken);
        File.SetUnixFileMode(dir.Path("state", "firstboot.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        ConcurrentBag<Hash256> acknowledged = [];
        string deviceId;
        ulong firstBdSeq;
        await using (MinerProcess first = await MinerProcess.StartAsync(dir.Root, dir.Path("notify-1.sock")))
        {
            deviceId = await fleet.FirstEnrollment.Task.WaitAsync(s_timeout, TestContext.Current.CancellationToken);
            byte[] birth = await fleet.WaitRetainedAsync(fleet.Topics.Status(deviceId), p => IsOnline(p, 0), s_timeout);
            StatusMessage.TryDecode(birth, out StatusMessage? firstBirth);
            firstBdSeq = firstBirth!.BdSeq;

            // Four writers put sectors; after a few acknowledgements the process is killed with writes in flight.
            using CancellationTokenSource stopWriters = new();
            TaskCompletionSource enoughAcked = new(TaskCreationOptions.RunContinuationsAsynchronously);
            async Task WriterAsync()
            {
                while (!stopWriters.IsCancellationRequested)
                {
                    byte[] sector = RandomNumberGenerator.GetBytes(StorageConstants.SectorSize);
                    Hash256 root = SectorTree.ComputeRoot(sector);
                    try
                    {
                        (BusResponseHeader put, _) = await fleet.CallAsync(deviceId, BusRequestHeader.Encode(BusMethods.StoragePut, Deadline(), new StoragePutParams(root), FleetJsonContext.Default.StoragePutParams), sector, TimeSpan.FromSeconds(10));
                        if (put.Ok)
                        {
                            acknowledged.Add(root);
                            if (acknowledged.Count >= 6)
                            {
                                enoughAcked.TrySetResult();
                            }
                        }
                    }
                    catch (TimeoutException)
                    {
                        return; // the device died with this put in flight: never acknowledged, may or may not be adopted
                    }
                }
            }

            Task[] writers = [WriterAsync(), WriterAsync(), WriterAsync(), WriterAsync()];
            await enoughAcked.Task.WaitAsync(s_timeout, TestContext.Current.CancellationToken);
            await first.KillAsync();
            await stopWriters.CancelAsync();
            await Task.WhenAll(writers).WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        }

        Hash256[] acked = [.. acknowledged];
        Assert.True(acked.Length >= 6);

        // The temp files the kill orphaned. Requests the broker still holds for the device's persistent session are
        // redelivered after the restart, so new puts may have .part files of their own in flight later: only these must go.
        string[] orphaned = Directory.GetFiles(dir.Path("data", "store", "tmp"), "*.part");
        await using MinerProcess second = await MinerProcess.StartAsync(dir.Root, dir.Path("notify-2.sock"));
        await fleet.WaitRetainedAsync(fleet.Topics.Status(deviceId), p => IsOnline(p, firstBdSeq + 1), s_timeout);

        // The device is online before its store has reconciled (storage requests answer Busy until then); the orphaned
        // temp files are gone once it answers.
        BusResponseHeader inventory;
        int attempts = 0;
        do
        {
            (inventory, _) = await fleet.CallAsync(deviceId, BusRequestHeader.Encode(BusMethods.StorageInventory, Deadline(), new StorageInventoryParams(1000), FleetJsonContext.Default.StorageInventoryParams), ReadOnlyMemory<byte>.Empty, s_timeout);
        }
        while (!inventory.Ok && inventory.Error == BusErrors.Busy && ++attempts < 10_000);

        Assert.True(inventory.Ok, inventory.Message);
        Assert.DoesNotContain(orphaned, File.Exists);
        HashSet<Hash256> held = [.. inventory.ReadResult(FleetJsonContext.Default.StorageInventoryResult).Roots.Select(r => r.Value)];
        Assert.Superset(new HashSet<Hash256>(acked), held);
        foreach (Hash256 root in acked)
        {
            ChallengeItem item = new(root, RandomNumberGenerator.GetInt32(StorageConstants.LeavesPerSector));
            (BusResponseHeader prove, byte[] leaf) = await fleet.CallAsync(deviceId, BusRequestHeader.Encode(BusMethods.StorageProve, Deadline(), new StorageProveParams([item]), FleetJsonContext.Default.StorageProveParams), ReadOnlyMemory<byte>.Empty, s_timeout);
            Assert.True(prove.Ok, prove.Message);
            Assert.Equal(ProofStatus.Valid, ProofVerifier.VerifyLeaf(root, item.Leaf, leaf, prove.ReadResult(FleetJsonContext.Default.StorageProveResult).Proofs[0].Path));
        }

        Assert.Equal(MinerConstants.ExitOk, await second.TerminateAsync(s_timeout));
        await second.Notify.WaitForAsync("STOPPING=1", s_timeout);
        await fleet.WaitRetainedAsync(fleet.Topics.Status(deviceId), p => StatusMessage.TryDecode(p, out StatusMessage? m) && m!.State == StatusMessage.Offline && m.Clean, s_timeout);
    }

    private static bool IsOnline(byte[] payload, ulong minBdSeq) => StatusMessage.TryDecode(payload, out StatusMessage? m) && m!.State == StatusMessage.Online && m.BdSeq >= minBdSeq;

    private static long Deadline() => DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeMilliseconds();
}
