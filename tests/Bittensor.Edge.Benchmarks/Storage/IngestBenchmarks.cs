// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Benchmarks.Storage;

/// <summary>
/// One 4 MiB sector: raw SHA-256 in 4 KiB leaf calls (the baseline), the Merkle tree, and a full
/// <see cref="FileSectorStore.Put"/> on tmpfs. The Ingest/Baseline ratio is <c>ingest_ratio</c> (target ≥ 0.90 means a
/// ratio of time ≤ 1.11).
/// </summary>
[MemoryDiagnoser]
[InvocationCount(Sectors)]
public class IngestBenchmarks
{
    private const int Sectors = 16;

    private readonly byte[][] _sectors = new byte[Sectors][];
    private readonly Hash256[] _roots = new Hash256[Sectors];
    private readonly byte[] _digest = new byte[32];
    private string _directory = "";
    private FileSectorStore _store = null!;
    private int _next;

    /// <summary>16 distinct random sectors and a store on /dev/shm (else the temp directory).</summary>
    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < Sectors; i++)
        {
            _sectors[i] = new byte[StorageConstants.SectorSize];
            new Random(i).NextBytes(_sectors[i]);
            BinaryPrimitives.WriteInt32LittleEndian(_sectors[i], i);
            _roots[i] = SectorTree.ComputeRoot(_sectors[i]);
        }

        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        _directory = Path.Combine(root, $"bte-ingest-bench-{Environment.ProcessId}");
        _store = FileSectorStore.Open(new SectorStoreOptions { Directory = _directory, ReserveFraction = 0 }, SystemClock.Instance);
    }

    /// <summary>Empties the store so every put in the iteration stores a new sector.</summary>
    [IterationSetup]
    public void Empty()
    {
        foreach (Hash256 root in _roots)
        {
            _store.Delete(root);
        }

        _next = 0;
    }

    /// <summary>Closes and deletes the store.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary><c>SHA256.HashData</c> over the 1 024 leaves: the work no leaf tree can avoid.</summary>
    [Benchmark(Baseline = true)]
    public byte RawSha256()
    {
        byte[] sector = _sectors[_next++ % Sectors];
        for (int leaf = 0; leaf < StorageConstants.LeavesPerSector; leaf++)
        {
            SHA256.HashData(sector.AsSpan(leaf * StorageConstants.LeafSize, StorageConstants.LeafSize), _digest);
        }

        return _digest[0];
    }

    /// <summary>The Merkle root with the level-4 cache (1 024 leaf + 1 023 node hashes).</summary>
    [Benchmark]
    public Hash256 Tree() => SectorTree.ComputeRoot(_sectors[_next++ % Sectors]);

    /// <summary>A durable put: hash, tree, temp write, fsync, rename, directory fsync, index commit.</summary>
    [Benchmark]
    public PutStatus Ingest()
    {
        int i = _next++ % Sectors;
        return _store.Put(_roots[i], _sectors[i], 1);
    }
}
