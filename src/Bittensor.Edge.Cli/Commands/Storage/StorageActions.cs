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
using System.Text.Json;
using Spectre.Console;

namespace Bittensor.Edge.Cli.Commands.Storage;

/// <summary>
/// <c>bte storage put|get|delete|list|quota|gc|prove|verify</c>. Progress bars go to stderr for inputs over 16 sectors
/// (64 MiB) and never with <c>--json</c>. Exit codes: 0 success, 1 the command failed (or, for verify, the
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
        Option<bool> json = new("--json") { Description = "Print {file, length, sectors: [{root, status}]} on stdout; no progress bar." };
        Command put = new("put", "Store a file as sectors and print their roots (keep them with the file length to read it back with 'get --length').") { file, expires, json };
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

            using FileSectorStore? sectors = TryOpenStore(result, store, stderr);
            if (sectors is null)
            {
                return Task.FromResult(1);
            }

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

            bool asJson = result.GetValue(json);
            WithProgress(stderr, !asJson && count > ProgressThresholdSectors, $"storing {count} sectors of {input.Name}", count, PutAll);

            if (asJson)
            {
                WriteJson(stdout, writer =>
                {
                    writer.WriteString("file", input.FullName);
                    writer.WriteNumber("length", input.Length);
                    writer.WriteStartArray("sectors");
                    foreach ((Hash256 root, PutStatus status) in stored)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("root", root.ToString("x", null));
                        writer.WriteString("status", status == PutStatus.Stored ? "stored" : "alreadyStored");
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    if (failure is PutStatus failed)
                    {
                        writer.WriteString("error", Describe(failed, sectors.ReserveFraction));
                    }
                });
            }
            else
            {
                for (int i = 0; i < stored.Count; i++)
                {
                    stdout.WriteLine($"{stored[i].Root:x} {(stored[i].Status == PutStatus.Stored ? "stored" : "already stored")}");
                }
            }

            if (failure is PutStatus bad)
            {
                stderr.WriteLine($"bte: sector {stored.Count} of {count} was not stored: {Describe(bad, sectors.ReserveFraction)}. The {stored.Count} sectors above are stored.");
                if (bad == PutStatus.DiskFull)
                {
                    DriveInfo drive = new(sectors.Directory);
                    stderr.WriteLine($"bte: {Mib(drive.AvailableFreeSpace)} MiB of {Mib(drive.TotalSize)} MiB are free; free some space, or pass {StorageCommands.ReserveOptionName} with a smaller fraction (now {sectors.ReserveFraction:0.##}).");
                }

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
        Argument<string[]> roots = new("ROOT") { Description = "The sectors' roots (64 hex digits each), in file order.", Arity = ArgumentArity.OneOrMore };
        Option<FileInfo> output = new("--out") { Description = "Where to write the sectors, one after another.", Required = true };
        Option<long?> length = new("--length") { Description = "Cut the output to this many bytes (the file length 'put' printed), dropping the last sector's padding." };
        Option<bool> json = new("--json") { Description = "Print {out, sectors, bytes} on stdout; no progress bar." };
        Command get = new("get", "Read stored sectors back into a file: the roots 'put' printed, in order, and --length to drop the padding.") { roots, output, length, json };
        get.SetAction((ParseResult result, CancellationToken cancellationToken) =>
        {
            TextWriter stdout = result.InvocationConfiguration.Output;
            TextWriter stderr = result.InvocationConfiguration.Error;
            string[] texts = result.GetValue(roots) ?? [];
            Hash256[] hashes = new Hash256[texts.Length];
            for (int i = 0; i < texts.Length; i++)
            {
                if (!TryParseHash(texts[i], "ROOT", stderr, out hashes[i]))
                {
                    return Task.FromResult(2);
                }
            }

            long capacity = (long)hashes.Length * StorageConstants.SectorSize;
            long bytes = result.GetValue(length) ?? capacity;
            if (bytes < 0 || bytes > capacity || (hashes.Length > 0 && bytes <= capacity - StorageConstants.SectorSize))
            {
                stderr.WriteLine($"bte: --length {bytes} does not fit {hashes.Length} sectors: it must be more than {Math.Max(0, capacity - StorageConstants.SectorSize)} and at most {capacity} bytes.");
                return Task.FromResult(2);
            }

            using FileSectorStore? sectors = TryOpenStore(result, store, stderr);
            if (sectors is null)
            {
                return Task.FromResult(1);
            }

            foreach (Hash256 hash in hashes)
            {
                if (!sectors.Contains(hash))
                {
                    stderr.WriteLine($"bte: sector {hash:x} is not in the store {sectors.Directory}; nothing was written.");
                    return Task.FromResult(1);
                }
            }

            string target = result.GetValue(output)!.FullName;
            string partial = target + ".part";
            byte[] sector = new byte[StorageConstants.SectorSize];
            bool missing = false;
            using (FileStream stream = new(partial, FileMode.Create, FileAccess.Write))
            {
                WithProgress(stderr, !result.GetValue(json) && hashes.Length > ProgressThresholdSectors, $"reading {hashes.Length} sectors", hashes.Length, step =>
                {
                    long left = bytes;
                    foreach (Hash256 hash in hashes)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (!sectors.TryRead(hash, 0, sector))
                        {
                            missing = true;
                            return;
                        }

                        int take = (int)Math.Min(left, StorageConstants.SectorSize);
                        stream.Write(sector, 0, take);
                        left -= take;
                        step?.Invoke();
                    }
                });
            }

            if (missing)
            {
                File.Delete(partial);
                stderr.WriteLine("bte: a sector was deleted while reading; nothing was written.");
                return Task.FromResult(1);
            }

            File.Move(partial, target, overwrite: true);
            if (result.GetValue(json))
            {
                WriteJson(stdout, writer =>
                {
                    writer.WriteString("out", target);
                    writer.WriteNumber("sectors", hashes.Length);
                    writer.WriteNumber("bytes", bytes);
                });
            }
            else
            {
                stderr.WriteLine($"{target}: {bytes} bytes from {hashes.Length} sectors.");
            }

            return Task.FromResult(0);
        });
        return get;
    }

    public static Command DeleteCommand(Option<string?> store)
    {
        Argument<string[]> roots = new("ROOT") { Description = "The sectors to delete (64 hex digits each).", Arity = ArgumentArity.OneOrMore };
        Option<bool> json = new("--json") { Description = "Print {deleted: [...], missing: [...]} on stdout." };
        Command delete = new("delete", "Delete sectors from the store (index first, then the file). Exit 1 if any was not stored.") { roots, json };
        delete.SetAction((ParseResult result, CancellationToken cancellationToken) =>
        {
            TextWriter stdout = result.InvocationConfiguration.Output;
            TextWriter stderr = result.InvocationConfiguration.Error;
            List<Hash256> hashes = [];
            foreach (string text in result.GetValue(roots) ?? [])
            {
                if (!TryParseHash(text, "ROOT", stderr, out Hash256 hash))
                {
                    return Task.FromResult(2);
                }

                hashes.Add(hash);
            }

            using FileSectorStore? sectors = TryOpenStore(result, store, stderr);
            if (sectors is null)
            {
                return Task.FromResult(1);
            }

            List<Hash256> deleted = [];
            List<Hash256> missing = [];
            foreach (Hash256 hash in hashes)
            {
                (sectors.Delete(hash) ? deleted : missing).Add(hash);
            }

            if (result.GetValue(json))
            {
                WriteJson(stdout, writer =>
                {
                    WriteRoots(writer, "deleted", deleted);
                    WriteRoots(writer, "missing", missing);
                });
            }
            else
            {
                foreach (Hash256 hash in deleted)
                {
                    stdout.WriteLine($"{hash:x} deleted");
                }

                foreach (Hash256 hash in missing)
                {
                    stderr.WriteLine($"bte: {hash:x} was not in the store.");
                }
            }

            return Task.FromResult(missing.Count == 0 ? 0 : 1);
        });
        return delete;
    }

    public static Command GcCommand(Option<string?> store)
    {
        Option<ulong> block = new("--block") { Description = "The current block: sectors whose expiry block is below it are deleted.", Required = true };
        Option<bool> json = new("--json") { Description = "Print {block, deleted: [...], sectors} on stdout." };
        Command gc = new("gc", "Garbage-collect: delete every sector that expired before --block, then report what is left.") { block, json };
        gc.SetAction((ParseResult result, CancellationToken cancellationToken) =>
        {
            TextWriter stdout = result.InvocationConfiguration.Output;
            TextWriter stderr = result.InvocationConfiguration.Error;
            using FileSectorStore? sectors = TryOpenStore(result, store, stderr);
            if (sectors is null)
            {
                return Task.FromResult(1);
            }

            ulong current = result.GetValue(block);
            IReadOnlyList<Hash256> deleted = sectors.CollectExpired(current);
            StoreUsage usage = sectors.Usage;
            if (result.GetValue(json))
            {
                WriteJson(stdout, writer =>
                {
                    writer.WriteNumber("block", current);
                    WriteRoots(writer, "deleted", deleted);
                    writer.WriteNumber("sectors", usage.Sectors);
                });
            }
            else
            {
                foreach (Hash256 hash in deleted)
                {
                    stdout.WriteLine($"{hash:x} expired, deleted");
                }

                stderr.WriteLine($"{deleted.Count} expired sectors deleted; {usage.Sectors} remain ({Mib(usage.Bytes)} MiB).");
            }

            return Task.FromResult(0);
        });
        return gc;
    }

    public static Command QuotaCommand(Option<string?> store)
    {
        Option<bool> json = new("--json") { Description = "Print {directory, sectors, bytes, quotaBytes, freeQuotaBytes, diskFreeBytes, diskTotalBytes, reserveFraction} on stdout." };
        Command quota = new("quota", "Show how full the store is: sectors, bytes, the quota, and the file system's free space.") { json };
        quota.SetAction((ParseResult result, CancellationToken cancellationToken) =>
        {
            TextWriter stdout = result.InvocationConfiguration.Output;
            TextWriter stderr = result.InvocationConfiguration.Error;
            using FileSectorStore? sectors = TryOpenStore(result, store, stderr);
            if (sectors is null)
            {
                return Task.FromResult(1);
            }

            StoreUsage usage = sectors.Usage;
            DriveInfo drive = new(sectors.Directory);
            if (result.GetValue(json))
            {
                WriteJson(stdout, writer =>
                {
                    writer.WriteString("directory", sectors.Directory);
                    writer.WriteNumber("sectors", usage.Sectors);
                    writer.WriteNumber("bytes", usage.Bytes);
                    writer.WriteNumber("quotaBytes", usage.QuotaBytes);
                    writer.WriteNumber("freeQuotaBytes", usage.FreeBytes);
                    writer.WriteNumber("diskFreeBytes", drive.AvailableFreeSpace);
                    writer.WriteNumber("diskTotalBytes", drive.TotalSize);
                    writer.WriteNumber("reserveFraction", sectors.ReserveFraction);
                });
            }
            else
            {
                stdout.WriteLine($"store {sectors.Directory}");
                stdout.WriteLine($"  {usage.Sectors} sectors, {Mib(usage.Bytes)} MiB of a {Mib(usage.QuotaBytes)} MiB quota ({Mib(usage.FreeBytes)} MiB left)");
                stdout.WriteLine($"  file system: {Mib(drive.AvailableFreeSpace)} MiB free of {Mib(drive.TotalSize)} MiB (puts keep {sectors.ReserveFraction * 100:0.#} % of it free)");
            }

            return Task.FromResult(0);
        });
        return quota;
    }

    public static Command ListCommand(Option<string?> store)
    {
        Option<bool> json = new("--json") { Description = "One JSON object per line: {root, storedAt, expiresAtBlock}." };
        Command list = new("list", "List the stored sectors in root order.") { json };
        list.SetAction((ParseResult result, CancellationToken cancellationToken) =>
        {
            TextWriter stdout = result.InvocationConfiguration.Output;
            TextWriter stderr = result.InvocationConfiguration.Error;
            using FileSectorStore? sectors = TryOpenStore(result, store, stderr);
            if (sectors is null)
            {
                return Task.FromResult(1);
            }

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

            using FileSectorStore? sectors = TryOpenStore(result, store, stderr);
            if (sectors is null)
            {
                return Task.FromResult(1);
            }

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

    /// <summary>Opens the store, or says why it cannot (and what to do) and returns null.</summary>
    private static FileSectorStore? TryOpenStore(ParseResult result, Option<string?> store, TextWriter stderr)
    {
        string directory = result.GetValue(store) ?? Axon.AxonServeAction.DefaultStorePath(Environment.GetEnvironmentVariable);
        SectorStoreOptions options = new() { Directory = directory };
        if (result.GetValue<double?>(StorageCommands.QuotaOptionName) is double gib)
        {
            options.QuotaBytes = (long)(gib * 1024 * 1024 * 1024);
        }

        if (result.GetValue<double?>(StorageCommands.ReserveOptionName) is double reserve)
        {
            options.ReserveFraction = reserve;
        }

        if (options.Validate() is string invalid)
        {
            string option = invalid.StartsWith("storage.reserveFraction", StringComparison.Ordinal) ? StorageCommands.ReserveOptionName : StorageCommands.QuotaOptionName;
            stderr.WriteLine($"bte: {option}: {invalid}");
            return null;
        }

        FileSectorStore sectors;
        try
        {
            sectors = FileSectorStore.Open(options, SystemClock.Instance);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SectorStoreCorruptException)
        {
            stderr.WriteLine($"bte: cannot open the store in {directory}: {e.Message}");
            stderr.WriteLine("bte: pass --store DIR (or set BTE_STORE_PATH) to use another directory; a store in use by another process (bte axon serve) must be stopped first.");
            return null;
        }

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

    /// <summary>Runs <paramref name="work"/> with a progress bar on stderr when <paramref name="show"/>, else plainly.</summary>
    private static void WithProgress(TextWriter stderr, bool show, string title, long total, Action<Action?> work)
    {
        if (!show)
        {
            work(null);
            return;
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr) });
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(title, maxValue: total * (double)StorageConstants.SectorSize);
                work(() => task.Increment(StorageConstants.SectorSize));
            });
    }

    private static void WriteJson(TextWriter stdout, Action<Utf8JsonWriter> body)
    {
        using MemoryStream buffer = new();
        using (Utf8JsonWriter writer = new(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteRoots(Utf8JsonWriter writer, string name, IEnumerable<Hash256> roots)
    {
        writer.WriteStartArray(name);
        foreach (Hash256 root in roots)
        {
            writer.WriteStringValue(root.ToString("x", null));
        }

        writer.WriteEndArray();
    }

    private static long Mib(long bytes) => bytes / (1024 * 1024);

    private static bool TryParseHash(string? text, string name, TextWriter stderr, out Hash256 hash)
    {
        if (Hash256.TryParse(text, out hash))
        {
            return true;
        }

        stderr.WriteLine($"bte: {name}: expected 64 hex digits.");
        return false;
    }

    private static string Describe(PutStatus status, double reserveFraction) => status switch
    {
        PutStatus.QuotaExceeded => "the store is at its quota",
        PutStatus.DiskFull => $"the file system is full (or would go below its {reserveFraction * 100:0.#} % reserve)",
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
