// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Node.Validator;

/// <summary>The result of one miner's part of a round.</summary>
/// <param name="Uid">The miner's uid.</param>
/// <param name="Hotkey">The miner's hotkey.</param>
/// <param name="Stored">Sectors stored this round (signed 200 receipts).</param>
/// <param name="Challenge">The challenge's outcome, or <see langword="null"/> when the miner held none of our sectors.</param>
/// <param name="Retrieval">The retrieval audit's outcome, when one ran.</param>
/// <param name="Ema">The success EMA after the round.</param>
public sealed record MinerRoundResult(ushort Uid, PublicKey Hotkey, int Stored, ChallengeOutcome? Challenge, ChallengeOutcome? Retrieval, double Ema);

/// <summary>
/// The storage validator (specs/storage-proofs.md §3–6). Each round, for every miner axon in the metagraph, it stores
/// synthetic sectors it can regenerate (keeping only the roots it computed itself), challenges the miner with a seed
/// from the chain's best block hash, a fresh random nonce and the miner's hotkey, verifies the proofs against its own
/// roots with <see cref="ProofVerifier"/>, scores them against the 2 s soft deadline and 6 s hard timeout on its
/// <see cref="IClock"/>, and keeps the success EMA. Every tenth round adds a retrieval audit. As an
/// <see cref="IMarketScores"/> it gives the storage weights <c>s² · provenBytes</c>, normalised, to a
/// <see cref="WeightSetter"/>.
/// </summary>
/// <remarks>
/// <para>State survives a restart when a <see cref="StorageValidatorState"/> file is given (the node keeps it under its
/// data directory): the roots recorded at store time, each miner's EMA and next k, and the synthetic counter. The
/// synthetic secret must then be stable too, so the node derives it from its hotkey
/// (<see cref="DeriveSyntheticSecret"/>); a restarted validator keeps challenging and auditing the sectors it stored
/// before. Without a state file everything lives in memory and the secret is random per process.</para>
/// <para>Stores are paced: a round's new sectors for a miner go out spread over the first
/// <see cref="StorageValidatorOptions.StoreSpread"/> of the round interval, not in one burst, so a miner's rate limit
/// (protocol.md §3.3) never turns into a failed challenge.</para>
/// <para>Rounds must not overlap (<see cref="RunAsync"/> runs them one after another); <see cref="Weights"/> and
/// <see cref="Snapshot"/> may be called from any thread. Miners are served in parallel within a round.</para>
/// </remarks>
public sealed class StorageValidator : IMarketScores
{
    private readonly ChainRpcClient _chain;
    private readonly Dendrite _dendrite;
    private readonly PublicKey _self;
    private readonly IClock _clock;
    private readonly StorageValidatorOptions _options;
    private readonly ILogger _logger;
    private readonly byte[] _secret;
    private readonly StorageValidatorState _state;
    private readonly Lock _lock = new();
    private readonly Dictionary<PublicKey, MinerStorageState> _miners = [];
    private int _round;
    private ulong _lastBlock;

    /// <summary>A validator calling miners through <paramref name="dendrite"/> as <paramref name="self"/>.</summary>
    /// <param name="chain">RPC client of a node, for the metagraph and best block.</param>
    /// <param name="dendrite">Signs as the validator's hotkey; not disposed here.</param>
    /// <param name="self">The validator's hotkey, skipped when walking the metagraph.</param>
    /// <param name="clock">Times deadlines and rounds.</param>
    /// <param name="options">Settings, validated here.</param>
    /// <param name="logger">Where round failures go.</param>
    /// <param name="state">Where the validator's memory persists (not disposed here); <see langword="null"/> keeps it in memory.</param>
    /// <param name="syntheticSecret">The 32-byte secret synthetic sectors derive from; required with <paramref name="state"/>,
    /// random per instance otherwise.</param>
    /// <exception cref="ArgumentException">A state without a secret, or a secret that is not 32 bytes.</exception>
    public StorageValidator(ChainRpcClient chain, Dendrite dendrite, PublicKey self, IClock clock, StorageValidatorOptions options, ILogger logger, StorageValidatorState? state = null, byte[]? syntheticSecret = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(dendrite);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _chain = chain;
        _dendrite = dendrite;
        _self = self;
        _clock = clock;
        _options = options;
        _logger = logger;
        if (state is not null && syntheticSecret is null)
        {
            throw new ArgumentException("A persisted validator state needs a stable synthetic secret (DeriveSyntheticSecret), or its sectors could not be regenerated after a restart.", nameof(syntheticSecret));
        }

        if (syntheticSecret is not null && syntheticSecret.Length != 32)
        {
            throw new ArgumentException("The synthetic secret must be 32 bytes.", nameof(syntheticSecret));
        }

        _secret = syntheticSecret is null ? RandomNumberGenerator.GetBytes(32) : (byte[])syntheticSecret.Clone();
        _state = state ?? StorageValidatorState.InMemory();
        foreach (PersistedMiner saved in _state.Load())
        {
            MinerStorageState miner = new(saved.Hotkey) { Uid = saved.Uid, Ema = saved.Ema, NextK = saved.NextK };
            foreach (StoredSector sector in saved.Sectors)
            {
                miner.Add(sector);
            }

            _miners[saved.Hotkey] = miner;
        }
    }

    /// <summary>
    /// The synthetic secret of a validator hotkey: <c>SHA-256("bte/synthetic-secret/v1" ‖ Ed25519-sign(key, "bte/synthetic-secret/v1"))</c>.
    /// Ed25519 signatures are deterministic (RFC 8032), so the secret is stable across restarts, needs no file of its own,
    /// and only the holder of the hotkey's private key can compute it.
    /// </summary>
    public static byte[] DeriveSyntheticSecret(Ed25519KeyPair hotkey)
    {
        ArgumentNullException.ThrowIfNull(hotkey);
        ReadOnlySpan<byte> tag = "bte/synthetic-secret/v1"u8;
        Signature signature = hotkey.Sign(tag);
        byte[] input = [.. tag, .. signature.Bytes];
        return Sha256.Hash(input).ToArray();
    }

    /// <inheritdoc/>
    public string Market => "storage";

    /// <summary>Rounds run so far.</summary>
    public int Rounds => Volatile.Read(ref _round);

    /// <summary>A copy of each miner's uid, EMA and proven bytes.</summary>
    public IReadOnlyList<(ushort Uid, PublicKey Hotkey, double Ema, long ProvenBytes)> Snapshot()
    {
        lock (_lock)
        {
            return [.. _miners.Values.Select(m => (m.Uid, m.Hotkey, m.Ema, m.ProvenBytes(_lastBlock)))];
        }
    }

    /// <summary><c>raw_j = s_j² · provenBytes_j</c>, normalised over miners; empty while no miner has proven bytes.</summary>
    public IReadOnlyDictionary<ushort, double> Weights()
    {
        lock (_lock)
        {
            Dictionary<ushort, double> raw = [];
            double sum = 0;
            foreach (MinerStorageState miner in _miners.Values)
            {
                double value = miner.Ema * miner.Ema * miner.ProvenBytes(_lastBlock);
                if (value > 0)
                {
                    raw[miner.Uid] = raw.GetValueOrDefault(miner.Uid) + value;
                    sum += value;
                }
            }

            if (sum <= 0)
            {
                return new Dictionary<ushort, double>();
            }

            foreach (ushort uid in raw.Keys.ToArray())
            {
                raw[uid] /= sum;
            }

            return raw;
        }
    }

    /// <summary>Runs rounds every <see cref="StorageValidatorOptions.RoundInterval"/> on the clock, setting weights through <paramref name="weights"/> every <see cref="StorageValidatorOptions.WeightsEveryRounds"/> rounds, until cancelled. Each round logs a summary; a round that cannot reach the node or times out is logged and skipped.</summary>
    public async Task RunAsync(WeightSetter weights, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(weights);
        while (!cancellationToken.IsCancellationRequested)
        {
            // The round being attempted, for the failure log even when it fails before RunRoundAsync counts it.
            int attempt = Rounds + 1;
            TimeSpan roundStarted = _clock.Elapsed;
            try
            {
                IReadOnlyList<MinerRoundResult> results = await RunRoundAsync(cancellationToken).ConfigureAwait(false);
                int scored = results.Count(r => r.Challenge is not null || r.Retrieval is not null);
                int stored = results.Sum(r => r.Stored);
                Log.StorageRound(_logger, Rounds, results.Count, scored, stored);

                if (Rounds % _options.WeightsEveryRounds == 0)
                {
                    bool? accepted = await weights.SetAsync(cancellationToken).ConfigureAwait(false);
                    if (accepted == false)
                    {
                        Log.StorageWeightsRefused(_logger, Rounds);
                    }
                    else if (accepted == true)
                    {
                        int weighted = weights.Mix().Uids.Length;
                        Log.StorageWeightsSet(_logger, weighted, Rounds);
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or RpcException or IOException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // An unreachable node or miner, or an HTTP timeout, costs this round only; anything else fails the service.
                Log.StorageRoundFailed(_logger, attempt, e.Message);
            }

            // Rounds start every RoundInterval; a round that took longer (paced stores, slow miners) starts the next at once.
            TimeSpan wait = _options.RoundInterval - (_clock.Elapsed - roundStarted);
            if (wait > TimeSpan.Zero)
            {
                await _clock.DelayAsync(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One round over every miner axon in the metagraph, miners in parallel.</summary>
    public async Task<IReadOnlyList<MinerRoundResult>> RunRoundAsync(CancellationToken cancellationToken = default)
    {
        RpcMetagraph metagraph = await _chain.GetMetagraphAsync(_options.Netuid, cancellationToken).ConfigureAwait(false);
        int round = Interlocked.Increment(ref _round);
        bool audit = round % _options.RetrievalEveryRounds == 0;
        int permitted = Math.Max(1, metagraph.ValidatorPermit.Count(p => p));
        List<Task<MinerRoundResult>> work = [];
        HashSet<PublicKey> present = [];
        for (int uid = 0; uid < metagraph.N; uid++)
        {
            PublicKey hotkey = metagraph.Hotkeys[uid];
            present.Add(hotkey);
            if (hotkey.Equals(_self) || metagraph.Axons[uid] is not RpcAxon axon)
            {
                continue;
            }

            MinerStorageState state;
            lock (_lock)
            {
                if (!_miners.TryGetValue(hotkey, out state!))
                {
                    state = new MinerStorageState(hotkey);
                    _miners.Add(hotkey, state);
                }

                state.Uid = (ushort)uid;
            }

            work.Add(ServeMinerAsync(state, new AxonTarget(AxonUri(axon), hotkey), permitted, audit, cancellationToken));
        }

        MinerRoundResult[] results = await Task.WhenAll(work).ConfigureAwait(false);
        PublicKey[] departed;
        lock (_lock)
        {
            departed = [.. _miners.Keys.Where(k => !present.Contains(k))];
            foreach (PublicKey gone in departed)
            {
                _miners.Remove(gone);
            }
        }

        foreach (PublicKey gone in departed)
        {
            _state.DeleteMiner(gone);
        }

        return results;
    }

    /// <summary>The base address of an axon announced on chain.</summary>
    public static Uri AxonUri(RpcAxon axon)
    {
        ArgumentNullException.ThrowIfNull(axon);
        string host = axon.IpType == 6 ? $"[{axon.Ip}]" : axon.Ip;
        return new Uri($"http://{host}:{axon.Port}/");
    }

    private async Task<MinerRoundResult> ServeMinerAsync(MinerStorageState miner, AxonTarget target, int permitted, bool audit, CancellationToken cancellationToken)
    {
        RpcHeader head = await _chain.GetHeaderAsync(null, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _lastBlock = Math.Max(_lastBlock, head.Number);
            miner.DropExpired(head.Number);
        }

        _state.DeleteExpired(miner.Hotkey, head.Number);

        int stored = await StoreAsync(miner, target, head.Number, permitted, cancellationToken).ConfigureAwait(false);
        ChallengeOutcome? challenge = await ChallengeAsync(miner, target, cancellationToken).ConfigureAwait(false);
        ChallengeOutcome? retrieval = audit ? await AuditAsync(miner, target, head.Number, cancellationToken).ConfigureAwait(false) : null;
        lock (_lock)
        {
            return new MinerRoundResult(miner.Uid, miner.Hotkey, stored, challenge, retrieval, miner.Ema);
        }
    }

    // §3.2: up to min(freeBytes / permittedValidators, cap) per miner, at most MaxStoresPerRound new sectors a round.
    private async Task<int> StoreAsync(MinerStorageState miner, AxonTarget target, ulong block, int permitted, CancellationToken cancellationToken)
    {
        if (_options.MaxStoresPerRound == 0)
        {
            return 0;
        }

        DendriteResult<HealthResponse> health = await _dendrite.HealthAsync(target, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!health.IsSuccess || health.Response is null)
        {
            return 0;
        }

        long held;
        lock (_lock)
        {
            held = (long)miner.Sectors.Count * StorageConstants.SectorSize;
        }

        long free = (long)Math.Min(health.Response.Storage.FreeBytes, long.MaxValue);
        long targetBytes = Math.Min(held + (free / permitted), _options.MaxBytesPerMiner);
        long wanted = Math.Min(_options.MaxStoresPerRound, Math.Max(0, (targetBytes - held) / StorageConstants.SectorSize));
        int stored = 0;
        byte[] data = new byte[StorageConstants.SectorSize];
        TimeSpan gap = wanted > 1 ? _options.RoundInterval * _options.StoreSpread / wanted : TimeSpan.Zero;
        for (long i = 0; i < wanted; i++)
        {
            if (i > 0 && gap > TimeSpan.Zero)
            {
                await _clock.DelayAsync(gap, cancellationToken).ConfigureAwait(false);
            }

            // Taken (and persisted) before the send: a counter is never reused, even if this store fails or the node dies.
            ulong counter = _state.TakeCounter();
            SyntheticSector.Generate(_secret, counter, data);
            Hash256 root = SectorTree.ComputeRoot(data);
            ulong expires = block + _options.SectorLifetimeBlocks;
            DendriteResult<StoreChunkResponse> result = await _dendrite.StoreChunkAsync(target, new StoreChunkRequest(root, data, expires), cancellationToken: cancellationToken).ConfigureAwait(false);

            // Only a signed 200 naming our own root is a receipt; anything else ends this miner's stores for the round.
            if (!result.IsSuccess || result.Response is null || result.Response.Root.Value != root)
            {
                break;
            }

            StoredSector sector = new(root, counter, block, expires);
            _state.SaveSector(miner.Hotkey, sector);
            lock (_lock)
            {
                miner.Add(sector);
            }

            stored++;
        }

        return stored;
    }

    private async Task<ChallengeOutcome?> ChallengeAsync(MinerStorageState miner, AxonTarget target, CancellationToken cancellationToken)
    {
        // The block is the best one at send time; the nonce is fresh per challenge, so no answer can be precomputed or replayed.
        RpcHeader head = await _chain.GetHeaderAsync(null, cancellationToken).ConfigureAwait(false);
        StoredSector[] live;
        int k;
        lock (_lock)
        {
            live = miner.LiveSectors(head.Number);
            k = miner.NextK;
        }

        if (live.Length == 0)
        {
            return null;
        }

        Hash256 nonce = new(RandomNumberGenerator.GetBytes(32));
        Hash256 seed = Challenge.DeriveSeed(head.Hash, nonce, miner.Hotkey);
        Hash256[] roots = [.. live.Select(s => s.Root)];
        SectorLeaf[] items = Challenge.DeriveItems(seed, roots, k);
        ChallengeItem[] wire = [.. items.Select(i => new ChallengeItem(i.Root, i.Leaf))];
        StorageChallengeRequest request = new(head.Number, head.Hash, nonce, k, wire);

        TimeSpan started = _clock.Elapsed;
        DendriteResult<StorageChallengeResponse> result = await _dendrite.StorageChallengeAsync(target, request, StorageScoring.HardTimeout, cancellationToken).ConfigureAwait(false);
        TimeSpan elapsed = _clock.Elapsed - started;
        ChallengeOutcome outcome = StorageScoring.Classify(items, result, elapsed);
        Apply(miner, outcome, live.Where(s => Array.Exists(items, i => i.Root == s.Root)));
        return outcome;
    }

    // §4: a retrieval audit on one random live sector, regenerated and compared byte for byte.
    private async Task<ChallengeOutcome?> AuditAsync(MinerStorageState miner, AxonTarget target, ulong block, CancellationToken cancellationToken)
    {
        StoredSector[] live;
        lock (_lock)
        {
            live = miner.LiveSectors(block);
        }

        if (live.Length == 0)
        {
            return null;
        }

        StoredSector sector = live[RandomNumberGenerator.GetInt32(live.Length)];
        TimeSpan started = _clock.Elapsed;
        DendriteResult<RetrieveChunkResponse> result = await _dendrite.RetrieveChunkAsync(target, new RetrieveChunkRequest(sector.Root), StorageScoring.RetrievalTimeout, cancellationToken).ConfigureAwait(false);
        TimeSpan elapsed = _clock.Elapsed - started;
        ChallengeOutcome outcome;
        if (!result.IsSuccess || result.Response is null || elapsed > StorageScoring.RetrievalTimeout)
        {
            outcome = ChallengeOutcome.Fail;
        }
        else
        {
            byte[] expected = SyntheticSector.Generate(_secret, sector.Counter);
            outcome = result.Response.Root.Value == sector.Root && CryptographicOperations.FixedTimeEquals(expected, result.Response.Data)
                ? ChallengeOutcome.Pass
                : ChallengeOutcome.Forged;
        }

        Apply(miner, outcome, [sector]);
        return outcome;
    }

    private void Apply(MinerStorageState miner, ChallengeOutcome outcome, IEnumerable<StoredSector> touched)
    {
        List<StoredSector> proven = [];
        lock (_lock)
        {
            miner.Ema = StorageScoring.UpdateEma(miner.Ema, outcome);
            miner.NextK = outcome == ChallengeOutcome.Forged ? StorageScoring.PenaltyK : StorageScoring.DefaultK;
            miner.LastOutcome = outcome;
            if (outcome is ChallengeOutcome.Pass or ChallengeOutcome.Late)
            {
                foreach (StoredSector sector in touched)
                {
                    if (!sector.Proven)
                    {
                        sector.Proven = true;
                        proven.Add(sector);
                    }
                }
            }
        }

        _state.SaveMiner(miner, proven);

        Log.StorageOutcome(_logger, miner.Uid, outcome, miner.Ema);
    }
}
