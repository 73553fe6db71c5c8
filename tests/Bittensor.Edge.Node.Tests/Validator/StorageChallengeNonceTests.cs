// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Node;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Node.Validator;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Proofs;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Node.Tests.Validator;

/// <summary>
/// The storage validator's challenge seed (storage-proofs.md §4): <c>SHA-256(tag ‖ blockHash ‖ validatorNonce ‖ minerHotkey)</c>
/// with 32 fresh random bytes of nonce per challenge. Observed on the miner side, from the requests its axon receives,
/// while the chain stays at one best block, so the block hash cannot be what makes two challenges differ.
/// </summary>
public sealed class StorageChallengeNonceTests
{
    // Two sectors per miner, all stored in round 1: later rounds store nothing, so the sector list is fixed too.
    private static readonly StorageValidatorOptions s_options = new()
    {
        Netuid = StorageMarketRig.Netuid,
        MaxStoresPerRound = 2,
        MaxBytesPerMiner = 2L * StorageConstants.SectorSize,
        StoreSpread = 0,
    };

    [Fact]
    public async Task Two_challenges_to_one_miner_at_the_same_best_block_carry_different_nonces_and_so_different_items()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using StorageMarketRig rig = await StorageMarketRig.StartAsync(miners: 1, ct);
        RecordingMiner miner = rig.Miners[0];
        using Dendrite dendrite = new(rig.Validator, Core.Time.SystemClock.Instance);
        StorageValidator validator = new(rig.Client, dendrite, rig.Validator.PublicKey, rig.Clock, s_options, NullLogger.Instance);
        ChainHead head = rig.Chain.Head;

        MinerRoundResult first = Assert.Single(await validator.RunRoundAsync(ct));
        MinerRoundResult second = Assert.Single(await validator.RunRoundAsync(ct));

        Assert.Equal((2, 0), (first.Stored, second.Stored));
        Assert.Equal(ChallengeOutcome.Pass, first.Challenge);
        Assert.Equal(ChallengeOutcome.Pass, second.Challenge);
        Assert.Equal(head.Hash, rig.Chain.Head.Hash); // no block between the rounds
        StorageChallengeRequest[] challenges = miner.Challenges;
        Assert.Equal(2, challenges.Length);
        Assert.All(challenges, c => Assert.Equal((head.Number, head.Hash), (c.BlockNumber, c.BlockHash.Value)));
        Assert.All(challenges, c => Assert.NotEqual(Hash256.Zero, c.ValidatorNonce.Value));
        Assert.NotEqual(challenges[0].ValidatorNonce, challenges[1].ValidatorNonce);

        // Each request's items are the ones its own nonce derives over the same two sectors: the nonce, and only the
        // nonce, moved the seed, and with it the leaves (32 draws over 2 048 leaves cannot repeat by chance).
        Hash256[] roots = miner.RootsInChallengeOrder(head.Number);
        Assert.Equal(2, roots.Length);
        Hash256[] seeds = [.. challenges.Select(c => Challenge.DeriveSeed(c.BlockHash, c.ValidatorNonce, miner.Hotkey.PublicKey))];
        Assert.NotEqual(seeds[0], seeds[1]);
        for (int i = 0; i < challenges.Length; i++)
        {
            Assert.Equal(StorageScoring.DefaultK, challenges[i].K);
            Assert.Equal(Challenge.DeriveItems(seeds[i], roots, challenges[i].K), Items(challenges[i]));
        }

        Assert.NotEqual(Items(challenges[0]), Items(challenges[1]));
    }

    [Fact]
    public async Task Two_miners_challenged_in_the_same_round_get_different_nonces()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using StorageMarketRig rig = await StorageMarketRig.StartAsync(miners: 2, ct);
        using Dendrite dendrite = new(rig.Validator, Core.Time.SystemClock.Instance);
        StorageValidator validator = new(rig.Client, dendrite, rig.Validator.PublicKey, rig.Clock, s_options, NullLogger.Instance);
        ChainHead head = rig.Chain.Head;

        IReadOnlyList<MinerRoundResult> round = await validator.RunRoundAsync(ct);

        Assert.Equal(2, round.Count);
        Assert.All(round, r => Assert.Equal(ChallengeOutcome.Pass, r.Challenge));
        StorageChallengeRequest a = Assert.Single(rig.Miners[0].Challenges);
        StorageChallengeRequest b = Assert.Single(rig.Miners[1].Challenges);
        Assert.Equal(a.BlockHash, b.BlockHash);
        Assert.Equal(head.Hash, a.BlockHash.Value);
        Assert.NotEqual(Hash256.Zero, a.ValidatorNonce.Value);
        Assert.NotEqual(Hash256.Zero, b.ValidatorNonce.Value);
        Assert.NotEqual(a.ValidatorNonce, b.ValidatorNonce);

        // Each miner's items come from its own nonce bound to its own hotkey.
        foreach ((RecordingMiner miner, StorageChallengeRequest request) in new[] { (rig.Miners[0], a), (rig.Miners[1], b) })
        {
            Hash256 seed = Challenge.DeriveSeed(request.BlockHash, request.ValidatorNonce, miner.Hotkey.PublicKey);
            Assert.Equal(Challenge.DeriveItems(seed, miner.RootsInChallengeOrder(head.Number), request.K), Items(request));
        }
    }

    private static SectorLeaf[] Items(StorageChallengeRequest request) => [.. request.Items.Select(i => new SectorLeaf(i.Root, i.Leaf))];
}
