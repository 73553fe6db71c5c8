// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Cli.Commands.Axon;
using Bittensor.Edge.Cli.Tests.Chain;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Core.Wallets;
using Bittensor.Edge.Node.Validator;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;
using Bittensor.Edge.Storage.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Cli.Tests.Axon;

/// <summary>
/// The storage market end to end on loopback: a dev node, two real axons from <c>bte axon serve</c> (an honest one on a
/// <see cref="FileSectorStore"/> in a temp directory, and one that acknowledges sectors without keeping them), and the
/// node's <see cref="StorageValidator"/> storing, challenging, auditing and setting weights.
/// </summary>
public sealed class StorageValidatorTests : IAsyncLifetime
{
    private readonly string _temp = Directory.CreateTempSubdirectory("bte-sv-").FullName;
    private ChainCliHarness _h = null!;

    public async ValueTask InitializeAsync() => _h = await ChainCliHarness.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _h.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }

    [Fact]
    public async Task A_round_scores_the_honest_axon_above_the_cheater_and_sets_weights_that_reflect_it()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await SubnetWithPermitsAsync();
        using HttpClient http = new();
        ChainRpcClient client = new(http, _h.NodeUrl);
        using WalletKey honestKey = new Core.Wallets.Wallet(_h.WalletRoot, "miner").LoadHotkey("default");
        using WalletKey cheaterKey = new Core.Wallets.Wallet(_h.WalletRoot, "owner").LoadHotkey("default");
        using WalletKey validatorKey = new Core.Wallets.Wallet(_h.WalletRoot, "validator").LoadHotkey("default");

        string honestDir = Path.Combine(_temp, "honest");
        Directory.CreateDirectory(honestDir);
        using FileSectorStore honestStore = FileSectorStore.Open(new SectorStoreOptions { Directory = honestDir, ReserveFraction = 0 }, SystemClock.Instance);
        using SectorOwnerLog honestOwners = SectorOwnerLog.Open(Path.Combine(honestDir, AxonServeAction.OwnersFileName));
        using ForgetfulStore cheaterStore = new();
        using SectorOwnerLog cheaterOwners = new();
        StringWriter error = new();

        RunningAxon? honest = await AxonServeAction.StartAsync(
            client, honestKey.KeyPair, new AxonServeSettings(1, IPAddress.Loopback, 0, null, true),
            new SectorService(honestStore, honestOwners), SystemClock.Instance, NullLoggerFactory.Instance, error, ct);
        RunningAxon? cheater = await AxonServeAction.StartAsync(
            client, cheaterKey.KeyPair, new AxonServeSettings(1, IPAddress.Loopback, 0, null, true),
            new SectorService(cheaterStore, cheaterOwners), SystemClock.Instance, NullLoggerFactory.Instance, error, ct);
        Assert.True(honest is not null && cheater is not null, error.ToString());
        await using (honest)
        await using (cheater)
        {
            using Dendrite dendrite = new(validatorKey.KeyPair, SystemClock.Instance);
            StorageValidator validator = new(
                client, dendrite, validatorKey.PublicKey, SystemClock.Instance,
                new StorageValidatorOptions { Netuid = 1, MaxStoresPerRound = 2, RetrievalEveryRounds = 2, StoreSpread = 0 },
                NullLogger.Instance);

            IReadOnlyList<MinerRoundResult> first = await validator.RunRoundAsync(ct);
            IReadOnlyList<MinerRoundResult> second = await validator.RunRoundAsync(ct);

            MinerRoundResult honestFirst = Assert.Single(first, r => r.Hotkey.Equals(honestKey.PublicKey));
            MinerRoundResult cheaterFirst = Assert.Single(first, r => r.Hotkey.Equals(cheaterKey.PublicKey));
            MinerRoundResult honestSecond = Assert.Single(second, r => r.Hotkey.Equals(honestKey.PublicKey));
            MinerRoundResult cheaterSecond = Assert.Single(second, r => r.Hotkey.Equals(cheaterKey.PublicKey));
            Assert.Equal(2, honestFirst.Stored);
            Assert.Equal(2, cheaterFirst.Stored); // the cheater acknowledged both sectors...
            Assert.Equal(4, honestStore.Usage.Sectors); // two a round, MaxStoresPerRound
            Assert.Equal(0, cheaterStore.Usage.Sectors); // ...and kept none of them
            Assert.Contains(honestFirst.Challenge, new ChallengeOutcome?[] { ChallengeOutcome.Pass, ChallengeOutcome.Late });
            Assert.Contains(honestSecond.Challenge, new ChallengeOutcome?[] { ChallengeOutcome.Pass, ChallengeOutcome.Late });
            Assert.Equal(ChallengeOutcome.Pass, honestSecond.Retrieval);
            Assert.Equal(ChallengeOutcome.Fail, cheaterFirst.Challenge);
            Assert.Equal(ChallengeOutcome.Fail, cheaterSecond.Challenge);
            Assert.Equal(ChallengeOutcome.Fail, cheaterSecond.Retrieval);
            Assert.True(honestSecond.Ema > cheaterSecond.Ema);
            Assert.Equal(0, cheaterSecond.Ema);

            IReadOnlyDictionary<ushort, double> storageWeights = validator.Weights();
            Assert.Equal(1.0, storageWeights[honestSecond.Uid]);
            Assert.False(storageWeights.ContainsKey(cheaterSecond.Uid));

            ChainWeightSubmitter submitter = new(client, validatorKey.KeyPair, 1);
            bool? accepted = await new WeightSetter(submitter).Add(validator, 0.5).SetAsync(ct);
            Assert.True(accepted == true, submitter.LastStatus?.Error);

            RpcMetagraph metagraph = await client.GetMetagraphAsync(1, ct);
            ushort validatorUid = (ushort)metagraph.Hotkeys.IndexOf(validatorKey.PublicKey);
            IReadOnlyList<(ushort Uid, ushort Weight)> row = await client.GetWeightsAsync(1, validatorUid, ct);
            (ushort Uid, ushort Weight) only = Assert.Single(row);
            Assert.Equal(honestSecond.Uid, only.Uid);
            Assert.Equal(ushort.MaxValue, only.Weight);
        }

        Assert.Equal("", error.ToString());
    }

    [Fact]
    public async Task A_restarted_validator_keeps_its_roots_and_scores_and_still_challenges_and_audits_the_old_sectors()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await SubnetWithPermitsAsync();
        using HttpClient http = new();
        ChainRpcClient client = new(http, _h.NodeUrl);
        using WalletKey minerKey = new Core.Wallets.Wallet(_h.WalletRoot, "miner").LoadHotkey("default");
        using WalletKey validatorKey = new Core.Wallets.Wallet(_h.WalletRoot, "validator").LoadHotkey("default");
        using MemorySectorStore store = new(new SectorStoreOptions(), SystemClock.Instance);
        using SectorOwnerLog owners = new();
        StringWriter error = new();
        RunningAxon? axon = await AxonServeAction.StartAsync(
            client, minerKey.KeyPair, new AxonServeSettings(1, IPAddress.Loopback, 0, null, true),
            new SectorService(store, owners), SystemClock.Instance, NullLoggerFactory.Instance, error, ct);
        Assert.NotNull(axon);
        string statePath = Path.Combine(_temp, "node-data", StorageValidatorState.RelativePath);
        StorageValidatorOptions options = new() { Netuid = 1, MaxStoresPerRound = 2, RetrievalEveryRounds = 1, StoreSpread = 0 };
        await using (axon)
        {
            using Dendrite dendrite = new(validatorKey.KeyPair, SystemClock.Instance);
            MinerRoundResult before;
            using (StorageValidatorState state = StorageValidatorState.Open(statePath))
            {
                StorageValidator validator = new(client, dendrite, validatorKey.PublicKey, SystemClock.Instance, options, NullLogger.Instance,
                    state, StorageValidator.DeriveSyntheticSecret(validatorKey.KeyPair));
                before = Assert.Single(await validator.RunRoundAsync(ct), r => r.Hotkey.Equals(minerKey.PublicKey));
                Assert.Equal(2, before.Stored);
                Assert.Contains(before.Challenge, new ChallengeOutcome?[] { ChallengeOutcome.Pass, ChallengeOutcome.Late });
            }

            // The node restarts: a new validator over the same file, with the secret derived from the same hotkey.
            using (StorageValidatorState state = StorageValidatorState.Open(statePath))
            {
                StorageValidator restarted = new(client, dendrite, validatorKey.PublicKey, SystemClock.Instance,
                    new StorageValidatorOptions { Netuid = 1, MaxStoresPerRound = 0, RetrievalEveryRounds = 1 }, NullLogger.Instance, state, StorageValidator.DeriveSyntheticSecret(validatorKey.KeyPair));
                (ushort uid, PublicKey hotkey, double ema, long proven) = Assert.Single(restarted.Snapshot());
                Assert.Equal(minerKey.PublicKey, hotkey);
                Assert.Equal(before.Uid, uid);
                Assert.Equal(before.Ema, ema);
                Assert.Equal(2L * StorageConstants.SectorSize, proven);
                Assert.Equal(1.0, restarted.Weights()[uid]);

                // No new stores: the challenge can only be over the two sectors stored before the restart, and the
                // audit passes only if the regenerated data (same secret, persisted counters) matches what the miner holds.
                MinerRoundResult after = Assert.Single(await restarted.RunRoundAsync(ct), r => r.Hotkey.Equals(minerKey.PublicKey));
                Assert.Equal(0, after.Stored);
                Assert.Contains(after.Challenge, new ChallengeOutcome?[] { ChallengeOutcome.Pass, ChallengeOutcome.Late });
                Assert.Equal(ChallengeOutcome.Pass, after.Retrieval);
                Assert.True(after.Ema > before.Ema);
            }
        }

        Assert.Equal(2, store.Usage.Sectors);
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public async Task A_rounds_stores_to_a_miner_are_spread_over_the_round_not_sent_in_a_burst()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await SubnetWithPermitsAsync();
        using HttpClient http = new();
        ChainRpcClient client = new(http, _h.NodeUrl);
        using WalletKey minerKey = new Core.Wallets.Wallet(_h.WalletRoot, "miner").LoadHotkey("default");
        using WalletKey validatorKey = new Core.Wallets.Wallet(_h.WalletRoot, "validator").LoadHotkey("default");
        using SignallingStore store = new();
        using SectorOwnerLog owners = new();
        StringWriter error = new();
        RunningAxon? axon = await AxonServeAction.StartAsync(
            client, minerKey.KeyPair, new AxonServeSettings(1, IPAddress.Loopback, 0, null, true),
            new SectorService(store, owners), SystemClock.Instance, NullLoggerFactory.Instance, error, ct);
        Assert.NotNull(axon);
        await using (axon)
        {
            using Dendrite dendrite = new(validatorKey.KeyPair, SystemClock.Instance);
            ManualClock clock = new();
            StorageValidator validator = new(client, dendrite, validatorKey.PublicKey, clock,
                new StorageValidatorOptions { Netuid = 1, MaxStoresPerRound = 3, RoundInterval = TimeSpan.FromSeconds(60), StoreSpread = 0.5 },
                NullLogger.Instance);

            Task<IReadOnlyList<MinerRoundResult>> round = validator.RunRoundAsync(ct);
            for (int stored = 1; stored <= 3; stored++)
            {
                // A round that ends early (no store arrives) fails here instead of waiting forever.
                Task arrived = store.Stored.WaitAsync(ct);
                Assert.Same(arrived, await Task.WhenAny(arrived, round));
                Assert.Equal(stored, store.Usage.Sectors);
                if (stored < 3)
                {
                    // The next store waits for a gap of 60 s × 0.5 / 3 = 10 s on the validator's clock.
                    await WaitForPendingDelayAsync(clock, round, ct);
                    Assert.False(store.Stored.CurrentCount > 0);
                    clock.Advance(TimeSpan.FromSeconds(9));
                    Assert.Equal(stored, store.Usage.Sectors);
                    clock.Advance(TimeSpan.FromSeconds(1));
                }
            }

            MinerRoundResult result = Assert.Single(await round, r => r.Hotkey.Equals(minerKey.PublicKey));
            Assert.Equal(3, result.Stored);
            Assert.Equal(ChallengeOutcome.Pass, result.Challenge);
        }

        Assert.Equal("", error.ToString());
    }

    // The validator reaches its paced delay a moment after the miner's 200; yield until it is parked on the clock.
    private static async Task WaitForPendingDelayAsync(ManualClock clock, Task round, CancellationToken ct)
    {
        while (clock.PendingDelays == 0)
        {
            Assert.False(round.IsCompleted, "the round ended instead of pacing its stores");
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    [Fact]
    public async Task The_axon_refuses_mismatched_roots_unknown_sectors_and_challenges_for_roots_the_caller_did_not_store()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await SubnetWithPermitsAsync();
        using HttpClient http = new();
        ChainRpcClient client = new(http, _h.NodeUrl);
        using WalletKey minerKey = new Core.Wallets.Wallet(_h.WalletRoot, "miner").LoadHotkey("default");
        using WalletKey validatorKey = new Core.Wallets.Wallet(_h.WalletRoot, "validator").LoadHotkey("default");
        using WalletKey otherKey = new Core.Wallets.Wallet(_h.WalletRoot, "owner").LoadHotkey("default");
        using MemorySectorStore store = new(new SectorStoreOptions(), SystemClock.Instance);
        using SectorOwnerLog owners = new();
        StringWriter error = new();
        RunningAxon? axon = await AxonServeAction.StartAsync(
            client, minerKey.KeyPair, new AxonServeSettings(1, IPAddress.Loopback, 0, null, false),
            new SectorService(store, owners), SystemClock.Instance, NullLoggerFactory.Instance, error, ct);
        Assert.NotNull(axon);
        await using (axon)
        {
            AxonTarget target = new(axon.Host.Endpoint, minerKey.PublicKey);
            using Dendrite fromValidator = new(validatorKey.KeyPair, SystemClock.Instance);
            using Dendrite fromOther = new(otherKey.KeyPair, SystemClock.Instance);
            byte[] data = new byte[StorageConstants.SectorSize];
            new Random(7).NextBytes(data);
            Hash256 root = SectorTree.ComputeRoot(data);
            byte[] other = (byte[])data.Clone();
            other[12345] ^= 1;

            DendriteResult<StoreChunkResponse> mismatch = await fromValidator.StoreChunkAsync(target, new StoreChunkRequest(root, other, 100), cancellationToken: ct);
            DendriteResult<StoreChunkResponse> stored = await fromValidator.StoreChunkAsync(target, new StoreChunkRequest(root, data, 100), cancellationToken: ct);
            DendriteResult<RetrieveChunkResponse> unknown = await fromValidator.RetrieveChunkAsync(target, new RetrieveChunkRequest(SectorTree.ComputeRoot(other)), cancellationToken: ct);
            DendriteResult<RetrieveChunkResponse> retrieved = await fromValidator.RetrieveChunkAsync(target, new RetrieveChunkRequest(root), cancellationToken: ct);
            StorageChallengeRequest challenge = new(1, Hash256.Zero, Hash256.Zero, 1, [new ChallengeItem(root, 5)]);
            DendriteResult<StorageChallengeResponse> proved = await fromValidator.StorageChallengeAsync(target, challenge, cancellationToken: ct);
            DendriteResult<StorageChallengeResponse> notTheirs = await fromOther.StorageChallengeAsync(target, challenge, cancellationToken: ct);
            DendriteResult<StorageChallengeResponse> wrongK = await fromValidator.StorageChallengeAsync(target, challenge with { K = 2 }, cancellationToken: ct);
            DendriteResult<HealthResponse> health = await fromValidator.HealthAsync(target, cancellationToken: ct);

            Assert.Equal(AxonStatus.UnprocessableEntity, mismatch.Status);
            Assert.Equal(DomainErrorCodes.RootMismatch, mismatch.Error?.Error);
            Assert.Equal(AxonStatus.Ok, stored.Status);
            Assert.True(store.TryGetInfo(root, out SectorInfo info));
            Assert.Equal(100UL, info.ExpiresAtBlock);
            Assert.Equal(DomainErrorCodes.UnknownSector, unknown.Error?.Error);
            Assert.Equal(data, retrieved.Response!.Data);
            Assert.Equal(AxonStatus.Ok, proved.Status);
            Assert.Equal(ProofStatus.Valid, ProofVerifier.VerifyLeaf(root, 5, proved.Response!.Proofs[0].Data, proved.Response.Proofs[0].Path));
            Assert.Equal(DomainErrorCodes.BadChallenge, notTheirs.Error?.Error);
            Assert.Equal(AxonStatus.UnprocessableEntity, wrongK.Status);
            Assert.Equal(1UL, health.Response!.Storage.Sectors);
            Assert.Equal((ulong)(SectorStoreOptions.DefaultQuotaBytes - StorageConstants.SectorSize), health.Response.Storage.FreeBytes);
        }
    }

    // Tempo 10 on netuid 1; the owner's hotkey is uid 0 from subnet creation, the validator and miner register, and the next epoch hands out validator permits.
    private async Task SubnetWithPermitsAsync()
    {
        Assert.Equal(0, (await _h.RunAsync("subnet", "create", "--name", "owner")).ExitCode);
        Assert.Equal(0, (await _h.RunAsync("subnet", "hparams", "1", "--set", "tempo=10", "--name", "owner")).ExitCode);
        Assert.Equal(0, (await _h.RunAsync("register", "--netuid", "1", "--name", "validator")).ExitCode);
        Assert.Equal(0, (await _h.RunAsync("register", "--netuid", "1", "--name", "miner")).ExitCode);
        Assert.Equal(0, (await _h.RunAsync("stake", "add", "--netuid", "1", "--amount", "100", "--name", "validator")).ExitCode);
        ulong b = _h.Node.Head.Number + 1;
        while ((b + 2) % 11 != 10)
        {
            b++;
        }

        _h.ProduceUntil(b);
    }

    /// <summary>A memory store that releases <see cref="Stored"/> once per sector stored.</summary>
    private sealed class SignallingStore : ISectorStore
    {
        private readonly MemorySectorStore _inner = new(new SectorStoreOptions(), SystemClock.Instance);

        public SemaphoreSlim Stored { get; } = new(0);

        public StoreUsage Usage => _inner.Usage;

        public PutStatus Put(in Hash256 root, ReadOnlySpan<byte> sector, ulong expiresAtBlock)
        {
            PutStatus status = _inner.Put(root, sector, expiresAtBlock);
            if (status == PutStatus.Stored)
            {
                Stored.Release();
            }

            return status;
        }

        public bool Contains(in Hash256 root) => _inner.Contains(root);

        public bool TryGetInfo(in Hash256 root, out SectorInfo info) => _inner.TryGetInfo(root, out info);

        public bool TryRead(in Hash256 root, long offset, Span<byte> destination) => _inner.TryRead(root, offset, destination);

        public bool TryGetLevel4(in Hash256 root, Span<byte> destination) => _inner.TryGetLevel4(root, destination);

        public bool TryGetUpperTree(in Hash256 root, Span<byte> destination) => _inner.TryGetUpperTree(root, destination);

        public bool Delete(in Hash256 root) => _inner.Delete(root);

        public IReadOnlyList<SectorInfo> List(Hash256? after, int limit) => _inner.List(after, limit);

        public IReadOnlyList<Hash256> CollectExpired(ulong currentBlock) => _inner.CollectExpired(currentBlock);

        public void Dispose()
        {
            _inner.Dispose();
            Stored.Dispose();
        }
    }

    /// <summary>A miner that keeps only roots: every put is acknowledged, nothing is written.</summary>
    private sealed class ForgetfulStore : ISectorStore
    {
        private readonly MemorySectorStore _inner = new(new SectorStoreOptions(), SystemClock.Instance);

        public StoreUsage Usage => _inner.Usage;

        public PutStatus Put(in Hash256 root, ReadOnlySpan<byte> sector, ulong expiresAtBlock) => PutStatus.Stored;

        public bool Contains(in Hash256 root) => _inner.Contains(root);

        public bool TryGetInfo(in Hash256 root, out SectorInfo info) => _inner.TryGetInfo(root, out info);

        public bool TryRead(in Hash256 root, long offset, Span<byte> destination) => _inner.TryRead(root, offset, destination);

        public bool TryGetLevel4(in Hash256 root, Span<byte> destination) => _inner.TryGetLevel4(root, destination);

        public bool TryGetUpperTree(in Hash256 root, Span<byte> destination) => _inner.TryGetUpperTree(root, destination);

        public bool Delete(in Hash256 root) => _inner.Delete(root);

        public IReadOnlyList<SectorInfo> List(Hash256? after, int limit) => _inner.List(after, limit);

        public IReadOnlyList<Hash256> CollectExpired(ulong currentBlock) => _inner.CollectExpired(currentBlock);

        public void Dispose() => _inner.Dispose();
    }
}
