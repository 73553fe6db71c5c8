// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Miner;

/// <summary>
/// <c>bte-miner self-test</c>: proves on this very binary and CPU (the arm64 smoke test runs it under qemu) that keys,
/// signatures, bus envelopes, the sector store and storage proofs work. A key is generated in memory, a random 4 MiB
/// sector goes into a <see cref="FileSectorStore"/> in a temporary folder (LiteDB index, fsync, rename), a k = 32
/// challenge is derived, proved and verified, and a tampered proof must fail. ONNX Runtime is never touched: its native
/// library is loaded only when a model is first used.
/// </summary>
/// <remarks>Stateless; each run uses its own temporary folder and removes it.</remarks>
public static class SelfTest
{
    /// <summary>One check's outcome.</summary>
    /// <param name="Name">What was checked.</param>
    /// <param name="Ok">Whether it passed.</param>
    /// <param name="Detail">What was seen (timing, or why it failed).</param>
    public sealed record Check(string Name, bool Ok, string Detail);

    /// <summary>Runs every check and prints one line per check (or one JSON object); true when all passed.</summary>
    public static bool Run(TextWriter output, bool json)
    {
        ArgumentNullException.ThrowIfNull(output);
        IReadOnlyList<Check> checks = RunChecks();
        bool ok = checks.All(static c => c.Ok);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new SelfTestReport(ok, MinerVersion.Current, [.. checks]), MinerJsonContext.Default.SelfTestReport));
        }
        else
        {
            foreach (Check check in checks)
            {
                output.WriteLine($"{(check.Ok ? "ok  " : "FAIL")}  {check.Name}: {check.Detail}");
            }

            output.WriteLine(ok ? $"self-test passed ({checks.Count} checks, bte-miner {MinerVersion.Current})" : "self-test FAILED");
        }

        return ok;
    }

    /// <summary>Runs the checks; a check that throws fails with the exception's message, and the others still run.</summary>
    public static IReadOnlyList<Check> RunChecks()
    {
        List<Check> checks = [];
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        checks.Add(Timed("ed25519 sign/verify", () => SignAndVerify(key)));
        checks.Add(Timed("device id and bus envelope", () => Envelope(key)));
        checks.Add(Timed("sector store and k=32 proof", () => StoreAndProve(key)));
        return checks;
    }

    private static string SignAndVerify(Ed25519KeyPair key)
    {
        byte[] message = RandomNumberGenerator.GetBytes(64);
        Signature signature = key.Sign(message);
        Require(Ed25519.Verify(key.PublicKey, message, signature), "a fresh signature does not verify");
        message[0] ^= 1;
        Require(!Ed25519.Verify(key.PublicKey, message, signature), "a signature verifies over altered data");
        return $"key {key.Ss58Address[..8]}...";
    }

    private static string Envelope(Ed25519KeyPair key)
    {
        string deviceId = DeviceIds.FromPublicKey(key.PublicKey);
        Require(DeviceIds.IsValid(deviceId), $"'{deviceId}' is not a well-formed device id");
        byte[] correlation = BusEnvelope.NewCorrelationId();
        byte[] body = RandomNumberGenerator.GetBytes(1000);
        byte[] sealedEnvelope = BusEnvelope.Seal(correlation, BusResponseHeader.Failure(BusErrors.Busy, "self-test"), body, key);
        Require(BusEnvelope.TryOpen(sealedEnvelope, correlation, key.PublicKey, out BusEnvelope opened, out _), "a sealed envelope does not open");
        Require(opened.Body.Span.SequenceEqual(body), "the envelope body changed");
        correlation[3] ^= 1;
        Require(!BusEnvelope.TryOpen(sealedEnvelope, correlation, key.PublicKey, out _, out BusEnvelopeError error) && error == BusEnvelopeError.BadSignature, "an envelope opens under another correlation id");
        return deviceId;
    }

    private static string StoreAndProve(Ed25519KeyPair key)
    {
        string folder = Path.Combine(Path.GetTempPath(), "bte-miner-self-test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        try
        {
            byte[] sector = RandomNumberGenerator.GetBytes(StorageConstants.SectorSize);
            Hash256 root = SectorTree.ComputeRoot(sector);
            using FileSectorStore store = FileSectorStore.Open(new SectorStoreOptions { Directory = folder, ReserveFraction = 0 }, SystemClock.Instance);
            PutStatus put = store.Put(root, sector, expiresAtBlock: 1);
            Require(put == PutStatus.Stored, $"the store answered {put} for a valid sector");
            Hash256 wrong = Sha256.Hash(root.Bytes);
            Require(store.Put(wrong, sector, 1) == PutStatus.RootMismatch, "the store accepted a sector under the wrong root");

            Hash256 seed = Challenge.DeriveSeed(Sha256.Hash(RandomNumberGenerator.GetBytes(32)), Sha256.Hash(RandomNumberGenerator.GetBytes(32)), key.PublicKey);
            SectorLeaf[] items = Challenge.DeriveItems(seed, [root], StorageConstants.DefaultChallengeItems);
            using SectorProver prover = new(store);
            ProveStatus proved = prover.Prove(items, out SectorLeafProof?[] proofs);
            Require(proved == ProveStatus.Proved, $"the prover answered {proved}");
            ChallengeVerdict verdict = ProofVerifier.VerifyChallenge(items, proofs);
            Require(verdict.IsValid, $"a fresh proof does not verify ({verdict.Status} at item {verdict.FailedItem})");

            SectorLeafProof first = proofs[0]!;
            byte[] tampered = first.Data!.ToArray();
            tampered[100] ^= 0x40;
            proofs[0] = new SectorLeafProof(first.Root, first.Leaf, tampered, first.Path);
            Require(!ProofVerifier.VerifyChallenge(items, proofs).IsValid, "a tampered proof verifies");
            return $"root {root.ToString("x", null)[..16]}..., {items.Length} items";
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // Never created: the store failed before touching the disk.
            }
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A self-test reports any failure of the code it checks as a failed check, never a crash.")]
    private static Check Timed(string name, Func<string> check)
    {
        TimeSpan start = SystemClock.Instance.Elapsed;
        try
        {
            string detail = check();
            return new Check(name, true, $"{detail} ({(SystemClock.Instance.Elapsed - start).TotalMilliseconds:F0} ms)");
        }
        catch (Exception e)
        {
            return new Check(name, false, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static void Require([DoesNotReturnIf(false)] bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException(failure);
        }
    }
}

/// <summary>The JSON form of <c>bte-miner self-test --json</c>.</summary>
/// <param name="Ok">Whether every check passed.</param>
/// <param name="Version">The binary's version.</param>
/// <param name="Checks">Each check.</param>
public sealed record SelfTestReport(bool Ok, string Version, IReadOnlyList<SelfTest.Check> Checks);
