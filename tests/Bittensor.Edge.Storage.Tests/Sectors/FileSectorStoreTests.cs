// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Storage.Tests.Sectors;

/// <summary>Layout, crash recovery and disk behaviour of <see cref="FileSectorStore"/> (storage-proofs.md §8).</summary>
public sealed class FileSectorStoreTests : IDisposable
{
    private static readonly byte[] s_a = TestSectors.Create(30);
    private static readonly byte[] s_b = TestSectors.Create(31);
    private static readonly Hash256 s_rootA = SectorTree.ComputeRoot(s_a);
    private static readonly Hash256 s_rootB = SectorTree.ComputeRoot(s_b);

    private readonly TempDirectory _dir = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _dir.Dispose();

    private FileSectorStore Open(double reserve = 0) =>
        FileSectorStore.Open(new SectorStoreOptions { Directory = _dir.Path, ReserveFraction = reserve }, _clock);

    private string FileOf(Hash256 root)
    {
        string hex = root.ToString("x", null);
        return _dir.Combine("sectors", hex[..2], hex);
    }

    [Fact]
    public void Sector_lands_at_sectors_first_two_hex_slash_root_hex_and_tmp_stays_empty()
    {
        using (FileSectorStore store = Open())
        {
            Assert.Equal(PutStatus.Stored, store.Put(s_rootA, s_a, 9));
            Assert.True(store.LastReconcile.WasClean);
        }

        Assert.Equal(s_a, File.ReadAllBytes(FileOf(s_rootA)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Combine("tmp")));
        Assert.True(File.Exists(_dir.Combine("index.db")));
    }

    [Fact]
    public void Reopened_store_keeps_its_sectors_and_index()
    {
        using (FileSectorStore store = Open())
        {
            store.Put(s_rootA, s_a, 9);
            store.Put(s_rootB, s_b, 10);
        }

        using FileSectorStore reopened = Open();
        Assert.True(reopened.LastReconcile.WasClean);
        Assert.Equal(2, reopened.Usage.Sectors);
        Assert.True(reopened.TryGetInfo(s_rootB, out SectorInfo info));
        Assert.Equal(10UL, info.ExpiresAtBlock);
    }

    [Fact]
    public void Reconcile_reports_a_deleted_or_truncated_file_as_lost_and_drops_its_entry()
    {
        using (FileSectorStore store = Open())
        {
            store.Put(s_rootA, s_a, 9);
            store.Put(s_rootB, s_b, 9);
        }

        File.Delete(FileOf(s_rootA));
        using (FileStream truncate = new(FileOf(s_rootB), FileMode.Open))
        {
            truncate.SetLength(4096);
        }

        using FileSectorStore reopened = Open();
        Assert.Equal(new[] { s_rootA, s_rootB }.Order(), reopened.LastReconcile.Lost);
        Assert.False(reopened.Contains(s_rootA));
        Assert.False(reopened.Contains(s_rootB));
        Assert.False(File.Exists(FileOf(s_rootB)));
        Assert.Equal(0, reopened.Usage.Sectors);
    }

    [Fact]
    public void Reconcile_adopts_a_valid_unindexed_file_and_removes_orphans_and_part_files()
    {
        using (FileSectorStore store = Open())
        {
            store.Put(s_rootA, s_a, 9);
        }

        // Durable but never indexed (killed between rename and commit), a file under a wrong name, junk, a leftover part.
        string hexB = s_rootB.ToString("x", null);
        Directory.CreateDirectory(_dir.Combine("sectors", hexB[..2]));
        File.WriteAllBytes(FileOf(s_rootB), s_b);
        Hash256 wrong = Sha256.Hash([1, 2, 3]);
        string wrongHex = wrong.ToString("x", null);
        Directory.CreateDirectory(_dir.Combine("sectors", wrongHex[..2]));
        File.WriteAllBytes(FileOf(wrong), s_a);
        File.WriteAllText(_dir.Combine("sectors", hexB[..2], "notes.txt"), "junk");
        File.WriteAllBytes(_dir.Combine("tmp", $"{hexB}.0badc0de.part"), s_b.AsSpan(0, 1000).ToArray());

        using FileSectorStore reopened = Open();
        ReconcileReport report = reopened.LastReconcile;
        Assert.Equal(1, report.TempFilesRemoved);
        Assert.Equal([s_rootB], report.Adopted);
        Assert.Equal(2, report.OrphansRemoved);
        Assert.Empty(report.Lost);
        Assert.False(File.Exists(FileOf(wrong)));
        Assert.Equal(2, reopened.Usage.Sectors);
        SectorLeaf[] items = [new(s_rootB, 3), new(s_rootA, 1000)];
        using SectorProver prover = new(reopened);
        Assert.Equal(ProveStatus.Proved, prover.Prove(items, out SectorLeafProof?[] proofs));
        Assert.True(ProofVerifier.VerifyChallenge(items, proofs).IsValid);
    }

    [Fact]
    public void Damaged_index_is_moved_aside_and_rebuilt_from_the_files()
    {
        using (FileSectorStore store = Open())
        {
            store.Put(s_rootA, s_a, 9);
            store.Put(s_rootB, s_b, 9);
        }

        byte[] garbage = new byte[64 * 1024];
        new Random(5).NextBytes(garbage);
        File.WriteAllBytes(_dir.Combine("index.db"), garbage);

        using FileSectorStore reopened = Open();
        Assert.True(reopened.LastReconcile.IndexRebuilt);
        Assert.Equal(new[] { s_rootA, s_rootB }.Order(), reopened.LastReconcile.Adopted);
        Assert.Single(Directory.EnumerateFiles(_dir.Path, "index.db.broken-*"));
        Assert.Equal(2, reopened.Usage.Sectors);
    }

    [Fact]
    public void One_flipped_bit_in_a_stored_leaf_is_caught_by_the_prover_the_verifier_and_the_scrub()
    {
        using FileSectorStore store = Open();
        store.Put(s_rootA, s_a, 9);
        using (FileStream file = new(FileOf(s_rootA), FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = (4096 * 37) + 11;
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x04));
        }

        // The honest prover notices and refuses to send a forged proof.
        using SectorProver prover = new(store);
        byte[] data = new byte[4096];
        byte[] path = new byte[320];
        Assert.Equal(ProveStatus.Corrupt, prover.ProveLeaf(new SectorLeaf(s_rootA, 37), data, path));

        // A miner that proves from the rotted bytes anyway is caught by the verifier.
        byte[] rotted = File.ReadAllBytes(FileOf(s_rootA));
        (byte[] d, byte[] p) = TestSectors.ReferenceProof(rotted, 37);
        Assert.Equal(ProofStatus.RootMismatch, ProofVerifier.VerifyItem(new SectorLeaf(s_rootA, 37), new SectorLeafProof(s_rootA, 37, d, p)));

        // The scrub finds it, deletes it, and says so.
        Assert.Equal(ScrubOutcome.Rotted, store.ScrubNext(out Hash256 scrubbed));
        Assert.Equal(s_rootA, scrubbed);
        Assert.False(store.Contains(s_rootA));
        Assert.False(File.Exists(FileOf(s_rootA)));
    }

    [Fact]
    public void Scrub_visits_the_least_recently_scrubbed_sector_first()
    {
        using FileSectorStore store = Open();
        store.Put(s_rootA, s_a, 9);
        _clock.Advance(TimeSpan.FromSeconds(1));
        store.Put(s_rootB, s_b, 9);

        Assert.Equal(ScrubOutcome.Intact, store.ScrubNext(out Hash256 first));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ScrubOutcome.Intact, store.ScrubNext(out Hash256 second));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ScrubOutcome.Intact, store.ScrubNext(out Hash256 third));
        Assert.Equal(s_rootA, first);
        Assert.Equal(s_rootB, second);
        Assert.Equal(s_rootA, third);
        Assert.True(store.TryGetInfo(s_rootA, out SectorInfo info));
        Assert.Equal(_clock.UtcNow, info.LastScrub);
    }

    [Fact]
    public void Full_disk_refuses_the_put_writes_nothing_and_keeps_what_was_stored()
    {
        using FileSectorStore store = Open(reserve: 0.10);
        store.FreeSpace = _ => (1L << 40, 1L << 40);
        Assert.Equal(PutStatus.Stored, store.Put(s_rootA, s_a, 9));

        // 10 % reserve of 1 TiB with 100 GiB free: below the reserve.
        store.FreeSpace = _ => (100L << 30, 1L << 40);
        Assert.Equal(PutStatus.DiskFull, store.Put(s_rootB, s_b, 9));
        Assert.False(store.Contains(s_rootB));
        Assert.False(File.Exists(FileOf(s_rootB)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Combine("tmp")));
        Assert.True(store.Contains(s_rootA));
        Assert.Equal(1, store.Usage.Sectors);
    }

    [Fact]
    public void Cold_proof_after_dropping_the_page_cache_still_verifies()
    {
        using FileSectorStore store = Open();
        store.Put(s_rootA, s_a, 9);
        Assert.Equal(OperatingSystem.IsLinux(), store.DropFromPageCache(s_rootA));
        Assert.False(store.DropFromPageCache(s_rootB));
        SectorLeaf[] items = [new(s_rootA, 512)];
        using SectorProver prover = new(store);
        Assert.Equal(ProveStatus.Proved, prover.Prove(items, out SectorLeafProof?[] proofs));
        Assert.True(ProofVerifier.VerifyChallenge(items, proofs).IsValid);
    }

    [Fact]
    public void Reconcile_of_10000_sectors_with_an_intact_index_takes_under_5_seconds()
    {
        // Sparse 4 MiB files: an intact index needs only their names and lengths, never their bytes, and each entry's
        // tree record only to end with its root.
        const int Count = 10_000;
        Random random = new(7);
        byte[] upper = new byte[StorageConstants.UpperTreeSize];
        List<(SectorInfo, int)> entries = new(Count);
        using SectorTreeFile trees = SectorTreeFile.Open(_dir.Combine("trees.dat"));
        for (int i = 0; i < Count; i++)
        {
            random.NextBytes(upper.AsSpan(0, StorageConstants.Level4Size));
            SectorTree.BuildUpperTreeCore(upper.AsSpan(0, StorageConstants.Level4Size), upper);
            Hash256 root = new(upper.AsSpan(SectorTreeFile.RootOffset));
            trees.Write(i, upper);
            string path = FileOf(root);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (FileStream file = new(path, FileMode.CreateNew))
            {
                file.SetLength(StorageConstants.SectorSize);
            }

            entries.Add((new SectorInfo(root, _clock.UtcNow, 100, null), i));
        }

        // Index the files directly (as a previous run would have), then time a normal open.
        using (SectorIndex index = SectorIndex.Open(_dir.Combine("index.db")))
        {
            index.InsertMany(entries);
        }

        using FileSectorStore store = Open();
        Assert.True(store.LastReconcile.WasClean, store.LastReconcile.ToString());
        Assert.Equal(Count, store.Usage.Sectors);
        Assert.True(store.LastReconcile.Elapsed < TimeSpan.FromSeconds(5), $"reconcile took {store.LastReconcile.Elapsed}");
    }

    [Fact]
    public void Tree_records_live_in_trees_dat_one_4_KiB_slot_per_sector_and_a_deleted_slot_is_reused()
    {
        using FileSectorStore store = Open();
        store.Put(s_rootA, s_a, 9);
        store.Put(s_rootB, s_b, 9);
        Assert.Equal(2 * SectorTreeFile.RecordSize, new FileInfo(_dir.Combine("trees.dat")).Length);

        byte[] upper = new byte[StorageConstants.UpperTreeSize];
        Assert.True(store.TryGetUpperTree(s_rootA, upper));
        Assert.Equal(s_rootA, SectorTree.RootFromLevel4(upper.AsSpan(0, StorageConstants.Level4Size)));
        Assert.Equal(TestSectors.ReferenceLevels(s_a)[5][3], upper.AsSpan(SectorTree.UpperNodeOffset(5, 3), 32).ToArray());

        Assert.True(store.Delete(s_rootA));
        Assert.False(store.TryGetUpperTree(s_rootA, upper));
        byte[] c = TestSectors.Create(32);
        Hash256 rootC = SectorTree.ComputeRoot(c);
        Assert.Equal(PutStatus.Stored, store.Put(rootC, c, 9));
        Assert.Equal(2 * SectorTreeFile.RecordSize, new FileInfo(_dir.Combine("trees.dat")).Length);
        Assert.True(store.TryGetUpperTree(rootC, upper));
        Assert.Equal(rootC, new Hash256(upper.AsSpan(SectorTreeFile.RootOffset)));
        Assert.True(store.TryGetUpperTree(s_rootB, upper));
        Assert.Equal(s_rootB, new Hash256(upper.AsSpan(SectorTreeFile.RootOffset)));
    }

    [Fact]
    public void A_record_written_but_never_committed_leaves_a_free_slot_that_reopen_cuts_off()
    {
        // The crash window of a put between step 4's record fsync and its index commit.
        using (FileSectorStore store = Open())
        {
            store.Put(s_rootA, s_a, 9);
        }

        byte[] upper = new byte[StorageConstants.UpperTreeSize];
        SectorTree.ComputeUpperTree(s_b, upper);
        using (SectorTreeFile trees = SectorTreeFile.Open(_dir.Combine("trees.dat")))
        {
            trees.Write(1, upper);
        }

        using FileSectorStore reopened = Open();
        Assert.True(reopened.LastReconcile.WasClean, reopened.LastReconcile.ToString());
        Assert.Equal(SectorTreeFile.RecordSize, new FileInfo(_dir.Combine("trees.dat")).Length);
        Assert.Equal(PutStatus.Stored, reopened.Put(s_rootB, s_b, 9));
        AssertProves(reopened, s_rootA, s_rootB);
    }

    [Fact]
    public void Reconcile_rebuilds_a_tree_record_that_names_another_root_or_is_missing()
    {
        // A delete commits, the freed slot is reused, and the machine dies before the delete reached the disk: the
        // resurrected entry's slot holds another sector's record. A lost trees.dat looks the same for every entry.
        using (FileSectorStore store = Open())
        {
            store.Put(s_rootA, s_a, 9);
            store.Put(s_rootB, s_b, 9);
        }

        byte[] upperB = new byte[StorageConstants.UpperTreeSize];
        SectorTree.ComputeUpperTree(s_b, upperB);
        using (SectorTreeFile trees = SectorTreeFile.Open(_dir.Combine("trees.dat")))
        {
            trees.Write(0, upperB);
        }

        using (FileSectorStore reopened = Open())
        {
            Assert.Equal(1, reopened.LastReconcile.TreesRebuilt);
            Assert.Empty(reopened.LastReconcile.Lost);
            AssertProves(reopened, s_rootA, s_rootB);
        }

        File.Delete(_dir.Combine("trees.dat"));
        using (FileSectorStore reopened = Open())
        {
            Assert.Equal(2, reopened.LastReconcile.TreesRebuilt);
            Assert.Equal(2, reopened.Usage.Sectors);
            AssertProves(reopened, s_rootA, s_rootB);
        }

        using (FileSectorStore clean = Open())
        {
            Assert.True(clean.LastReconcile.WasClean, clean.LastReconcile.ToString());
        }
    }

    [Fact]
    public void A_rotted_upper_node_in_trees_dat_is_caught_by_the_prover_and_repaired_by_the_scrub()
    {
        using FileSectorStore store = Open();
        store.Put(s_rootA, s_a, 9);

        // Flip a bit of the level-7 node on leaf 0's path (its sibling at level 7 is node 1).
        using (FileStream file = new(_dir.Combine("trees.dat"), FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = SectorTree.UpperNodeOffset(7, 1) + 5;
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x10));
        }

        using (SectorProver prover = new(store))
        {
            Assert.Equal(ProveStatus.Corrupt, prover.ProveLeaf(new SectorLeaf(s_rootA, 0), new byte[4096], new byte[320]));
        }

        // The sector data is fine, so the scrub keeps it and rewrites its record.
        Assert.Equal(ScrubOutcome.Intact, store.ScrubNext(out _));
        AssertProves(store, s_rootA);
    }

    [Fact]
    public void An_entry_without_a_slot_from_an_older_index_gets_its_record_rebuilt_from_the_file()
    {
        using (FileSectorStore store = Open())
        {
            store.Put(s_rootA, s_a, 9);
        }

        // The index format before trees.dat: no slot field, nodes in a level4 collection (dropped on open).
        using (LiteDB.LiteDatabase db = new(new LiteDB.ConnectionString { Filename = _dir.Combine("index.db"), Connection = LiteDB.ConnectionType.Direct }))
        {
            LiteDB.ILiteCollection<LiteDB.BsonDocument> sectors = db.GetCollection("sectors", LiteDB.BsonAutoId.ObjectId);
            LiteDB.BsonDocument doc = sectors.FindById(new LiteDB.BsonValue(s_rootA.ToArray()));
            doc.Remove("slot");
            sectors.Update(doc);
            db.GetCollection("level4", LiteDB.BsonAutoId.ObjectId).Insert(new LiteDB.BsonDocument { ["_id"] = new LiteDB.BsonValue(s_rootA.ToArray()), ["nodes"] = new LiteDB.BsonValue(new byte[2048]) });
        }

        File.Delete(_dir.Combine("trees.dat"));
        using (FileSectorStore reopened = Open())
        {
            Assert.Equal(1, reopened.LastReconcile.TreesRebuilt);
            AssertProves(reopened, s_rootA);
        }

        using LiteDB.LiteDatabase check = new(new LiteDB.ConnectionString { Filename = _dir.Combine("index.db"), Connection = LiteDB.ConnectionType.Direct });
        Assert.False(check.CollectionExists("level4"));
    }

    internal static void AssertProves(FileSectorStore store, params Hash256[] roots)
    {
        SectorLeaf[] items = [.. roots.SelectMany(root => new[] { new SectorLeaf(root, 0), new SectorLeaf(root, 1023), new SectorLeaf(root, 517) })];
        using SectorProver prover = new(store);
        Assert.Equal(ProveStatus.Proved, prover.Prove(items, out SectorLeafProof?[] proofs));
        Assert.True(ProofVerifier.VerifyChallenge(items, proofs).IsValid);
    }
}
