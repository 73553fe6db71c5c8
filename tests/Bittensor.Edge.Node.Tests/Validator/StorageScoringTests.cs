// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Node.Validator;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Signing;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Node.Tests.Validator;

/// <summary>
/// Adversarial answers to a storage challenge (storage-proofs.md §4–6): each cheat must fail verification or the
/// deadline, scored by <see cref="StorageScoring.Classify"/> against the roots the validator recorded.
/// </summary>
public sealed class StorageScoringTests : IDisposable
{
    private static readonly TimeSpan Quick = TimeSpan.FromMilliseconds(300);

    private readonly MemorySectorStore _store = new(new SectorStoreOptions(), new ManualClock());
    private readonly Hash256[] _roots;
    private readonly PublicKey _miner = RandomKey();
    private readonly PublicKey _otherMiner = RandomKey();
    private readonly Hash256 _blockHash = RandomHash();

    public StorageScoringTests()
    {
        _roots = new Hash256[3];
        for (int i = 0; i < _roots.Length; i++)
        {
            byte[] data = new byte[StorageConstants.SectorSize];
            new Random(100 + i).NextBytes(data);
            _roots[i] = Storage.Merkle.SectorTree.ComputeRoot(data);
            Assert.Equal(PutStatus.Stored, _store.Put(_roots[i], data, 1_000));
        }
    }

    public void Dispose() => _store.Dispose();

    [Fact]
    public void Honest_proofs_pass_within_the_soft_deadline_and_are_late_up_to_the_hard_timeout()
    {
        SectorLeaf[] items = Items(RandomHash(), _miner);
        StorageChallengeResponse answer = Prove(items);

        Assert.Equal(ChallengeOutcome.Pass, StorageScoring.Classify(items, Signed(answer), Quick));
        Assert.Equal(ChallengeOutcome.Pass, StorageScoring.Classify(items, Signed(answer), StorageScoring.SoftDeadline));
        Assert.Equal(ChallengeOutcome.Late, StorageScoring.Classify(items, Signed(answer), TimeSpan.FromSeconds(3)));
        Assert.Equal(ChallengeOutcome.Late, StorageScoring.Classify(items, Signed(answer), StorageScoring.HardTimeout));
    }

    [Fact]
    public void A_valid_answer_after_the_hard_timeout_fails()
    {
        SectorLeaf[] items = Items(RandomHash(), _miner);

        ChallengeOutcome outcome = StorageScoring.Classify(items, Signed(Prove(items)), StorageScoring.HardTimeout + TimeSpan.FromTicks(1));

        Assert.Equal(ChallengeOutcome.Fail, outcome);
    }

    [Fact]
    public void A_flipped_bit_in_leaf_data_is_forged()
    {
        SectorLeaf[] items = Items(RandomHash(), _miner);
        StorageChallengeResponse answer = Prove(items);
        answer.Proofs[7].Data[1234] ^= 0x10;

        Assert.Equal(ChallengeOutcome.Forged, StorageScoring.Classify(items, Signed(answer), Quick));
    }

    [Fact]
    public void A_flipped_bit_in_a_merkle_path_is_forged()
    {
        SectorLeaf[] items = Items(RandomHash(), _miner);
        StorageChallengeResponse answer = Prove(items);
        answer.Proofs[0].Path[200] ^= 0x01;

        Assert.Equal(ChallengeOutcome.Forged, StorageScoring.Classify(items, Signed(answer), Quick));
    }

    [Fact]
    public void A_missing_sector_cannot_be_proved_so_the_miner_either_refuses_or_forges()
    {
        SectorLeaf[] items = Items(RandomHash(), _miner);
        Assert.True(_store.Delete(items[0].Root));
        using SectorProver prover = new(_store);

        Assert.Equal(ProveStatus.MissingSector, prover.Prove(items, out SectorLeafProof?[] partial));
        StorageChallengeResponse filled = new(
            [.. items.Select((item, i) => partial[i] is SectorLeafProof p
                ? new LeafProof(p.Root, p.Leaf, p.Data!, p.Path!)
                : new LeafProof(item.Root, item.Leaf, new byte[StorageConstants.LeafSize], new byte[StorageConstants.PathSize]))]);
        DendriteResult<StorageChallengeResponse> refused = new(
            AxonStatus.UnprocessableEntity, "UnknownSector", ReadOnlyMemory<byte>.Empty, Quick, Headers(422), new ErrorBody(DomainErrorCodes.UnknownSector, "gone"), null);

        Assert.Equal(ChallengeOutcome.Forged, StorageScoring.Classify(items, Signed(filled), Quick));
        Assert.Equal(ChallengeOutcome.Fail, StorageScoring.Classify(items, refused, Quick));
    }

    [Fact]
    public void A_replayed_answer_to_an_old_challenge_is_forged()
    {
        SectorLeaf[] old = Items(RandomHash(), _miner);
        StorageChallengeResponse oldAnswer = Prove(old);
        SectorLeaf[] fresh = Items(RandomHash(), _miner);

        Assert.Equal(ChallengeOutcome.Pass, StorageScoring.Classify(old, Signed(oldAnswer), Quick));
        Assert.Equal(ChallengeOutcome.Forged, StorageScoring.Classify(fresh, Signed(oldAnswer), Quick));
    }

    [Fact]
    public void An_answer_derived_for_another_miners_hotkey_is_forged()
    {
        Hash256 nonce = RandomHash();
        SectorLeaf[] forThisMiner = Items(nonce, _miner);
        StorageChallengeResponse otherAnswer = Prove(Items(nonce, _otherMiner));

        Assert.Equal(ChallengeOutcome.Forged, StorageScoring.Classify(forThisMiner, Signed(otherAnswer), Quick));
    }

    [Fact]
    public void A_miner_that_kept_only_the_roots_and_upper_trees_is_forged_and_scores_zero()
    {
        SectorLeaf[] items = Items(RandomHash(), _miner);
        StorageChallengeResponse answer = Prove(items);

        // It can copy path levels 4..9 from the trees it kept, but not the leaf data or levels 0..3 below them.
        StorageChallengeResponse rootsOnly = new(
            [.. answer.Proofs.Select(p => new LeafProof(p.Root, p.Leaf, new byte[StorageConstants.LeafSize], [.. new byte[4 * 32], .. p.Path[(4 * 32)..]]))]);
        ChallengeOutcome outcome = StorageScoring.Classify(items, Signed(rootsOnly), Quick);

        Assert.Equal(ChallengeOutcome.Forged, outcome);
        Assert.Equal(0, StorageScoring.Score(outcome));
        Assert.Equal(0, StorageScoring.UpdateEma(0.9, outcome));
    }

    [Fact]
    public void Random_garbage_with_the_right_roots_and_leaves_is_forged()
    {
        SectorLeaf[] items = Items(RandomHash(), _miner);
        StorageChallengeResponse garbage = new(
            [.. items.Select(i => new LeafProof(i.Root, i.Leaf, RandomNumberGenerator.GetBytes(StorageConstants.LeafSize), RandomNumberGenerator.GetBytes(StorageConstants.PathSize)))]);

        Assert.Equal(ChallengeOutcome.Forged, StorageScoring.Classify(items, Signed(garbage), Quick));
    }

    [Fact]
    public void A_wrong_item_count_an_unsigned_answer_or_a_non_200_fails()
    {
        SectorLeaf[] items = Items(RandomHash(), _miner);
        StorageChallengeResponse answer = Prove(items);
        StorageChallengeResponse short1 = new([.. answer.Proofs.Take(items.Length - 1)]);
        DendriteResult<StorageChallengeResponse> unsigned = Signed(answer) with { Headers = null };
        DendriteResult<StorageChallengeResponse> timeout = new(AxonStatus.Timeout, "late", ReadOnlyMemory<byte>.Empty, StorageScoring.HardTimeout, null, null, null);

        Assert.Equal(ChallengeOutcome.Fail, StorageScoring.Classify(items, Signed(short1), Quick));
        Assert.Equal(ChallengeOutcome.Fail, StorageScoring.Classify(items, unsigned, Quick));
        Assert.Equal(ChallengeOutcome.Fail, StorageScoring.Classify(items, timeout, Quick));
    }

    [Fact]
    public void The_ema_moves_by_alpha_scores_late_as_half_and_resets_on_a_forgery()
    {
        double ema = 0;
        ema = StorageScoring.UpdateEma(ema, ChallengeOutcome.Pass);
        Assert.Equal(0.05, ema, 12);
        ema = StorageScoring.UpdateEma(ema, ChallengeOutcome.Late);
        Assert.Equal((0.95 * 0.05) + (0.05 * 0.5), ema, 12);
        ema = StorageScoring.UpdateEma(ema, ChallengeOutcome.Fail);
        Assert.Equal(0.95 * ((0.95 * 0.05) + (0.05 * 0.5)), ema, 12);
        Assert.Equal(0, StorageScoring.UpdateEma(0.9, ChallengeOutcome.Forged));
    }

    private static PublicKey RandomKey() => new(RandomNumberGenerator.GetBytes(32));

    private static Hash256 RandomHash() => new(RandomNumberGenerator.GetBytes(32));

    private static ResponseHeaders Headers(int status) =>
        new(status, "ok", TimeSpan.Zero, default, 1, Guid.NewGuid(), Hash256.Zero, default);

    private static DendriteResult<StorageChallengeResponse> Signed(StorageChallengeResponse response) =>
        new(AxonStatus.Ok, "Success", ReadOnlyMemory<byte>.Empty, Quick, Headers(200), null, response);

    private SectorLeaf[] Items(Hash256 nonce, PublicKey miner) =>
        Challenge.DeriveItems(Challenge.DeriveSeed(_blockHash, nonce, miner), _roots, StorageScoring.DefaultK);

    private StorageChallengeResponse Prove(SectorLeaf[] items)
    {
        using SectorProver prover = new(_store);
        Assert.Equal(ProveStatus.Proved, prover.Prove(items, out SectorLeafProof?[] proofs));
        return new StorageChallengeResponse([.. proofs.Select(p => new LeafProof(p!.Root, p.Leaf, p.Data!, p.Path!))]);
    }
}
