// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Storage.Tests.Proofs;

/// <summary>
/// The cheats of storage-proofs.md §4–6 played end to end: a validator derives a challenge, a miner answers from its
/// store, and the validator checks the answer against the roots it recorded.
/// </summary>
public sealed class AdversarialTests : IDisposable
{
    private static readonly PublicKey s_minerA = new(Enumerable.Repeat((byte)0xA0, 32).ToArray());
    private static readonly PublicKey s_minerB = new(Enumerable.Repeat((byte)0xB0, 32).ToArray());
    private static readonly byte[][] s_sectors = [.. Enumerable.Range(100, 4).Select(TestSectors.Create)];
    private static readonly Hash256[] s_roots = [.. s_sectors.Select(s => SectorTree.ComputeRoot(s))];

    private readonly ManualClock _clock = new();
    private readonly MemorySectorStore _store;

    public AdversarialTests()
    {
        _store = new MemorySectorStore(new SectorStoreOptions(), _clock);
        for (int i = 0; i < s_sectors.Length; i++)
        {
            Assert.Equal(PutStatus.Stored, _store.Put(s_roots[i], s_sectors[i], 1000));
        }
    }

    public void Dispose() => _store.Dispose();

    private static SectorLeaf[] ChallengeFor(PublicKey miner, byte block, int k = 32) =>
        Challenge.DeriveItems(Challenge.DeriveSeed(Sha256.Hash([block]), Sha256.Hash([block, 0xCC]), miner), s_roots, k);

    private SectorLeafProof?[] Answer(SectorLeaf[] items)
    {
        using SectorProver prover = new(_store);
        prover.Prove(items, out SectorLeafProof?[] proofs);
        return proofs;
    }

    [Fact]
    public void Honest_miner_passes()
    {
        SectorLeaf[] items = ChallengeFor(s_minerA, 1);
        Assert.True(ProofVerifier.VerifyChallenge(items, Answer(items)).IsValid);
    }

    [Fact]
    public void Proof_computed_for_another_miners_hotkey_fails()
    {
        SectorLeaf[] forA = ChallengeFor(s_minerA, 1);
        SectorLeafProof?[] computedForB = Answer(ChallengeFor(s_minerB, 1));
        ChallengeVerdict verdict = ProofVerifier.VerifyChallenge(forA, computedForB);
        Assert.False(verdict.IsValid);
        Assert.Equal(ProofStatus.ItemMismatch, verdict.Status);
    }

    [Fact]
    public void Replayed_proof_for_an_old_challenge_fails()
    {
        SectorLeafProof?[] old = Answer(ChallengeFor(s_minerA, 1));
        ChallengeVerdict verdict = ProofVerifier.VerifyChallenge(ChallengeFor(s_minerA, 2), old);
        Assert.Equal(ProofStatus.ItemMismatch, verdict.Status);
    }

    [Fact]
    public void Miner_missing_a_sector_cannot_answer_and_fails()
    {
        Assert.True(_store.Delete(s_roots[2]));
        SectorLeaf[] items = ChallengeFor(s_minerA, 3);
        Assert.Contains(items, i => i.Root == s_roots[2]);
        using SectorProver prover = new(_store);
        Assert.Equal(ProveStatus.MissingSector, prover.Prove(items, out SectorLeafProof?[] proofs));

        ChallengeVerdict verdict = ProofVerifier.VerifyChallenge(items, proofs);
        Assert.Equal(ProofStatus.Malformed, verdict.Status);
        Assert.Equal(s_roots[2], items[verdict.FailedItem].Root);
    }

    [Fact]
    public void Miner_that_keeps_only_the_roots_fails()
    {
        SectorLeaf[] items = ChallengeFor(s_minerA, 4);
        SectorLeafProof[] forged = [.. items.Select(i => new SectorLeafProof(i.Root, i.Leaf, new byte[4096], new byte[320]))];
        Assert.Equal(new ChallengeVerdict(ProofStatus.RootMismatch, 0), ProofVerifier.VerifyChallenge(items, forged));
    }

    [Fact]
    public void Miner_that_keeps_the_roots_and_level4_cache_but_no_data_fails()
    {
        // It can fill path levels 4..9 exactly; it has nothing true for the data and levels 0..3.
        SectorLeaf[] items = ChallengeFor(s_minerA, 5);
        SectorLeafProof?[] honest = Answer(items);
        SectorLeafProof[] forged = [.. honest.Select(p => new SectorLeafProof(p!.Root, p.Leaf, new byte[4096], [.. new byte[128], .. p.Path!.AsSpan(128)]))];
        Assert.Equal(ProofStatus.RootMismatch, ProofVerifier.VerifyChallenge(items, forged).Status);
    }

    [Fact]
    public void Random_garbage_answers_fail()
    {
        Random random = new(42);
        SectorLeaf[] items = ChallengeFor(s_minerA, 6);
        for (int round = 0; round < 20; round++)
        {
            SectorLeafProof[] garbage = [.. items.Select(i =>
            {
                byte[] data = new byte[random.Next(2) == 0 ? 4096 : random.Next(0, 9000)];
                byte[] path = new byte[random.Next(2) == 0 ? 320 : random.Next(0, 700)];
                random.NextBytes(data);
                random.NextBytes(path);
                return new SectorLeafProof(i.Root, i.Leaf, data, path);
            })];
            Assert.False(ProofVerifier.VerifyChallenge(items, garbage).IsValid);
        }
    }
}
