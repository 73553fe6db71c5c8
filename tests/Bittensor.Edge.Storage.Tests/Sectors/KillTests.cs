// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Storage.Tests.Sectors;

/// <summary>
/// Kill-and-reopen (storage-proofs.md §8 "Kill test"): a real process ingests sectors and prints one line per
/// acknowledged sector; the test SIGKILLs it after N acknowledgements, while it is in the middle of the next put, then
/// reopens the store: every acknowledged sector is there and proves, and files and index agree.
/// </summary>
public sealed class KillTests : IDisposable
{
    private static readonly string s_host = Path.Combine(AppContext.BaseDirectory, "Bittensor.Edge.Storage.CrashHost.dll");

    private readonly TempDirectory _dir = new("bte-kill-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_acknowledged_sector_survives_repeated_SIGKILL_mid_ingest()
    {
        string store = _dir.Combine("store");
        HashSet<Hash256> acknowledged = [];
        int[] killAfter = [3, 1, 4, 2, 5];
        for (int round = 0; round < killAfter.Length; round++)
        {
            List<Hash256> acks = await RunAndKillAsync(store, seed: round + 1, killAfter[round]);
            acknowledged.UnionWith(acks);
            AssertConsistent(store, acknowledged);
        }

        // Acknowledgements still in the pipe at the kill count too, so there may be more than were waited for.
        Assert.True(acknowledged.Count >= killAfter.Sum(), $"{acknowledged.Count} acknowledged");
    }

    private static async Task<List<Hash256>> RunAndKillAsync(string store, int seed, int acksBeforeKill)
    {
        // A safety net only: a host that stops acknowledging must not keep the run (or the disk) busy.
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        CancellationToken cancellationToken = timeout.Token;
        ProcessStartInfo start = new(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(s_host);
        start.ArgumentList.Add(store);
        start.ArgumentList.Add(seed.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using Process process = Process.Start(start)!;
        List<Hash256> acks = [];
        try
        {
            string? ready = await process.StandardOutput.ReadLineAsync(cancellationToken);
            if (ready is null || !ready.StartsWith("ready", StringComparison.Ordinal))
            {
                Assert.Fail($"host did not start: {ready} {await process.StandardError.ReadToEndAsync(cancellationToken)}");
            }

            while (acks.Count < acksBeforeKill)
            {
                string? line = await process.StandardOutput.ReadLineAsync(cancellationToken);
                if (line is null)
                {
                    Assert.Fail($"host exited early: {await process.StandardError.ReadToEndAsync(cancellationToken)}");
                }

                Assert.StartsWith("ack ", line, StringComparison.Ordinal);
                acks.Add(Hash256.Parse(line.AsSpan(4)));
            }
        }
        finally
        {
            // Process.Kill is SIGKILL on Unix: no finalizers, no Dispose, no flush.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        // Lines the pipe still holds were acknowledged before the kill too.
        string rest = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        foreach (string line in rest.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("ack ", StringComparison.Ordinal) && Hash256.TryParse(line.AsSpan(4).TrimEnd('\r'), out Hash256 root))
            {
                acks.Add(root);
            }
        }

        return acks;
    }

    private static void AssertConsistent(string directory, HashSet<Hash256> acknowledged)
    {
        using FileSectorStore store = FileSectorStore.Open(new SectorStoreOptions { Directory = directory, ReserveFraction = 0 }, new ManualClock());
        Assert.Empty(store.LastReconcile.Lost);

        List<Hash256> indexed = [];
        for (IReadOnlyList<SectorInfo> page = store.List(null, 100); page.Count > 0; page = store.List(page[^1].Root, 100))
        {
            indexed.AddRange(page.Select(p => p.Root));
        }

        List<Hash256> files = [.. Directory.EnumerateFiles(Path.Combine(directory, "sectors"), "*", SearchOption.AllDirectories)
            .Select(f => Hash256.Parse(Path.GetFileName(f)))
            .Order()];
        Assert.Equal(files, indexed);
        Assert.Equal(indexed.Count, store.Usage.Sectors);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(directory, "tmp")));
        // Every acknowledged sector is indexed; a sector stored durably just before the kill, whose "ack" line never
        // left the process, may be indexed too (reconcile adopts it).
        Assert.Superset(acknowledged, indexed.ToHashSet());

        SectorLeaf[] items = [.. acknowledged.SelectMany(root => new[] { new SectorLeaf(root, 0), new SectorLeaf(root, 700) })];
        using SectorProver prover = new(store);
        Assert.Equal(ProveStatus.Proved, prover.Prove(items, out SectorLeafProof?[] proofs));
        Assert.True(ProofVerifier.VerifyChallenge(items, proofs).IsValid);
    }
}
