// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Storage.Tests.Sectors;

/// <summary>The contract of <see cref="ISectorStore"/>, run over every implementation.</summary>
public sealed class SectorStoreTests : IDisposable
{
    private static readonly byte[] s_a = TestSectors.Create(20);
    private static readonly byte[] s_b = TestSectors.Create(21);
    private static readonly byte[] s_c = TestSectors.Create(22);
    private static readonly Hash256 s_rootA = SectorTree.ComputeRoot(s_a);
    private static readonly Hash256 s_rootB = SectorTree.ComputeRoot(s_b);
    private static readonly Hash256 s_rootC = SectorTree.ComputeRoot(s_c);

    private readonly TempDirectory _dir = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Kinds => StoreKinds.All;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Put_then_read_returns_the_same_bytes(string kind)
    {
        using ISectorStore store = StoreKinds.Open(kind, _dir, _clock);
        Assert.Equal(PutStatus.Stored, store.Put(s_rootA, s_a, 500));

        byte[] back = new byte[StorageConstants.SectorSize];
        Assert.True(store.TryRead(s_rootA, 0, back));
        Assert.Equal(s_a, back);
        byte[] leaf = new byte[4096];
        Assert.True(store.TryRead(s_rootA, 4096 * 1023, leaf));
        Assert.Equal(s_a.AsSpan(4096 * 1023).ToArray(), leaf);
        Assert.True(store.Contains(s_rootA));
        Assert.True(store.TryGetInfo(s_rootA, out SectorInfo info));
        Assert.Equal(new SectorInfo(s_rootA, _clock.UtcNow, 500, null), info);
        Assert.Equal(1, store.Usage.Sectors);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Level4_cache_of_a_stored_sector_hashes_to_its_root(string kind)
    {
        using ISectorStore store = StoreKinds.Open(kind, _dir, _clock);
        store.Put(s_rootA, s_a, 500);
        byte[] level4 = new byte[StorageConstants.Level4Size];
        Assert.True(store.TryGetLevel4(s_rootA, level4));
        Assert.Equal(s_rootA, SectorTree.RootFromLevel4(level4));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Root_mismatch_is_refused_and_nothing_is_written(string kind)
    {
        using ISectorStore store = StoreKinds.Open(kind, _dir, _clock);
        Assert.Equal(PutStatus.RootMismatch, store.Put(s_rootB, s_a, 500));
        Assert.False(store.Contains(s_rootB));
        Assert.False(store.Contains(s_rootA));
        Assert.Equal(0, store.Usage.Sectors);
        // Only the (empty) store metadata a file store creates on open: the index and the tree-record file.
        Assert.DoesNotContain(Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories), f => !Path.GetFileName(f).StartsWith("index", StringComparison.Ordinal) && Path.GetFileName(f) != "trees.dat");
        Assert.All(Directory.EnumerateFiles(_dir.Path, "trees.dat"), f => Assert.Equal(0, new FileInfo(f).Length));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Sector_of_the_wrong_size_is_refused(string kind)
    {
        using ISectorStore store = StoreKinds.Open(kind, _dir, _clock);
        Assert.Equal(PutStatus.WrongSize, store.Put(s_rootA, s_a.AsSpan(1), 500));
        Assert.Equal(PutStatus.WrongSize, store.Put(s_rootA, [], 500));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Second_put_is_already_stored_and_raises_the_expiry(string kind)
    {
        using ISectorStore store = StoreKinds.Open(kind, _dir, _clock);
        store.Put(s_rootA, s_a, 500);
        Assert.Equal(PutStatus.AlreadyStored, store.Put(s_rootA, s_a, 900));
        Assert.Equal(PutStatus.AlreadyStored, store.Put(s_rootA, s_a, 100));
        Assert.True(store.TryGetInfo(s_rootA, out SectorInfo info));
        Assert.Equal(900UL, info.ExpiresAtBlock);
        Assert.Equal(1, store.Usage.Sectors);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Full_store_refuses_clearly_and_loses_nothing(string kind)
    {
        using ISectorStore store = StoreKinds.Open(kind, _dir, _clock, quotaBytes: (2L * StorageConstants.SectorSize) + 17);
        Assert.Equal(PutStatus.Stored, store.Put(s_rootA, s_a, 500));
        Assert.Equal(PutStatus.Stored, store.Put(s_rootB, s_b, 500));
        Assert.Equal(PutStatus.QuotaExceeded, store.Put(s_rootC, s_c, 500));
        Assert.Equal(new StoreUsage(2, 2), store.Usage);
        Assert.Equal(0, store.Usage.FreeBytes);
        Assert.False(store.Contains(s_rootC));
        AssertProves(store, s_rootA);
        AssertProves(store, s_rootB);

        Assert.True(store.Delete(s_rootA));
        Assert.Equal(PutStatus.Stored, store.Put(s_rootC, s_c, 500));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Delete_removes_the_sector_and_reports_unknown_roots(string kind)
    {
        using ISectorStore store = StoreKinds.Open(kind, _dir, _clock);
        store.Put(s_rootA, s_a, 500);
        Assert.True(store.Delete(s_rootA));
        Assert.False(store.Delete(s_rootA));
        Assert.False(store.Contains(s_rootA));
        Assert.False(store.TryRead(s_rootA, 0, new byte[16]));
        Assert.False(store.TryGetLevel4(s_rootA, new byte[StorageConstants.Level4Size]));
        Assert.Equal(0, store.Usage.Sectors);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void List_pages_through_the_roots_in_order(string kind)
    {
        using ISectorStore store = StoreKinds.Open(kind, _dir, _clock);
        store.Put(s_rootA, s_a, 1);
        store.Put(s_rootB, s_b, 2);
        store.Put(s_rootC, s_c, 3);
        Hash256[] sorted = [.. new[] { s_rootA, s_rootB, s_rootC }.Order()];

        IReadOnlyList<SectorInfo> first = store.List(null, 2);
        Assert.Equal(sorted[..2], first.Select(i => i.Root));
        IReadOnlyList<SectorInfo> rest = store.List(first[^1].Root, 2);
        Assert.Equal(sorted[2..], rest.Select(i => i.Root));
        Assert.Empty(store.List(sorted[2], 10));
        Assert.Empty(store.List(null, 0));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Expired_sectors_are_collected_after_their_block(string kind)
    {
        using ISectorStore store = StoreKinds.Open(kind, _dir, _clock);
        store.Put(s_rootA, s_a, 100);
        store.Put(s_rootB, s_b, 200);

        Assert.Empty(store.CollectExpired(100));
        Assert.Equal([s_rootA], store.CollectExpired(101));
        Assert.False(store.Contains(s_rootA));
        Assert.True(store.Contains(s_rootB));
        Assert.Equal([s_rootB], store.CollectExpired(ulong.MaxValue));
        Assert.Equal(0, store.Usage.Sectors);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Reads_outside_the_sector_are_argument_errors(string kind)
    {
        using ISectorStore store = StoreKinds.Open(kind, _dir, _clock);
        store.Put(s_rootA, s_a, 100);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.TryRead(s_rootA, -1, new byte[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.TryRead(s_rootA, StorageConstants.SectorSize - 1, new byte[2]));
        Assert.Throws<ArgumentException>(() => store.TryGetLevel4(s_rootA, new byte[10]));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Disposed_store_throws(string kind)
    {
        ISectorStore store = StoreKinds.Open(kind, _dir, _clock);
        store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => store.Contains(s_rootA));
        Assert.Throws<ObjectDisposedException>(() => store.Usage);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Concurrent_puts_never_exceed_the_quota(string kind)
    {
        using ISectorStore store = StoreKinds.Open(kind, _dir, _clock, quotaBytes: 2L * StorageConstants.SectorSize);
        byte[][] sectors = [s_a, s_b, s_c, TestSectors.Create(23)];
        PutStatus[] results = await Task.WhenAll(sectors.Select(s => Task.Run(() => store.Put(SectorTree.ComputeRoot(s), s, 10), TestContext.Current.CancellationToken)));
        Assert.Equal(2, results.Count(r => r == PutStatus.Stored));
        Assert.Equal(2, results.Count(r => r == PutStatus.QuotaExceeded));
        Assert.Equal(2, store.Usage.Sectors);
    }

    private static void AssertProves(ISectorStore store, Hash256 root)
    {
        SectorLeaf[] items = [new(root, 0), new(root, 777), new(root, 1023)];
        using SectorProver prover = new(store);
        Assert.Equal(ProveStatus.Proved, prover.Prove(items, out SectorLeafProof?[] proofs));
        Assert.True(ProofVerifier.VerifyChallenge(items, proofs).IsValid);
    }
}
