// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using System.Security.Cryptography;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Inference;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Scoring;
using Bittensor.Edge.Inference.Sessions;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Synapses;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Node.Validator;

/// <summary>One synthetic request of a round and how it scored.</summary>
/// <param name="ModelId">The model asked for.</param>
/// <param name="Rows">Rows in the request (1..min(4, maxBatch)).</param>
/// <param name="Status">The axon's (or dendrite's) status.</param>
/// <param name="Latency">Send to whole response, at the validator.</param>
/// <param name="Recomputed">Whether the validator recomputed it.</param>
/// <param name="Match">The comparison with the reference, when recomputed and answered.</param>
/// <param name="Score">The per-request score <c>q</c>.</param>
public sealed record InferenceRequestOutcome(string ModelId, int Rows, AxonStatus Status, TimeSpan Latency, bool Recomputed, OutputMatch? Match, double Score)
{
    /// <summary>Whether the miner answered with a wrong output.</summary>
    public bool IsMismatch => Match is { } match && match != OutputMatch.Match;
}

/// <summary>The result of one miner's part of an inference round.</summary>
/// <param name="Uid">The miner's uid.</param>
/// <param name="Hotkey">The miner's hotkey.</param>
/// <param name="Requests">Each synthetic request, in order; empty when the miner serves no model the validator knows.</param>
/// <param name="BurstPerS">Correct completions per second of this round's capacity burst, when one ran.</param>
/// <param name="Quality">The quality EMA after the round.</param>
/// <param name="Capacity">The capacity after the round (median of the last bursts), or null before the first burst.</param>
public sealed record InferenceMinerResult(ushort Uid, PublicKey Hotkey, IReadOnlyList<InferenceRequestOutcome> Requests, double? BurstPerS, double Quality, double? Capacity);

/// <summary>
/// The inference validator (specs/inference.md §5). Each round, for every miner axon in the metagraph, it asks
/// <c>Health</c> for the miner's models, sends <see cref="InferenceValidatorOptions.RequestsPerMiner"/> requests, each for
/// a model drawn uniformly from those the miner advertises and this validator holds a verified reference for, with
/// 1..min(4, maxBatch) rows of fresh inputs from the model's input domain (seeded by the chain's best block hash, a fresh
/// random nonce, the miner's hotkey and the request index), and times each at the validator. It then recomputes every
/// request of a model whose reference run costs under 50 ms, and a 25 % sample chosen after the responses arrived of the
/// others, on its own <see cref="ReferenceModel"/> (CUDA when the build and host offer it, else CPU); compares under the
/// manifest tolerance; and scores each request <c>max(0.1, min(1, latencyTargetMs / tMs))</c> when correct, 0 on an error
/// or timeout, and 0 with the quality EMA reset on a wrong output. In the first round and every
/// <see cref="InferenceValidatorOptions.CapacityEveryRounds"/> rounds, a burst at concurrency 16 on the cheapest model the
/// miner serves measures correct completions per second (10 % recomputed); capacity is the median of the last 3. As an
/// <see cref="IMarketScores"/> it gives the inference weights <c>s² · capacity</c>, normalised.
/// </summary>
/// <remarks>
/// <para>How the markets combine: the node's one <see cref="WeightSetter"/> mixes
/// <c>w_j = marketSplit · storage_j + (1 − marketSplit) · inference_j</c> (storage-proofs.md §6, 0.5/0.5 by default),
/// renormalised over the markets that have weights, and the storage validator's loop submits the row; this validator only
/// keeps its scores.</para>
/// <para>With an <see cref="InferenceValidatorState"/>, every miner's quality and bursts are saved after its round and
/// loaded at construction, so a node restart keeps the inference weights; without one, a restart starts every miner at
/// 0. Rounds must not overlap (<see cref="RunAsync"/>
/// runs them one after another); <see cref="Weights"/> and <see cref="Snapshot"/> may be called from any thread. Miners
/// are served in parallel within a round. The validator owns its reference models and disposes them.</para>
/// </remarks>
public sealed class InferenceValidator : IMarketScores, IDisposable
{
    private readonly ChainRpcClient _chain;
    private readonly Dendrite _dendrite;
    private readonly PublicKey _self;
    private readonly IClock _clock;
    private readonly IReadOnlyList<ReferenceModel> _references;
    private readonly InferenceValidatorOptions _options;
    private readonly ILogger _logger;
    private readonly InferenceValidatorState? _state;
    private readonly Lock _lock = new();
    private readonly Dictionary<PublicKey, MinerInferenceState> _miners = [];
    private int _round;

    /// <summary>
    /// A validator calling miners through <paramref name="dendrite"/> as <paramref name="self"/>, recomputing on
    /// <paramref name="references"/> (owned from here on), remembering scores in <paramref name="state"/> when given
    /// (not owned: the caller disposes it after the validator).
    /// </summary>
    public InferenceValidator(ChainRpcClient chain, Dendrite dendrite, PublicKey self, IClock clock, IReadOnlyList<ReferenceModel> references, InferenceValidatorOptions options, ILogger logger, InferenceValidatorState? state = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(dendrite);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _chain = chain;
        _dendrite = dendrite;
        _self = self;
        _clock = clock;
        _references = references;
        _options = options;
        _logger = logger;
        _state = state;
        foreach (PersistedInferenceMiner saved in state?.Load() ?? [])
        {
            MinerInferenceState miner = new(saved.Hotkey) { Uid = saved.Uid, Quality = saved.Quality };
            foreach (double perS in saved.Bursts.TakeLast(options.CapacityHistory))
            {
                miner.AddBurst(perS, options.CapacityHistory);
            }

            _miners[saved.Hotkey] = miner;
        }
    }

    /// <inheritdoc/>
    public string Market => "inference";

    /// <summary>Rounds run so far.</summary>
    public int Rounds => Volatile.Read(ref _round);

    /// <summary>The reference models, by id.</summary>
    public IReadOnlyList<ReferenceModel> References => _references;

    /// <summary>
    /// Loads a reference for every entry of <paramref name="folder"/>: verified entry and file
    /// (<see cref="ModelFolder.TryRead"/>), session on the first EP of <paramref name="settings"/> that
    /// <paramref name="catalog"/> offers and that loads, self-test. A refused model is returned with its reason, and the
    /// others still load.
    /// </summary>
    public static (List<ReferenceModel> Loaded, List<(string Id, string Reason)> Refused) LoadReferences(
        ModelFolder folder, SessionSettings settings, IExecutionProviderCatalog catalog, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(folder);
        List<ReferenceModel> loaded = [];
        List<(string, string)> refused = [];
        foreach (ModelEntry entry in folder.Registry.Models)
        {
            if (!folder.TryRead(entry.Id, out ModelEntry? verified, out byte[]? bytes, out string? error))
            {
                refused.Add((entry.Id, error));
                continue;
            }

            try
            {
                loaded.Add(ReferenceModel.Create(verified, bytes, settings, catalog, logger));
            }
            catch (Exception e) when (e is InvalidOperationException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or FormatException)
            {
                refused.Add((entry.Id, e.Message));
            }
        }

        return (loaded, refused);
    }

    /// <summary>A copy of each miner's uid, quality EMA and capacity.</summary>
    public IReadOnlyList<(ushort Uid, PublicKey Hotkey, double Quality, double? Capacity)> Snapshot()
    {
        lock (_lock)
        {
            return [.. _miners.Values.Select(m => (m.Uid, m.Hotkey, m.Quality, m.Capacity))];
        }
    }

    /// <summary><c>raw_j = s_j² · capacity_j</c>, normalised over miners; empty while no miner has both.</summary>
    public IReadOnlyDictionary<ushort, double> Weights()
    {
        lock (_lock)
        {
            Dictionary<ushort, double> raw = [];
            double sum = 0;
            foreach (MinerInferenceState miner in _miners.Values)
            {
                double value = miner.Quality * miner.Quality * (miner.Capacity ?? 0);
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

    /// <summary>
    /// Runs rounds every <see cref="InferenceValidatorOptions.RoundInterval"/> on the clock until cancelled. Each round
    /// logs a summary; a round that cannot reach the node or times out is logged and skipped. Weights are set by the
    /// storage validator's loop from the shared <see cref="WeightSetter"/>.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            int attempt = Rounds + 1;
            try
            {
                IReadOnlyList<InferenceMinerResult> results = await RunRoundAsync(cancellationToken).ConfigureAwait(false);
                int requests = results.Sum(r => r.Requests.Count);
                int recomputed = results.Sum(r => r.Requests.Count(q => q.Recomputed));
                int mismatches = results.Sum(r => r.Requests.Count(q => q.IsMismatch));
                Log.InferenceRound(_logger, Rounds, results.Count, requests, recomputed, mismatches);
            }
            catch (Exception e) when (e is HttpRequestException or RpcException or IOException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Log.InferenceRoundFailed(_logger, attempt, e.Message);
            }

            await _clock.DelayAsync(_options.RoundInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One round over every miner axon in the metagraph, miners in parallel.</summary>
    public async Task<IReadOnlyList<InferenceMinerResult>> RunRoundAsync(CancellationToken cancellationToken = default)
    {
        RpcMetagraph metagraph = await _chain.GetMetagraphAsync(_options.Netuid, cancellationToken).ConfigureAwait(false);
        int round = Interlocked.Increment(ref _round);
        bool burst = (round - 1) % _options.CapacityEveryRounds == 0;
        List<Task<InferenceMinerResult>> work = [];
        HashSet<PublicKey> present = [];
        Hash256? blockHash = null;
        for (int uid = 0; uid < metagraph.N; uid++)
        {
            PublicKey hotkey = metagraph.Hotkeys[uid];
            present.Add(hotkey);
            if (hotkey.Equals(_self) || metagraph.Axons[uid] is not RpcAxon axon)
            {
                continue;
            }

            // The best block's hash seeds every input of the round; asked once, and only when there is a miner to ask.
            blockHash ??= (await _chain.GetHeaderAsync(null, cancellationToken).ConfigureAwait(false)).Hash;

            MinerInferenceState state;
            lock (_lock)
            {
                if (!_miners.TryGetValue(hotkey, out state!))
                {
                    state = new MinerInferenceState(hotkey);
                    _miners.Add(hotkey, state);
                }

                state.Uid = (ushort)uid;
            }

            work.Add(ServeMinerAsync(state, new AxonTarget(StorageValidator.AxonUri(axon), hotkey), blockHash.Value, burst, cancellationToken));
        }

        InferenceMinerResult[] results = await Task.WhenAll(work).ConfigureAwait(false);
        lock (_lock)
        {
            foreach (PublicKey gone in _miners.Keys.Where(k => !present.Contains(k)).ToArray())
            {
                _miners.Remove(gone);
                _state?.Delete(gone);
            }
        }

        return results;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (ReferenceModel reference in _references)
        {
            reference.Dispose();
        }
    }

    private async Task<InferenceMinerResult> ServeMinerAsync(MinerInferenceState miner, AxonTarget target, Hash256 blockHash, bool burst, CancellationToken cancellationToken)
    {
        DendriteResult<HealthResponse> health = await _dendrite.HealthAsync(target, cancellationToken: cancellationToken).ConfigureAwait(false);
        List<ReferenceModel> served = health.Response is { } response
            ? [.. _references.Where(r => response.Inference.Models.Contains(r.Entry.Id, StringComparer.Ordinal))]
            : [];
        if (!health.IsSuccess)
        {
            // Unreachable this round: every request of the round counts as an error.
            double[] zeros = new double[_options.RequestsPerMiner];
            return Record(miner, [], zeros, mismatch: false, burstPerS: null);
        }

        if (served.Count == 0)
        {
            // Not an inference miner (for this validator's registry) this round: no requests, the EMA decays.
            return Record(miner, [], [], mismatch: false, burstPerS: null);
        }

        Hash256 nonce = new(RandomNumberGenerator.GetBytes(Hash256.Size));
        List<(ReferenceModel Model, NamedTensor[] Inputs, DendriteResult<InferenceResponse> Result, TimeSpan Latency)> sent = [];
        for (int i = 0; i < _options.RequestsPerMiner; i++)
        {
            ReferenceModel model = served[RandomNumberGenerator.GetInt32(served.Count)];
            int rows = 1 + RandomNumberGenerator.GetInt32(model.MaxRequestRows);
            ulong seed = InputGenerator.RequestSeed(blockHash, nonce, miner.Hotkey, (uint)i);
            NamedTensor[] inputs = InputGenerator.Generate(model.Entry, rows, seed);
            (DendriteResult<InferenceResponse> result, TimeSpan latency) = await SendAsync(target, model, inputs, cancellationToken).ConfigureAwait(false);
            sent.Add((model, inputs, result, latency));
        }

        // The sample of costly models is drawn only now, after every response arrived. Only answers that can score are
        // recomputed, and each model's are recomputed together (ReferenceModel.RunMany: one run's fixed cost, not one each).
        NamedTensor[]?[] references = new NamedTensor[sent.Count][];
        foreach (IGrouping<ReferenceModel, int> group in Enumerable.Range(0, sent.Count)
            .Where(i => IsTimelyAnswer(sent[i].Model, sent[i].Result, sent[i].Latency)
                && (sent[i].Model.Cost < _options.RecomputeAllBelow || Drawn(_options.SampleFraction)))
            .GroupBy(i => sent[i].Model))
        {
            int[] picked = [.. group];
            NamedTensor[][] outputs = group.Key.RunMany([.. picked.Select(i => sent[i].Inputs)]);
            for (int k = 0; k < picked.Length; k++)
            {
                references[picked[k]] = outputs[k];
            }
        }

        List<InferenceRequestOutcome> outcomes = [];
        double[] scores = new double[sent.Count];
        bool mismatch = false;
        for (int i = 0; i < sent.Count; i++)
        {
            (ReferenceModel model, NamedTensor[] inputs, DendriteResult<InferenceResponse> result, TimeSpan latency) = sent[i];
            InferenceRequestOutcome outcome = Score(miner, model, inputs, result, latency, references[i]);
            mismatch |= outcome.IsMismatch;
            scores[i] = outcome.Score;
            outcomes.Add(outcome);
        }

        double? burstPerS = null;
        if (burst)
        {
            ReferenceModel cheapest = served.MinBy(r => r.Cost)!;
            (double perS, bool burstMismatch) = await BurstAsync(miner, target, cheapest, blockHash, cancellationToken).ConfigureAwait(false);
            burstPerS = perS;
            mismatch |= burstMismatch;
        }

        return Record(miner, outcomes, scores, mismatch, burstPerS);
    }

    private async Task<(DendriteResult<InferenceResponse> Result, TimeSpan Latency)> SendAsync(AxonTarget target, ReferenceModel model, NamedTensor[] inputs, CancellationToken cancellationToken)
    {
        InferenceRequest request = new(model.Entry.Id, new Hex32(Hash256.Parse(model.Entry.Sha256, null)), InferenceTensors.ToWire(inputs));
        TimeSpan timeout = TimeSpan.FromSeconds(Math.Max(1, model.Entry.TimeoutS));
        TimeSpan started = _clock.Elapsed;
        DendriteResult<InferenceResponse> result = await _dendrite.InferenceAsync(target, request, timeout, cancellationToken).ConfigureAwait(false);
        return (result, _clock.Elapsed - started);
    }

    /// <summary>True with probability <paramref name="fraction"/> (to a millionth), drawn from the system's CSPRNG: a miner cannot predict which answers are recomputed.</summary>
    private static bool Drawn(double fraction) => RandomNumberGenerator.GetInt32(1_000_000) < fraction * 1_000_000;

    private static bool IsTimelyAnswer(ReferenceModel model, DendriteResult<InferenceResponse> result, TimeSpan latency) =>
        result.IsSuccess && result.Response is not null && latency <= TimeSpan.FromSeconds(model.Entry.TimeoutS);

    /// <summary>Scores one answer: zero unless timely; by latency when not recomputed (<paramref name="reference"/> null) or when it matches.</summary>
    private InferenceRequestOutcome Score(MinerInferenceState miner, ReferenceModel model, NamedTensor[] inputs, DendriteResult<InferenceResponse> result, TimeSpan latency, NamedTensor[]? reference)
    {
        ModelEntry entry = model.Entry;
        int rows = (int)inputs[0].Shape[0];
        if (!IsTimelyAnswer(model, result, latency))
        {
            return new InferenceRequestOutcome(entry.Id, rows, result.Status, latency, false, null, 0);
        }

        if (reference is null)
        {
            return new InferenceRequestOutcome(entry.Id, rows, result.Status, latency, false, null, OutputComparer.Score(true, latency, entry.LatencyTargetMs));
        }

        OutputMatch match = OutputComparer.Compare(InferenceTensors.ToHost(result.Response!.Outputs), reference, OutputComparer.ToleranceFor(entry));
        if (match != OutputMatch.Match)
        {
            Log.InferenceMismatch(_logger, miner.Uid, entry.Id, match.ToString());
        }

        return new InferenceRequestOutcome(entry.Id, rows, result.Status, latency, true, match, OutputComparer.Score(match == OutputMatch.Match, latency, entry.LatencyTargetMs));
    }

    // inference.md §5 "Capacity": a burst at concurrency 16 for 5 s on the cheapest model; correct completions per second,
    // 10 % recomputed. Any wrong answer makes the burst worth 0 and resets the EMA like any wrong output. The sampled
    // answers are recomputed after the burst, stacked (RunMany), so the validator's own work neither loads its cores
    // while it times the miner nor costs one run per answer.
    private async Task<(double PerS, bool Mismatch)> BurstAsync(MinerInferenceState miner, AxonTarget target, ReferenceModel model, Hash256 blockHash, CancellationToken cancellationToken)
    {
        Hash256 nonce = new(RandomNumberGenerator.GetBytes(Hash256.Size));
        TimeSpan start = _clock.Elapsed;
        TimeSpan end = start + _options.CapacityBurst;
        int answered = 0;
        int next = _options.RequestsPerMiner;
        ConcurrentQueue<(NamedTensor[] Inputs, NamedTensor[] Outputs)> sampled = new();

        async Task WorkerAsync()
        {
            while (_clock.Elapsed < end)
            {
                uint index = (uint)Interlocked.Increment(ref next);
                NamedTensor[] inputs = InputGenerator.Generate(model.Entry, 1, InputGenerator.RequestSeed(blockHash, nonce, miner.Hotkey, index));
                (DendriteResult<InferenceResponse> result, TimeSpan latency) = await SendAsync(target, model, inputs, cancellationToken).ConfigureAwait(false);
                if (!result.IsSuccess || result.Response is null || _clock.Elapsed > end + TimeSpan.FromSeconds(model.Entry.TimeoutS))
                {
                    continue;
                }

                if (Drawn(_options.CapacityRecomputeFraction))
                {
                    sampled.Enqueue((inputs, InferenceTensors.ToHost(result.Response.Outputs)));
                }

                Interlocked.Increment(ref answered);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, _options.CapacityConcurrency).Select(_ => Task.Run(WorkerAsync, cancellationToken))).ConfigureAwait(false);
        double seconds = Math.Max((_clock.Elapsed - start).TotalSeconds, _options.CapacityBurst.TotalSeconds);
        (NamedTensor[] Inputs, NamedTensor[] Outputs)[] samples = [.. sampled];
        NamedTensor[][] references = model.RunMany([.. samples.Select(s => s.Inputs)]);
        Tolerance tolerance = OutputComparer.ToleranceFor(model.Entry);
        bool wrong = samples.Where((s, i) => OutputComparer.Compare(s.Outputs, references[i], tolerance) != OutputMatch.Match).Any();
        return wrong ? (0, true) : (answered / seconds, false);
    }

    private InferenceMinerResult Record(MinerInferenceState miner, List<InferenceRequestOutcome> outcomes, double[] scores, bool mismatch, double? burstPerS)
    {
        lock (_lock)
        {
            miner.Quality = OutputComparer.UpdateQuality(miner.Quality, scores, mismatch);
            if (burstPerS is { } perS)
            {
                miner.AddBurst(perS, _options.CapacityHistory);
            }

            Log.InferenceMinerScored(_logger, miner.Uid, miner.Quality, miner.Capacity ?? 0);
            _state?.Save(new PersistedInferenceMiner(miner.Hotkey, miner.Uid, miner.Quality, miner.Bursts));
            return new InferenceMinerResult(miner.Uid, miner.Hotkey, outcomes, burstPerS, miner.Quality, miner.Capacity);
        }
    }

    private sealed class MinerInferenceState(PublicKey hotkey)
    {
        private readonly List<double> _bursts = [];

        public PublicKey Hotkey { get; } = hotkey;

        /// <summary>A copy of the last bursts, oldest first.</summary>
        public double[] Bursts => [.. _bursts];

        public ushort Uid { get; set; }

        public double Quality { get; set; }

        /// <summary>The median of the last bursts, or null before the first.</summary>
        public double? Capacity
        {
            get
            {
                if (_bursts.Count == 0)
                {
                    return null;
                }

                double[] sorted = [.. _bursts.Order()];
                return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
            }
        }

        public void AddBurst(double perS, int history)
        {
            _bursts.Add(perS);
            if (_bursts.Count > history)
            {
                _bursts.RemoveAt(0);
            }
        }
    }
}
