// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using BenchmarkDotNet.Attributes;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Benchmarks.Storage;

/// <summary>
/// One k = 32 challenge over 8 sectors in a disk-backed <see cref="FileSectorStore"/>: proving warm (the baseline),
/// proving cold (every sector file dropped from the page cache with <c>posix_fadvise(DONTNEED)</c> inside the measured
/// call, a few microseconds of the total), and verifying the response.
/// </summary>
[MemoryDiagnoser]
public class ProofBenchmarks
{
    private const int Sectors = 8;

    private readonly Hash256[] _roots = new Hash256[Sectors];
    private string _directory = "";
    private FileSectorStore _store = null!;
    private SectorLeaf[] _items = [];
    private SectorLeafProof?[] _proofs = [];

    /// <summary>Stores 8 random sectors in the temp directory and derives one challenge.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"bte-proof-bench-{Environment.ProcessId}");
        _store = FileSectorStore.Open(new SectorStoreOptions { Directory = _directory, ReserveFraction = 0 }, SystemClock.Instance);
        byte[] sector = new byte[StorageConstants.SectorSize];
        for (int i = 0; i < Sectors; i++)
        {
            new Random(100 + i).NextBytes(sector);
            _roots[i] = SectorTree.ComputeRoot(sector);
            _store.Put(_roots[i], sector, 1);
        }

        Hash256 seed = Challenge.DeriveSeed(Sha256.Hash("block"u8), Sha256.Hash("nonce"u8), new PublicKey(Sha256.Hash("miner"u8).Bytes));
        _items = Challenge.DeriveItems(seed, _roots, StorageConstants.DefaultChallengeItems);
        using SectorProver prover = new(_store);
        prover.Prove(_items, out _proofs);
    }

    /// <summary>Closes and deletes the store.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Prove with the sectors in the page cache.</summary>
    [Benchmark(Baseline = true)]
    public ProveStatus ProveWarm()
    {
        using SectorProver prover = new(_store);
        return prover.Prove(_items, out _);
    }

    /// <summary>Prove after dropping every sector file from the page cache.</summary>
    [Benchmark]
    public ProveStatus ProveCold()
    {
        foreach (Hash256 root in _roots)
        {
            _store.DropFromPageCache(root);
        }

        using SectorProver prover = new(_store);
        return prover.Prove(_items, out _);
    }

    /// <summary>Verify the k = 32 response against the recorded roots.</summary>
    [Benchmark]
    public ChallengeVerdict Verify() => ProofVerifier.VerifyChallenge(_items, _proofs);
}
