// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;
using Spectre.Console;

namespace Bittensor.Edge.Cli.Commands.Storage;

/// <summary>
/// <c>bte storage put|get|list|prove|verify</c>. Exit codes: 0 success, 1 the command failed (or, for verify, the
/// proof failed), 2 a usage error.
/// </summary>
internal static class StorageActions
{
    /// <summary>Inputs above this many sectors show a progress bar on stderr.</summary>
    private const int ProgressThresholdSectors = 16;

    public static Command PutCommand(Option<string?> store)
    {
        Argument<FileInfo> file = new("FILE") { Description = "The file to store; it is cut into 4 MiB sectors, the last zero-padded." };
        Option<ulong> expires = new("--expires-at-block")
        {
            Description = "Block after which the sectors may be collected (default: never).",
            DefaultValueFactory = _ => ulong.MaxValue,
        };
        Command put = new("put", "Store a file as sectors and print their roots (keep them with the file length to read it back).") { file, expires };
        put.SetAction((ParseResult result, CancellationToken cancellationToken) =>
        {
            TextWriter stdout = result.InvocationConfiguration.Output;
            TextWriter stderr = result.InvocationConfiguration.Error;
            FileInfo input = result.GetValue(file)!;
            if (!input.Exists)
            {
                stderr.WriteLine($"bte: {input.FullName}: no such file.");
                return Task.FromResult(1);
            }

            using FileSectorStore sectors = OpenStore(result, store, stderr);
            using FileStream stream = input.OpenRead();
            long count = SectorSplitter.SectorCount(stream.Length);
            byte[] sector = new byte[StorageConstants.SectorSize];
            List<(Hash256 Root, PutStatus Status)> stored = [];
            PutStatus? failure = null;

            void PutAll(Action? step)
            {
                for (long i = 0; i < count && failure is null; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    SectorSplitter.ReadSector(stream, sector);
                    Hash256 root = Bittensor.Edge.Storage.Merkle.SectorTree.ComputeRoot(sector);
                    PutStatus status = sectors.Put(root, sector, result.GetValue(expires));
                    if (status is PutStatus.Stored or PutStatus.AlreadyStored)
                    {
                        stored.Add((root, status));
                    }
                    else
                    {
                        failure = status;
                    }

                    step?.Invoke();
                }
            }

            if (count > ProgressThresholdSectors)
            {
                IAnsiConsole progress = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr) });
                progress.Progress().Start(context =>
                {
                    ProgressTask task = context.AddTask($"storing {count} sectors", maxValue: count);
                    PutAll(() => task.Increment(1));
                });
            }
            else
            {
                PutAll(null);
            }

            for (int i = 0; i < stored.Count; i++)
            {
                stdout.WriteLine($"{stored[i].Root:x} {(stored[i].Status == PutStatus.Stored ? "stored" : "already stored")}");
            }

            if (failure is PutStatus bad)
            {
                stderr.WriteLine($"bte: sector {stored.Count} of {count} was not stored: {Describe(bad)}. The {stored.Count} sectors above are stored.");
                return Task.FromResult(1);
            }

            long padding = (count * StorageConstants.SectorSize) - input.Length;
            stderr.WriteLine($"{input.Name}: {input.Length} bytes in {count} sectors ({padding} zero bytes of padding in the last).");
            return Task.FromResult(0);
        });
        return put;
    }

    public static Command GetCommand(Option<string?> store)
    {
        Argument<string> root = new("ROOT") { Description = "The sector's root (64 hex digits)." };
        Option<FileInfo> output = new("--out") { Description = "Where to write the sector's 4 194 304 bytes.", Required = true };
        Command get = new("get", "Write one stored sector to a file.") { root, output };
        get.SetAction((ParseResult result, CancellationToken cancellationToken) =>
        {
            TextWriter stderr = result.InvocationConfiguration.Error;
            if (!TryParseHash(result.GetValue(root), "ROOT", stderr, out Hash256 hash))
            {
                return Task.FromResult(2);
            }

            using FileSectorStore sectors = OpenStore(result, store, stderr);
            byte[] sector = new byte[StorageConstants.SectorSize];
            if (!sectors.TryRead(hash, 0, sector))
            {
                stderr.WriteLine($"bte: sector {hash:x} is not in the store.");
                return Task.FromResult(1);
            }

            File.WriteAllBytes(result.GetValue(output)!.FullName, sector);
            return Task.FromResult(0);
        });
        return get;
    }

    public static Command ListCommand(Option<string?> store)
    {
        Option<bool> json = new("--json") { Description = "One JSON object per line: {root, storedAt, expiresAtBlock}." };
        Command list = new("list", "List the stored sectors in root order.") { json };
        list.SetAction((ParseResult result, CancellationToken cancellationToken) =>
        {
            TextWriter stdout = result.InvocationConfiguration.Output;
            TextWriter stderr = result.InvocationConfiguration.Error;
            using FileSectorStore sectors = OpenStore(result, store, stderr);
            Table table = new Table().AddColumn("root").AddColumn("stored at (UTC)").AddColumn(new TableColumn("expires after block").RightAligned());
            int total = 0;
            for (IReadOnlyList<SectorInfo> page = sectors.List(null, 1000); page.Count > 0; page = sectors.List(page[^1].Root, 1000))
            {
                foreach (SectorInfo info in page)
                {
                    total++;
                    string expires = info.ExpiresAtBlock >= long.MaxValue ? "never" : info.ExpiresAtBlock.ToString(CultureInfo.InvariantCulture);
                    if (result.GetValue(json))
                    {
                        stdout.WriteLine($$"""{"root":"{{info.Root:x}}","storedAt":"{{info.StoredAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}}","expiresAtBlock":{{(info.ExpiresAtBlock >= long.MaxValue ? "null" : expires)}}}""");
                    }
                    else
                    {
                        table.AddRow(info.Root.ToString("x", null), info.StoredAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), expires);
                    }
                }
            }

            if (!result.GetValue(json))
            {
                table.Caption($"{total} sectors, {sectors.Usage.Bytes / (1024.0 * 1024):0} MiB of {sectors.Usage.QuotaBytes / (1024.0 * 1024 * 1024):0.#} GiB quota");
                AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) }).Write(table);
            }

            return Task.FromResult(0);
        });
        return list;
    }

    public static Command ProveCommand(Option<string?> store)
    {
        Argument<string> root = new("ROOT") { Description = "The stored sector to challenge." };
        Option<string> blockHash = new("--block-hash") { Description = "Block hash (64 hex digits).", Required = true };
        Option<string> nonce = new("--nonce") { Description = "Validator nonce (64 hex digits).", Required = true };
        Option<string> hotkey = new("--hotkey") { Description = "The miner's hotkey (SS58).", Required = true };
        Option<int> k = new("--k") { Description = "Leaves to prove, 1..64.", DefaultValueFactory = _ => StorageConstants.DefaultChallengeItems };
        Option<bool> json = new("--json") { Description = "Print the proof file (challenge and proofs, protocol.md §4 shapes) on stdout." };
        Command prove = new("prove", "Answer a challenge over one stored sector, derived from a block hash, a nonce and a hotkey (storage-proofs.md §4).")
        {
            root, blockHash, nonce, hotkey, k, json,
        };
        prove.SetAction((ParseResult result, CancellationToken cancellationToken) =>
        {
            TextWriter stdout = result.InvocationConfiguration.Output;
            TextWriter stderr = result.InvocationConfiguration.Error;
            if (!TryParseHash(result.GetValue(root), "ROOT", stderr, out Hash256 sector)
                || !TryParseHash(result.GetValue(blockHash), "--block-hash", stderr, out Hash256 block)
                || !TryParseHash(result.GetValue(nonce), "--nonce", stderr, out Hash256 validatorNonce))
            {
                return Task.FromResult(2);
            }

            if (!Ss58.TryDecode(result.GetValue(hotkey), out PublicKey miner))
            {
                stderr.WriteLine("bte: --hotkey: expected an SS58 address.");
                return Task.FromResult(2);
            }

            int items = result.GetValue(k);
            if (items < 1 || items > StorageConstants.MaxChallengeItems)
            {
                stderr.WriteLine($"bte: --k must be 1..{StorageConstants.MaxChallengeItems}.");
                return Task.FromResult(2);
            }

            using FileSectorStore sectors = OpenStore(result, store, stderr);
            SectorLeaf[] challenge = Challenge.DeriveItems(Challenge.DeriveSeed(block, validatorNonce, miner), [sector], items);
            long start = Stopwatch.GetTimestamp();
            using SectorProver prover = new(sectors);
            ProveStatus status = prover.Prove(challenge, out SectorLeafProof?[] proofs);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            if (status != ProveStatus.Proved)
            {
                stderr.WriteLine($"bte: cannot prove {sector:x}: {status}.");
                return Task.FromResult(1);
            }

            ProofFile file = new(block, validatorNonce, miner, items, challenge, proofs);
            if (result.GetValue(json))
            {
                using MemoryStream buffer = new();
                file.Write(buffer);
                stdout.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"proved {items} leaves of {sector:x} in {elapsed.TotalMilliseconds:0.00} ms ({items * (StorageConstants.LeafSize + StorageConstants.PathSize)} bytes raw); --json prints the proof file"));
            }

            return Task.FromResult(0);
        });
        return prove;
    }

    public static Command VerifyCommand()
    {
        Argument<FileInfo> proof = new("PROOF") { Description = "A proof file from 'bte storage prove --json' ('-' for stdin)." };
        Option<string> root = new("--root") { Description = "The root you recorded (64 hex digits); the root inside the file is never trusted.", Required = true };
        Command verify = new("verify", "Check a proof file against a root you trust: prints ok (exit 0) or fail (exit 1).") { proof, root };
        verify.SetAction((ParseResult result, CancellationToken cancellationToken) =>
        {
            TextWriter stdout = result.InvocationConfiguration.Output;
            TextWriter stderr = result.InvocationConfiguration.Error;
            if (!TryParseHash(result.GetValue(root), "--root", stderr, out Hash256 trusted))
            {
                return Task.FromResult(2);
            }

            FileInfo input = result.GetValue(proof)!;
            byte[] bytes;
            try
            {
                bytes = input.Name == "-" ? ReadStdin() : File.ReadAllBytes(input.FullName);
            }
            catch (IOException e)
            {
                stderr.WriteLine($"bte: cannot read {input.FullName}: {e.Message}");
                return Task.FromResult(1);
            }

            if (!ProofFile.TryRead(bytes, out ProofFile? file, out string error))
            {
                stdout.WriteLine($"fail: malformed proof file: {error}");
                return Task.FromResult(1);
            }

            if (file!.K < 1 || file.K > StorageConstants.MaxChallengeItems)
            {
                stdout.WriteLine($"fail: k = {file.K} is outside 1..{StorageConstants.MaxChallengeItems}");
                return Task.FromResult(1);
            }

            // Re-derive the items from the challenge inputs and the trusted root; the file's own item list is ignored.
            SectorLeaf[] expected = Challenge.DeriveItems(Challenge.DeriveSeed(file.BlockHash, file.ValidatorNonce, file.Hotkey), [trusted], file.K);
            ChallengeVerdict verdict = ProofVerifier.VerifyChallenge(expected, file.Proofs);
            if (verdict.IsValid)
            {
                stdout.WriteLine($"ok: {expected.Length} leaves of {trusted:x} verified");
                return Task.FromResult(0);
            }

            stdout.WriteLine(verdict.FailedItem >= 0
                ? $"fail: {verdict.Status} at item {verdict.FailedItem} (leaf {expected[verdict.FailedItem].Leaf})"
                : $"fail: {verdict.Status} ({file.Proofs.Count} proofs for {expected.Length} items)");
            return Task.FromResult(1);
        });
        return verify;
    }

    internal static string DefaultStorePath()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("BTE_STORE_PATH");
        return string.IsNullOrEmpty(fromEnvironment)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".bittensor-edge", "store")
            : fromEnvironment;
    }

    private static FileSectorStore OpenStore(ParseResult result, Option<string?> store, TextWriter stderr)
    {
        string directory = result.GetValue(store) ?? DefaultStorePath();
        FileSectorStore sectors = FileSectorStore.Open(new SectorStoreOptions { Directory = directory }, SystemClock.Instance);
        ReconcileReport report = sectors.LastReconcile;
        if (!report.WasClean)
        {
            stderr.WriteLine($"bte: store {directory} reconciled: {report.TempFilesRemoved} partial writes removed, {report.Lost.Count} lost, {report.Adopted.Count} adopted, {report.OrphansRemoved} orphans removed{(report.IndexRebuilt ? ", index rebuilt" : "")}.");
            foreach (Hash256 lost in report.Lost)
            {
                stderr.WriteLine($"bte: lost {lost:x}");
            }
        }

        return sectors;
    }

    private static bool TryParseHash(string? text, string name, TextWriter stderr, out Hash256 hash)
    {
        if (Hash256.TryParse(text, out hash))
        {
            return true;
        }

        stderr.WriteLine($"bte: {name}: expected 64 hex digits.");
        return false;
    }

    private static string Describe(PutStatus status) => status switch
    {
        PutStatus.QuotaExceeded => "the store is at its quota",
        PutStatus.DiskFull => "the file system is full (or below its 10 % reserve)",
        PutStatus.RootMismatch => "root mismatch",
        PutStatus.WrongSize => "wrong size",
        _ => status.ToString(),
    };

    private static byte[] ReadStdin()
    {
        using Stream stdin = Console.OpenStandardInput();
        using MemoryStream buffer = new();
        stdin.CopyTo(buffer);
        return buffer.ToArray();
    }
}
