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
/// <para>State lives in memory: a restart forgets the sectors stored, and the synthetic secret is fresh per process,
/// so a restarted validator starts storing again (the miners' old sectors expire by themselves).</para>
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
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private readonly Lock _lock = new();
    private readonly Dictionary<PublicKey, MinerStorageState> _miners = [];
    private long _nextCounter = -1;
    private int _round;
    private ulong _lastBlock;

    /// <summary>A validator calling miners through <paramref name="dendrite"/> as <paramref name="self"/>.</summary>
    /// <param name="chain">RPC client of a node, for the metagraph and best block.</param>
    /// <param name="dendrite">Signs as the validator's hotkey; not disposed here.</param>
    /// <param name="self">The validator's hotkey, skipped when walking the metagraph.</param>
    /// <param name="clock">Times deadlines and rounds.</param>
    /// <param name="options">Settings, validated here.</param>
    /// <param name="logger">Where round failures go.</param>
    public StorageValidator(ChainRpcClient chain, Dendrite dendrite, PublicKey self, IClock clock, StorageValidatorOptions options, ILogger logger)
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

            await _clock.DelayAsync(_options.RoundInterval, cancellationToken).ConfigureAwait(false);
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
        lock (_lock)
        {
            foreach (PublicKey gone in _miners.Keys.Where(k => !present.Contains(k)).ToArray())
            {
                _miners.Remove(gone);
            }
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
        for (long i = 0; i < wanted; i++)
        {
            ulong counter = (ulong)Interlocked.Increment(ref _nextCounter);
            SyntheticSector.Generate(_secret, counter, data);
            Hash256 root = SectorTree.ComputeRoot(data);
            ulong expires = block + _options.SectorLifetimeBlocks;
            DendriteResult<StoreChunkResponse> result = await _dendrite.StoreChunkAsync(target, new StoreChunkRequest(root, data, expires), cancellationToken: cancellationToken).ConfigureAwait(false);

            // Only a signed 200 naming our own root is a receipt; anything else ends this miner's stores for the round.
            if (!result.IsSuccess || result.Response is null || result.Response.Root.Value != root)
            {
                break;
            }

            lock (_lock)
            {
                miner.Add(new StoredSector(root, counter, block, expires));
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
        lock (_lock)
        {
            miner.Ema = StorageScoring.UpdateEma(miner.Ema, outcome);
            miner.NextK = outcome == ChallengeOutcome.Forged ? StorageScoring.PenaltyK : StorageScoring.DefaultK;
            miner.LastOutcome = outcome;
            if (outcome is ChallengeOutcome.Pass or ChallengeOutcome.Late)
            {
                foreach (StoredSector sector in touched)
                {
                    sector.Proven = true;
                }
            }
        }

        Log.StorageOutcome(_logger, miner.Uid, outcome, miner.Ema);
    }
}
