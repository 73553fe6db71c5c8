// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Storage.Tests.Sectors;

/// <summary>
/// A put is acknowledged once its file and tree record are durable; its index entry commits afterwards in a batch.
/// These tests hold the two halves of that promise: nobody sees the lag, and a crash in it loses nothing.
/// </summary>
public sealed class BatchedIndexCommitTests : IDisposable
{
    private static readonly byte[] s_a = TestSectors.Create(40);
    private static readonly byte[] s_b = TestSectors.Create(41);
    private static readonly Hash256 s_rootA = SectorTree.ComputeRoot(s_a);
    private static readonly Hash256 s_rootB = SectorTree.ComputeRoot(s_b);

    private readonly TempDirectory _dir = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _dir.Dispose();

    private FileSectorStore Open() => FileSectorStore.Open(new SectorStoreOptions { Directory = _dir.Path, ReserveFraction = 0 }, _clock);

    private string FileOf(Hash256 root)
    {
        string hex = root.ToString("x", null);
        return _dir.Combine("sectors", hex[..2], hex);
    }

    [Fact]
    public void Every_read_of_the_index_sees_a_put_at_once_and_leaves_nothing_pending()
    {
        using FileSectorStore store = Open();
        Assert.Equal(PutStatus.Stored, store.Put(s_rootA, s_a, 30));
        Assert.Equal(PutStatus.Stored, store.Put(s_rootB, s_b, 5));

        Assert.True(store.Contains(s_rootB));
        Assert.True(store.TryGetInfo(s_rootA, out SectorInfo info));
        Assert.Equal(30UL, info.ExpiresAtBlock);
        Assert.Equal(_clock.UtcNow, info.StoredAt);
        Assert.Equal(0, store.PendingIndexEntries);
        Assert.Equal(new[] { s_rootA, s_rootB }.Order(), store.List(null, 10).Select(i => i.Root));
        Assert.Equal([s_rootB], store.CollectExpired(10));
        Assert.Equal(PutStatus.AlreadyStored, store.Put(s_rootA, s_a, 99));
        Assert.True(store.TryGetInfo(s_rootA, out info));
        Assert.Equal(99UL, info.ExpiresAtBlock);
        Assert.True(store.Delete(s_rootA));
        Assert.False(store.Contains(s_rootA));
        Assert.Equal(0, store.Usage.Sectors);
    }

    [Fact]
    public void Entries_wait_for_the_commit_delay_on_the_clock_then_commit_in_one_batch_without_any_read()
    {
        using FileSectorStore store = Open();
        store.Put(s_rootA, s_a, 1);
        store.Put(s_rootB, s_b, 2);

        // Nothing has read the index and the clock has not moved: both entries wait, acknowledged.
        Assert.Equal(2, store.PendingIndexEntries);
        Assert.True(store.Contains(s_rootA));
        Assert.Equal(2, store.PendingIndexEntries);

        _clock.Advance(FileSectorStore.IndexCommitDelay);
        Assert.True(SpinWait.SpinUntil(() => store.PendingIndexEntries == 0, TimeSpan.FromSeconds(30)), "the background commit never ran");
        Assert.True(store.TryGetInfo(s_rootB, out SectorInfo info));
        Assert.Equal(2UL, info.ExpiresAtBlock);
    }

    [Fact]
    public void Dispose_commits_the_pending_entries_so_a_clean_reopen_adopts_nothing()
    {
        using (FileSectorStore store = Open())
        {
            store.Put(s_rootA, s_a, 7);
            store.Put(s_rootB, s_b, 8);
        }

        using (LiteDB.LiteDatabase index = new(new LiteDB.ConnectionString { Filename = _dir.Combine("index.db"), Connection = LiteDB.ConnectionType.Direct }))
        {
            Assert.Equal(2, index.GetCollection("sectors").Count());
        }

        using FileSectorStore reopened = Open();
        Assert.True(reopened.LastReconcile.WasClean, reopened.LastReconcile.ToString());
        Assert.True(reopened.TryGetInfo(s_rootB, out SectorInfo info));
        Assert.Equal(8UL, info.ExpiresAtBlock);
    }

    [Fact]
    public void A_put_acknowledged_but_killed_before_its_index_commit_is_adopted_with_the_expiry_its_record_remembers()
    {
        using (FileSectorStore store = Open())
        {
            store.Put(s_rootA, s_a, 9);
        }

        // The disk after a kill between the acknowledgement and the batched commit: B's file renamed into place and its
        // record (with metadata) fsynced at a slot no entry names. An older record of B, from a put that was later
        // deleted, still sits at another free slot: the newer one wins.
        _clock.Advance(TimeSpan.FromMinutes(5));
        DateTimeOffset storedAt = _clock.UtcNow;
        byte[] upper = new byte[StorageConstants.UpperTreeSize];
        SectorTree.ComputeUpperTree(s_b, upper);
        using (SectorTreeFile trees = SectorTreeFile.Open(_dir.Combine("trees.dat")))
        {
            trees.Write(1, upper, new RecordMeta(5, storedAt.AddMinutes(-3).ToUnixTimeMilliseconds()));
            trees.Write(2, upper, new RecordMeta(77, storedAt.ToUnixTimeMilliseconds()));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(FileOf(s_rootB))!);
        File.WriteAllBytes(FileOf(s_rootB), s_b);
        _clock.Advance(TimeSpan.FromMinutes(10));

        using FileSectorStore reopened = Open();
        Assert.Equal([s_rootB], reopened.LastReconcile.Adopted);
        Assert.Empty(reopened.LastReconcile.Lost);
        Assert.True(reopened.TryGetInfo(s_rootB, out SectorInfo info));
        Assert.Equal(77UL, info.ExpiresAtBlock);
        Assert.Equal(storedAt.ToUnixTimeMilliseconds(), info.StoredAt.ToUnixTimeMilliseconds());
        AssertProves(reopened, s_rootA, s_rootB);
        Assert.Equal([s_rootA], reopened.CollectExpired(50));
        Assert.Equal([s_rootB], reopened.CollectExpired(78));
        Assert.Equal(0, reopened.Usage.Sectors);
    }

    [Fact]
    public void A_file_renamed_into_place_but_never_acknowledged_has_no_record_and_never_expires_until_put_again()
    {
        using (FileSectorStore store = Open())
        {
            store.Put(s_rootA, s_a, 9);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(FileOf(s_rootB))!);
        File.WriteAllBytes(FileOf(s_rootB), s_b);

        using FileSectorStore reopened = Open();
        Assert.Equal([s_rootB], reopened.LastReconcile.Adopted);
        Assert.True(reopened.TryGetInfo(s_rootB, out SectorInfo info));
        Assert.True(info.ExpiresAtBlock >= long.MaxValue, $"{info.ExpiresAtBlock}"); // the index clamps to int64
        Assert.Equal(PutStatus.AlreadyStored, reopened.Put(s_rootB, s_b, 12));
        Assert.Equal([s_rootA], reopened.CollectExpired(10));
        Assert.True(reopened.Contains(s_rootB));
    }

    [Fact]
    public async Task Concurrent_puts_and_index_readers_agree_on_every_sector()
    {
        byte[][] sectors = [.. Enumerable.Range(0, 12).Select(i => TestSectors.Create(100 + i))];
        Hash256[] roots = [.. sectors.Select(s => SectorTree.ComputeRoot(s))];
        using FileSectorStore store = Open();
        using CancellationTokenSource done = new();
        Task reader = Task.Run(
            () =>
            {
                int reads = 0;
                while (!done.IsCancellationRequested || reads == 0)
                {
                    // Whatever a reader sees was acknowledged: never an entry without its file.
                    foreach (SectorInfo info in store.List(null, 100))
                    {
                        Assert.True(File.Exists(FileOf(info.Root)));
                    }

                    reads++;
                }
            },
            TestContext.Current.CancellationToken);

        await Parallel.ForAsync(0, sectors.Length, new ParallelOptions { MaxDegreeOfParallelism = 3, CancellationToken = TestContext.Current.CancellationToken }, (i, _) =>
        {
            Assert.Equal(PutStatus.Stored, store.Put(roots[i], sectors[i], (ulong)i));
            Assert.True(store.TryGetInfo(roots[i], out SectorInfo info));
            Assert.Equal((ulong)i, info.ExpiresAtBlock);
            return ValueTask.CompletedTask;
        });
        await done.CancelAsync();
        await reader;

        Assert.Equal(roots.Order(), store.List(null, 100).Select(i => i.Root));
        Assert.Equal(sectors.Length, store.Usage.Sectors);
        AssertProves(store, roots);
    }

    private static void AssertProves(FileSectorStore store, params Hash256[] roots) => FileSectorStoreTests.AssertProves(store, roots);
}
