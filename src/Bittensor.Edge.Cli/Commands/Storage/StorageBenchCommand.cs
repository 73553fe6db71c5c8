// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Bittensor.Edge.Cli.Bench;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;
using Spectre.Console;

namespace Bittensor.Edge.Cli.Commands.Storage;

/// <summary>
/// <c>bte storage bench</c>: the storage figures of specs/benchmarks.md and storage-proofs.md §10, single-threaded.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>raw_hash_mb_s</c>: <c>SHA256.HashData</c> over one 4 MiB sector buffer in 4 KiB leaf calls (the hash work any
/// leaf tree needs); <c>ingest_mb_s</c>: <see cref="FileSectorStore.Put"/> of the same buffer (hash, tree, temp write,
/// fsync, rename, directory fsync, index commit) on tmpfs. Rounds alternate the two so drift hits both; medians.</item>
/// <item><c>prove_ms_warm</c> / <c>prove_ms_cold</c>: one k = 32 challenge over 8 sectors in a disk-backed store, with a
/// fresh <see cref="SectorProver"/> each time; cold drops the sector files from the page cache first.</item>
/// <item><c>verify_per_s_per_core</c>: k = 32 challenge responses verified per second on one thread.</item>
/// <item>A Raspberry Pi 4 estimate from this run's medians and published A72 SHA-256 cycles per byte (<see cref="Pi4Estimate"/>).</item>
/// <item><c>index_rss_mb_1m_sectors</c> (full run only): RSS growth from opening a 1 000 000-sector index and using it.</item>
/// </list>
/// </remarks>
internal static class StorageBenchCommand
{
    private const int ProveSectors = 8;
    private const int IndexSectors = 1_000_000;
    private const double Mb = 1e6;

    public static Command Create()
    {
        Option<bool> quick = new("--quick") { Description = "Fewer iterations and no 1M-sector index (under a minute on 2 cores); the same sizes." };
        Option<bool> json = new("--json") { Description = "Print one JSON object (specs/benchmarks.md) on stdout; progress goes to stderr." };
        Option<string?> ingestDir = new("--ingest-dir") { Description = "Where the ingest store goes (default: /dev/shm when present, tmpfs as the spec asks)." };
        Option<string?> diskDir = new("--disk-dir") { Description = "Disk-backed directory for the prove store and the index (default: the temp directory)." };
        Command command = new("bench", "Measure ingest vs raw SHA-256, warm and cold proofs, verification and the index footprint (medians).")
        {
            quick, json, ingestDir, diskDir,
        };
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
        {
            BenchReport report = Run(result.GetValue(quick), result.GetValue(ingestDir), result.GetValue(diskDir), result.InvocationConfiguration.Error, cancellationToken);
            await report.PrintAsync(result.InvocationConfiguration.Output, result.GetValue(json)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    internal static BenchReport Run(bool quick, string? ingestDir, string? diskDir, TextWriter progress, CancellationToken cancellationToken)
    {
        BenchReport report = new("storage");
        string ingestRoot = ingestDir ?? (Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath());
        string diskRoot = diskDir ?? Path.GetTempPath();
        using Scratch ingest = new(ingestRoot);
        using Scratch disk = new(diskRoot);

        (double treeSeconds, double ingestSeconds) = Ingest(report, quick ? 24 : 96, ingest.Path, progress, cancellationToken);
        SectorLeafProof?[] sample = Prove(report, quick ? 25 : 101, disk.Path, progress, cancellationToken, out SectorLeaf[] items, out double warmMs);
        double verifyRate = Verify(report, quick ? 5 : 21, items, sample, progress, cancellationToken);
        Pi4Estimate.Add(report, treeSeconds, ingestSeconds, warmMs / 1e3, 1 / verifyRate, progress);
        if (!quick)
        {
            IndexRss(report, disk.Path, progress, cancellationToken);
        }

        return report;
    }

    private static (double TreeSeconds, double IngestSeconds) Ingest(BenchReport report, int rounds, string directory, TextWriter progress, CancellationToken cancellationToken)
    {
        progress.WriteLine($"ingest: {rounds} rounds of one 4 MiB put vs 1 024 SHA-256 leaf calls, store in {directory} ({FileSystemType(directory)})");
        using FileSectorStore store = FileSectorStore.Open(new SectorStoreOptions { Directory = Path.Combine(directory, "ingest"), ReserveFraction = 0 }, SystemClock.Instance);
        byte[] sector = new byte[StorageConstants.SectorSize];
        new Random(1).NextBytes(sector);
        List<double> raw = [];
        List<double> tree = [];
        List<double> ingest = [];
        const int Warmup = 3;
        for (int round = 0; round < rounds + Warmup; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            BinaryPrimitives.WriteInt64LittleEndian(sector, round);
            long start = Stopwatch.GetTimestamp();
            HashLeaves(sector);
            double rawSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

            // The caller knows the root in the protocol (StoreChunk carries it); computing it here is not part of ingest,
            // but timing it shows how much of ingest is the tree itself.
            start = Stopwatch.GetTimestamp();
            Hash256 root = SectorTree.ComputeRoot(sector);
            double treeSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            start = Stopwatch.GetTimestamp();
            PutStatus status = store.Put(root, sector, 1);
            double ingestSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (status != PutStatus.Stored)
            {
                throw new InvalidOperationException($"bench put failed: {status}");
            }

            store.Delete(root);
            if (round >= Warmup)
            {
                raw.Add(StorageConstants.SectorSize / Mb / rawSeconds);
                tree.Add(StorageConstants.SectorSize / Mb / treeSeconds);
                ingest.Add(StorageConstants.SectorSize / Mb / ingestSeconds);
            }
        }

        (double rawStreamMbs, double ingestStreamMbs) = IngestStream(store, sector, rounds, progress, cancellationToken);
        double rawMbs = BenchReport.Median(raw);
        double treeMbs = BenchReport.Median(tree);
        double ingestMbs = BenchReport.Median(ingest);
        string where = $"store on {directory} ({FileSystemType(directory)}), 4 MiB sectors";
        report.Add("raw_hash_mb_s", rawMbs, "MB/s", note: "SHA256.HashData, 4 KiB leaf calls over the same 4 MiB buffer, 1 thread");
        report.Add("tree_mb_s", treeMbs, "MB/s", note: $"SectorTree.ComputeRoot alone (1 024 leaf + 1 023 node hashes, 1 thread) via {SectorTree.HashPath}");
        report.Add("ingest_mb_s", ingestMbs, "MB/s", note: $"FileSectorStore.Put wall time: tree hashed on the calling thread (the only hashing thread) while one pool thread writes the temp file and fsyncs it; then rename + dir fsync + tree record + index commit; {where}");
        double ratio = ingestMbs / rawMbs;
        report.Add("ingest_ratio", ratio, "ratio", baseline: "raw_hash_mb_s", note: Target(ratio >= 0.90, "target >= 0.90"));
        double streamRatio = ingestStreamMbs / rawStreamMbs;
        report.Add("raw_stream_mb_s", rawStreamMbs, "MB/s", note: $"SHA256.HashData over {rounds} distinct sectors back to back (4 KiB leaf calls), the mean of one pass before and one after the ingest stream");
        report.Add("ingest_stream_mb_s", ingestStreamMbs, "MB/s", note: $"{rounds} distinct puts back to back, no deletes, timed until the last batched index commit is done");
        report.Add("ingest_stream_ratio", streamRatio, "ratio", baseline: "raw_stream_mb_s", note: Target(streamRatio >= 0.90, "sustained ingest, index commits included; target >= 0.90"));
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest: raw {rawMbs:0} MB/s, tree {treeMbs:0} MB/s, ingest {ingestMbs:0} MB/s, ratio {ratio:0.000}"));
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest stream: raw {rawStreamMbs:0} MB/s, ingest {ingestStreamMbs:0} MB/s, ratio {streamRatio:0.000}"));
        return (StorageConstants.SectorSize / Mb / treeMbs, StorageConstants.SectorSize / Mb / ingestMbs);
    }

    /// <summary>
    /// Sustained ingest: <paramref name="rounds"/> distinct sectors put back to back into <paramref name="store"/> (no
    /// deletes in between), timed until the last batched index commit is done, against raw SHA-256 of the same sectors
    /// before and after. The per-put medians leave out the index commits that run after each put returns; this does not.
    /// </summary>
    private static (double RawMbs, double IngestMbs) IngestStream(FileSectorStore store, byte[] sector, int rounds, TextWriter progress, CancellationToken cancellationToken)
    {
        Hash256[] roots = new Hash256[rounds];
        for (int round = 0; round < rounds; round++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(sector, Stamp + round);
            roots[round] = SectorTree.ComputeRoot(sector);
        }

        progress.WriteLine($"ingest stream: {rounds} distinct puts back to back, raw SHA-256 of the same sectors before and after");
        double rawBefore = RawStream(sector, rounds, cancellationToken);
        long start = Stopwatch.GetTimestamp();
        for (int round = 0; round < rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            BinaryPrimitives.WriteInt64LittleEndian(sector, Stamp + round);
            PutStatus status = store.Put(roots[round], sector, 1);
            if (status != PutStatus.Stored)
            {
                throw new InvalidOperationException($"bench put failed: {status}");
            }
        }

        // Any read of the index commits what is still pending first.
        if (!store.TryGetInfo(roots[^1], out _))
        {
            throw new InvalidOperationException("bench put missing from the index");
        }

        double ingestSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        double rawAfter = RawStream(sector, rounds, cancellationToken);
        foreach (Hash256 root in roots)
        {
            store.Delete(root);
        }

        double bytes = (double)rounds * StorageConstants.SectorSize / Mb;
        return (bytes / ((rawBefore + rawAfter) / 2), bytes / ingestSeconds);
    }

    private static double RawStream(byte[] sector, int rounds, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        for (int round = 0; round < rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            BinaryPrimitives.WriteInt64LittleEndian(sector, Stamp + round);
            HashLeaves(sector);
        }

        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>The raw SHA-256 baseline: one <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> per 4 KiB leaf of the sector.</summary>
    private static void HashLeaves(byte[] sector)
    {
        Span<byte> digest = stackalloc byte[32];
        for (int leaf = 0; leaf < StorageConstants.LeavesPerSector; leaf++)
        {
            SHA256.HashData(sector.AsSpan(leaf * StorageConstants.LeafSize, StorageConstants.LeafSize), digest);
        }
    }

    // The stream's sectors are stamped apart from the per-put rounds' (0..rounds), so none collides with a stored root.
    private const long Stamp = 1L << 40;

    private static SectorLeafProof?[] Prove(BenchReport report, int iterations, string directory, TextWriter progress, CancellationToken cancellationToken, out SectorLeaf[] lastItems, out double warmMs)
    {
        string fsType = FileSystemType(directory);
        progress.WriteLine($"prove: k = 32 over {ProveSectors} sectors, {iterations} challenges warm and cold, store in {directory} ({fsType})");
        using FileSectorStore store = FileSectorStore.Open(new SectorStoreOptions { Directory = Path.Combine(directory, "prove"), ReserveFraction = 0 }, SystemClock.Instance);
        Hash256[] roots = new Hash256[ProveSectors];
        byte[] sector = new byte[StorageConstants.SectorSize];
        for (int i = 0; i < ProveSectors; i++)
        {
            new Random(100 + i).NextBytes(sector);
            roots[i] = SectorTree.ComputeRoot(sector);
            store.Put(roots[i], sector, 1);
        }

        PublicKey hotkey = new(Sha256.Hash("bench-miner"u8).Bytes);
        Hash256 block = Sha256.Hash("bench-block"u8);
        List<double> warm = [];
        List<double> cold = [];
        SectorLeafProof?[] proofs = [];
        lastItems = [];
        bool dropped = true;
        Span<byte> nonceBytes = stackalloc byte[32];

        // All warm challenges first (the sectors were just written, so the page cache holds them), then the cold
        // ones, each after dropping every sector file from the page cache.
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < iterations + 2; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                BinaryPrimitives.WriteInt32LittleEndian(nonceBytes, i);
                SectorLeaf[] items = Challenge.DeriveItems(Challenge.DeriveSeed(block, new Hash256(nonceBytes), hotkey), roots, StorageConstants.DefaultChallengeItems);
                if (pass == 1)
                {
                    foreach (Hash256 root in roots)
                    {
                        dropped &= store.DropFromPageCache(root);
                    }
                }

                (pass == 0 ? warm : cold).Add(TimeProve(store, items, out proofs));
                lastItems = items;
            }
        }

        warm.RemoveRange(0, 2);
        cold.RemoveRange(0, 2);
        warmMs = BenchReport.Median(warm);
        double coldMs = BenchReport.Median(cold);
        report.Add("prove_ms_warm", warmMs, "ms", note: $"k = 32, {ProveSectors} sectors, page cache warm; {Target(warmMs < 3, "target < 3 ms on x64")}");
        string coldHow = !dropped
            ? "posix_fadvise unavailable: NOT cold"
            : fsType == "tmpfs" ? "store on tmpfs: fadvise cannot drop, NOT cold" : $"page cache dropped with posix_fadvise(DONTNEED) on {fsType}; index pages stay in LiteDB's cache";
        report.Add("prove_ms_cold", coldMs, "ms", note: $"k = 32; {coldHow}; {Target(coldMs < 5, "target < 5 ms on x64")}");
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"prove: warm {warmMs:0.000} ms, cold {coldMs:0.000} ms"));
        return proofs;
    }

    private static double TimeProve(FileSectorStore store, SectorLeaf[] items, out SectorLeafProof?[] proofs)
    {
        long start = Stopwatch.GetTimestamp();
        using SectorProver prover = new(store);
        ProveStatus status = prover.Prove(items, out proofs);
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (status != ProveStatus.Proved)
        {
            throw new InvalidOperationException($"bench prove failed: {status}");
        }

        return ms;
    }

    private static double Verify(BenchReport report, int batches, SectorLeaf[] items, SectorLeafProof?[] proofs, TextWriter progress, CancellationToken cancellationToken)
    {
        const int PerBatch = 200;
        progress.WriteLine($"verify: {batches} batches of {PerBatch} k = 32 responses on one thread");
        List<double> rates = [];
        for (int batch = 0; batch < batches + 1; batch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < PerBatch; i++)
            {
                if (!ProofVerifier.VerifyChallenge(items, proofs).IsValid)
                {
                    throw new InvalidOperationException("bench proof did not verify");
                }
            }

            if (batch > 0)
            {
                rates.Add(PerBatch / Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
        }

        double rate = BenchReport.Median(rates);
        report.Add("verify_per_s_per_core", rate, "proofs/s", note: $"k = 32 responses (32 leaf + 320 node hashes each); {Target(rate >= 2000, "target >= 2000 on x64")}");
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"verify: {rate:0} k = 32 proofs/s"));
        return rate;
    }

    private static void IndexRss(BenchReport report, string directory, TextWriter progress, CancellationToken cancellationToken)
    {
        // The two files a FileSectorStore keeps for its sectors: the LiteDB index and the fixed-record tree file.
        string path = Path.Combine(directory, "index-1m.db");
        string treesPath = Path.Combine(directory, "trees-1m.dat");
        progress.WriteLine($"index: building a {IndexSectors:N0}-sector index in {path} and its tree records ({FileSystemType(directory)}); this takes a few minutes");
        DateTimeOffset now = SystemClock.Instance.UtcNow;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(progress) });
        console.Progress().Start(context =>
        {
            ProgressTask task = context.AddTask("indexing 1M sectors", maxValue: IndexSectors);
            WriteTreeRecords(treesPath, cancellationToken);
            using SectorIndex build = SectorIndex.Open(path);
            build.InsertMany(Entries(task, cancellationToken), batchSize: 10_000);
        });

        IEnumerable<(SectorInfo, int)> Entries(ProgressTask task, CancellationToken token)
        {
            for (int i = 0; i < IndexSectors; i++)
            {
                if (i % 10_000 == 0)
                {
                    token.ThrowIfCancellationRequested();
                    task.Value = i;
                }

                yield return (new SectorInfo(RootOf(i), now, (ulong)(i % 50_400), null), i);
            }

            task.Value = IndexSectors;
        }

        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long before = RssBytes();
        long after;
        using (SectorIndex index = SectorIndex.Open(path))
        using (SectorTreeFile trees = SectorTreeFile.Open(treesPath))
        {
            long count = index.Count();
            if (count != IndexSectors)
            {
                throw new InvalidOperationException($"index holds {count} sectors");
            }

            // What FileSectorStore.Open does after its reconcile scan: drop the pages the scan cached, and keep the
            // in-memory root → tree-slot map it builds for every indexed sector.
            index.DropCache();
            SectorSlotMap slots = new(IndexSectors);
            for (int i = 0; i < IndexSectors; i++)
            {
                slots.Add(RootOf(i), i);
            }

            Random random = new(9);
            Span<byte> upper = stackalloc byte[StorageConstants.UpperTreeSize];
            for (int i = 0; i < 10_000; i++)
            {
                Hash256 root = RootOf(random.Next(IndexSectors));
                if (!index.TryGet(root, out _) || !index.TryGetSlot(root, out int slot) || !trees.TryRead(slot, upper)
                    || !upper.Slice(SectorTreeFile.RootOffset).SequenceEqual(root.Bytes))
                {
                    throw new InvalidOperationException("index lookup failed");
                }
            }

            Hash256? after1 = null;
            for (int page = 0; page < 10; page++)
            {
                List<SectorInfo> entries = index.Page(after1, 1000);
                after1 = entries[^1].Root;
            }

            _ = index.ExpiredBefore(3);
            after = RssBytes();
            GC.KeepAlive(slots);
        }

        double growthMiB = (after - before) / (1024.0 * 1024);
        report.Add("index_rss_mb_1m_sectors", growthMiB, "MiB", note: string.Create(CultureInfo.InvariantCulture,
            $"RSS growth: open + count (a full scan) + cache drop and the root → slot map of every sector (as FileSectorStore.Open) + 10 000 random lookups (entry + slot + 4 KiB tree record) + 10 inventory pages + expiry query; process RSS {after / (1024.0 * 1024):0} MiB; index {new FileInfo(path).Length / (1024.0 * 1024):0} MiB, trees {new FileInfo(treesPath).Length / (1024.0 * 1024):0} MiB; {Target(growthMiB < 128, "target < 128 MiB")}"));
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"index: RSS grew {growthMiB:0.0} MiB (process {after / (1024.0 * 1024):0} MiB)"));

        static void WriteTreeRecords(string treesPath, CancellationToken token)
        {
            // Random nodes, each record ending with its sector's root (what a lookup checks), 256 records per write.
            const int PerWrite = 256;
            byte[] batch = new byte[PerWrite * SectorTreeFile.RecordSize];
            new Random(7).NextBytes(batch);
            using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(treesPath, FileMode.Create, FileAccess.Write);
            for (int first = 0; first < IndexSectors; first += PerWrite)
            {
                token.ThrowIfCancellationRequested();
                int records = Math.Min(PerWrite, IndexSectors - first);
                for (int r = 0; r < records; r++)
                {
                    Hash256 root = RootOf(first + r);
                    root.Bytes.CopyTo(batch.AsSpan((r * SectorTreeFile.RecordSize) + SectorTreeFile.RootOffset));
                }

                RandomAccess.Write(handle, batch.AsSpan(0, records * SectorTreeFile.RecordSize), (long)first * SectorTreeFile.RecordSize);
            }
        }

        static Hash256 RootOf(int i)
        {
            Span<byte> counter = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(counter, i);
            return Sha256.Hash(counter);
        }
    }

    private static string Target(bool met, string target) => $"{target}: {(met ? "met" : "MISSED")}";

    /// <summary>Resident set size from /proc/self/status (Linux), else the working set.</summary>
    private static long RssBytes()
    {
        if (OperatingSystem.IsLinux())
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        using Process self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    /// <summary>The file-system type holding <paramref name="path"/> (longest mount prefix in /proc/mounts), or "unknown".</summary>
    internal static string FileSystemType(string path)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/mounts"))
        {
            return "unknown";
        }

        string full = Path.GetFullPath(path);
        string best = "";
        string type = "unknown";
        foreach (string line in File.ReadLines("/proc/mounts"))
        {
            string[] fields = line.Split(' ');
            if (fields.Length > 2 && (full == fields[1] || full.StartsWith(fields[1].TrimEnd('/') + "/", StringComparison.Ordinal)) && fields[1].Length > best.Length)
            {
                best = fields[1];
                type = fields[2];
            }
        }

        return type;
    }

    /// <summary>A fresh directory under a root, deleted afterwards.</summary>
    private sealed class Scratch : IDisposable
    {
        public Scratch(string root)
        {
            Path = System.IO.Path.Combine(root, $"bte-storage-bench-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public void Dispose()
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
    }
}
