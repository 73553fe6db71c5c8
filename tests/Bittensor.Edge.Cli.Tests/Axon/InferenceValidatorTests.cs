// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using Bittensor.Edge.Axon;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Cli.Commands.Axon;
using Bittensor.Edge.Cli.Tests.Chain;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Core.Wallets;
using Bittensor.Edge.Inference;
using Bittensor.Edge.Inference.Batching;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Scoring;
using Bittensor.Edge.Inference.Sessions;
using Bittensor.Edge.Inference.Wire;
using Bittensor.Edge.Node.Validator;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage.Sectors;
using Bittensor.Edge.Storage.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Cli.Tests.Axon;

/// <summary>
/// The inference market end to end on loopback: a dev node, two honest axons from <c>bte axon serve</c> serving a model
/// folder, one axon that claims <c>mlp-tiny-v1</c> but answers from <c>mlp-tiny-cheap-v1</c> (a real generated model with
/// a quarter of the hidden units: plausible outputs, wrong ones), and the node's <see cref="InferenceValidator"/>
/// recomputing on its own reference sessions, scoring, bursting for capacity and setting weights.
/// </summary>
public sealed class InferenceValidatorTests : IAsyncLifetime
{
    private readonly string _temp = Directory.CreateTempSubdirectory("bte-iv-").FullName;
    private readonly List<object> _owned = [];
    private ChainCliHarness _h = null!;

    public async ValueTask InitializeAsync() => _h = await ChainCliHarness.StartAsync();

    public async ValueTask DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            if (_owned[i] is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else if (_owned[i] is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }

        await _h.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }

    [Fact]
    public async Task A_round_scores_two_honest_axons_above_one_serving_a_cheaper_model_and_sets_weights_that_reflect_it()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await SubnetWithThreeMinersAsync();
        HttpClient http = Own(new HttpClient()); // the axons' metagraph refreshers use it until they are disposed
        ChainRpcClient client = new(http, _h.NodeUrl);
        WalletKey honestKey = Own(new Core.Wallets.Wallet(_h.WalletRoot, "miner").LoadHotkey("default"));
        WalletKey secondKey = Own(new Core.Wallets.Wallet(_h.WalletRoot, "miner").LoadHotkey("second"));
        WalletKey cheaterKey = Own(new Core.Wallets.Wallet(_h.WalletRoot, "owner").LoadHotkey("default"));
        WalletKey validatorKey = Own(new Core.Wallets.Wallet(_h.WalletRoot, "validator").LoadHotkey("default"));
        string folder = TestModelFolder.Create(_temp, BundledModels.MlpTiny, BundledModels.CnnTiny);
        StringWriter error = new();

        RunningAxon honest = await HonestAxonAsync(client, honestKey, folder, error, ct);
        RunningAxon second = await HonestAxonAsync(client, secondKey, folder, error, ct);
        RunningAxon cheater = await CheaterAxonAsync(client, cheaterKey, error, ct);

        using Dendrite dendrite = new(validatorKey.KeyPair, SystemClock.Instance);
        Assert.True(ModelFolder.TryOpen(folder, out ModelFolder? models, out string? problem), problem);
        ListLogger log = new();
        (List<ReferenceModel> references, List<(string Id, string Reason)> refused) = InferenceValidator.LoadReferences(
            models, new SessionSettings { ExecutionProviders = [ExecutionProviders.Cuda, ExecutionProviders.Cpu] }, OrtExecutionProviderCatalog.Instance, log);
        Assert.Empty(refused);
        Assert.Equal([ExecutionProviders.Cpu, ExecutionProviders.Cpu], references.Select(r => r.ExecutionProvider));
        Assert.Contains(log.Lines, l => l.Contains("runs on the CPU execution provider", StringComparison.Ordinal));
        // Every burst answer recomputed (stacked, after the burst), so the cheater's burst is worth 0 for certain.
        InferenceValidatorOptions options = new() { Netuid = 1, CapacityBurst = TimeSpan.FromMilliseconds(300), CapacityConcurrency = 2, CapacityRecomputeFraction = 1 };
        using InferenceValidatorState state = InferenceValidatorState.Open(Path.Combine(_temp, InferenceValidatorState.RelativePath));
        using InferenceValidator validator = new(client, dendrite, validatorKey.PublicKey, SystemClock.Instance, references, options, NullLogger.Instance, state);

        IReadOnlyList<InferenceMinerResult> results = await validator.RunRoundAsync(ct);

        InferenceMinerResult h1 = Assert.Single(results, r => r.Hotkey.Equals(honestKey.PublicKey));
        InferenceMinerResult h2 = Assert.Single(results, r => r.Hotkey.Equals(secondKey.PublicKey));
        InferenceMinerResult bad = Assert.Single(results, r => r.Hotkey.Equals(cheaterKey.PublicKey));
        foreach (InferenceMinerResult good in new[] { h1, h2 })
        {
            Assert.Equal(8, good.Requests.Count);
            Assert.All(good.Requests, q =>
            {
                Assert.Equal(AxonStatus.Ok, q.Status);
                Assert.True(q.Recomputed); // both models cost far less than 50 ms to recompute
                Assert.Equal(OutputMatch.Match, q.Match);
                Assert.InRange(q.Score, 0.1, 1.0);
                Assert.InRange(q.Rows, 1, 4);
            });
            Assert.True(good.BurstPerS > 0);
            Assert.True(good.Quality > 0);
            Assert.Equal(good.BurstPerS, good.Capacity);
        }

        Assert.Equal(8, bad.Requests.Count);
        Assert.All(bad.Requests, q =>
        {
            Assert.Equal(AxonStatus.Ok, q.Status); // it answered every request, fast, with the right names and shapes...
            Assert.Equal(OutputMatch.OutsideTolerance, q.Match); // ...and the wrong numbers
            Assert.Equal(0, q.Score);
        });
        Assert.Equal(0, bad.Quality);
        Assert.Equal(0, bad.BurstPerS); // its burst answers were as wrong as its requests

        IReadOnlyDictionary<ushort, double> weights = validator.Weights();
        Assert.Equal(2, weights.Count);
        Assert.True(weights[h1.Uid] > 0 && weights[h2.Uid] > 0);
        Assert.Equal(1.0, weights[h1.Uid] + weights[h2.Uid], 9);
        Assert.False(weights.ContainsKey(bad.Uid));

        // A node restart: a new validator over the same state file has every score and the same weights before any round.
        using (InferenceValidator restarted = new(client, dendrite, validatorKey.PublicKey, SystemClock.Instance, [], options, NullLogger.Instance, state))
        {
            Assert.Equal(weights.OrderBy(w => w.Key), restarted.Weights().OrderBy(w => w.Key));
            Assert.Equal(validator.Snapshot().OrderBy(m => m.Uid), restarted.Snapshot().OrderBy(m => m.Uid));
        }

        // Storage has no scores in this test, so the shared setter gives inference the whole row.
        StorageValidator storage = new(client, dendrite, validatorKey.PublicKey, SystemClock.Instance, new StorageValidatorOptions { Netuid = 1 }, NullLogger.Instance);
        ChainWeightSubmitter submitter = new(client, validatorKey.KeyPair, 1);
        bool? accepted = await new WeightSetter(submitter).Add(storage, 0.5).Add(validator, 0.5).SetAsync(ct);
        Assert.True(accepted == true, submitter.LastStatus?.Error);
        RpcMetagraph metagraph = await client.GetMetagraphAsync(1, ct);
        ushort validatorUid = (ushort)metagraph.Hotkeys.IndexOf(validatorKey.PublicKey);
        IReadOnlyList<(ushort Uid, ushort Weight)> row = await client.GetWeightsAsync(1, validatorUid, ct);
        Assert.Equal(new[] { h1.Uid, h2.Uid }.Order(), row.Select(w => w.Uid).Order());
        Assert.Contains(ushort.MaxValue, row.Select(w => w.Weight));

        Assert.Equal("", error.ToString());
        _ = (honest, second, cheater);
    }

    [Fact]
    public async Task A_miner_without_the_validators_models_is_not_scored_and_one_that_errors_scores_zero_without_a_mismatch()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await SubnetWithThreeMinersAsync();
        HttpClient http = Own(new HttpClient()); // the axons' metagraph refreshers use it until they are disposed
        ChainRpcClient client = new(http, _h.NodeUrl);
        WalletKey noModelsKey = Own(new Core.Wallets.Wallet(_h.WalletRoot, "miner").LoadHotkey("default"));
        WalletKey brokenKey = Own(new Core.Wallets.Wallet(_h.WalletRoot, "miner").LoadHotkey("second"));
        WalletKey validatorKey = Own(new Core.Wallets.Wallet(_h.WalletRoot, "validator").LoadHotkey("default"));
        string folder = TestModelFolder.Create(_temp, BundledModels.MlpTiny);
        StringWriter error = new();

        // One serves no models; the other advertises mlp-tiny-v1 but answers Busy to everything.
        await HonestAxonAsync(client, noModelsKey, TestModelFolder.Create(_temp), error, ct);
        await StartAsync(client, brokenKey, (_, _, _) => ValueTask.FromResult<RawSynapseResult>(new DomainError("Busy", "always busy", AxonStatus.ServiceUnavailable)), [BundledModels.MlpTiny], error, ct);

        using Dendrite dendrite = new(validatorKey.KeyPair, SystemClock.Instance);
        Assert.True(ModelFolder.TryOpen(folder, out ModelFolder? models, out _));
        (List<ReferenceModel> references, _) = InferenceValidator.LoadReferences(models, new SessionSettings(), OrtExecutionProviderCatalog.Instance, NullLogger.Instance);
        using InferenceValidator validator = new(
            client, dendrite, validatorKey.PublicKey, SystemClock.Instance, references,
            new InferenceValidatorOptions { Netuid = 1, CapacityBurst = TimeSpan.FromMilliseconds(100), CapacityConcurrency = 1 },
            NullLogger.Instance);

        IReadOnlyList<InferenceMinerResult> results = await validator.RunRoundAsync(ct);

        InferenceMinerResult idle = Assert.Single(results, r => r.Hotkey.Equals(noModelsKey.PublicKey));
        InferenceMinerResult broken = Assert.Single(results, r => r.Hotkey.Equals(brokenKey.PublicKey));
        Assert.Empty(idle.Requests);
        Assert.Null(idle.Capacity);
        Assert.Equal(8, broken.Requests.Count);
        Assert.All(broken.Requests, q =>
        {
            Assert.Equal(AxonStatus.ServiceUnavailable, q.Status);
            Assert.False(q.IsMismatch);
            Assert.Equal(0, q.Score);
        });
        Assert.Equal(0, broken.BurstPerS);
        Assert.Empty(validator.Weights());
    }

    private async Task<RunningAxon> HonestAxonAsync(ChainRpcClient client, WalletKey key, string folder, StringWriter error, CancellationToken ct)
    {
        InferenceHost host = Own(AxonServeAction.CreateInferenceHost(SystemClock.Instance, NullLoggerFactory.Instance));
        Assert.True(ModelFolder.TryOpen(folder, out ModelFolder? models, out string? problem), problem);
        await AxonServeAction.LoadModelsAsync(host, models, TextWriter.Null, error);
        MemorySectorStore store = Own(new MemorySectorStore(new SectorStoreOptions(), SystemClock.Instance));
        SectorOwnerLog owners = Own(new SectorOwnerLog());
        RunningAxon? axon = await AxonServeAction.StartAsync(
            client, key.KeyPair, new AxonServeSettings(1, IPAddress.Loopback, 0, null, true), new SectorService(store, owners), host,
            SystemClock.Instance, NullLoggerFactory.Instance, error, ct);
        Assert.True(axon is not null, error.ToString());
        return Own(axon);
    }

    // The cheater: a real InferenceHost running mlp-tiny-cheap-v1 under the id mlp-tiny-v1 (signed by its own registry
    // key), behind a handler that accepts requests for the real model's SHA-256: plausible outputs of the right names,
    // dtypes and shapes, computed by a cheaper model.
    private async Task<RunningAxon> CheaterAxonAsync(ChainRpcClient client, WalletKey key, StringWriter error, CancellationToken ct)
    {
        GeneratedModel cheap = BundledModels.Create(BundledModels.MlpTinyCheap);
        using Ed25519KeyPair cheaterRegistry = Ed25519KeyPair.Generate();
        ModelEntry entry = ModelRegistry.Sign(ModelInspector.CreateEntry(BundledModels.MlpTiny, cheap.Bytes, new EntryOptions(), NullLogger.Instance), cheaterRegistry);
        ModelRegistry registry = ModelRegistry.Empty.WithTrust(cheaterRegistry.PublicKey).WithEntry(entry);
        InferenceHost host = Own(new InferenceHost(SystemClock.Instance, new SessionSettings(), BatchSettings.X64, new FixedExecutionProviderCatalog([]), NullLogger.Instance));
        Assert.True(host.TryLoad(registry, BundledModels.MlpTiny, cheap.Bytes, out string? loadError), loadError);

        return await StartAsync(
            client,
            key,
            async (body, _, _) =>
            {
                Assert.True(InferenceWire.TryReadRequest(body, out WireRequest request, out _));
                InferenceResult result = await host.InferAsync(request.ModelId, cheap.Sha256, request.Inputs, TimeSpan.FromSeconds(12));
                return result.IsSuccess
                    ? InferenceWire.WriteResponse(result.Outputs, (ulong)result.ComputeTime.TotalMicroseconds)
                    : new DomainError(result.Error!.Code.ToString(), result.Error.Message, (AxonStatus)result.Error.HttpStatus);
            },
            [BundledModels.MlpTiny],
            error,
            ct);
    }

    private async Task<RunningAxon> StartAsync(ChainRpcClient client, WalletKey key, RawSynapseHandler handler, string[] models, StringWriter error, CancellationToken ct)
    {
        MemorySectorStore store = Own(new MemorySectorStore(new SectorStoreOptions(), SystemClock.Instance));
        SectorOwnerLog owners = Own(new SectorOwnerLog());
        RunningAxon? axon = await AxonServeAction.StartAsync(
            client, key.KeyPair, new AxonServeSettings(1, IPAddress.Loopback, 0, null, true), new SectorService(store, owners),
            handler, () => new InferenceSummary(models), SystemClock.Instance, NullLoggerFactory.Instance, error, ct);
        Assert.True(axon is not null, error.ToString());
        return Own(axon);
    }

    private T Own<T>(T item)
        where T : notnull
    {
        _owned.Add(item);
        return item;
    }

    // Tempo 10 on netuid 1: the owner's hotkey is uid 0 from subnet creation; the validator and two miner hotkeys (one
    // coldkey) register, and the next epoch hands out validator permits.
    private async Task SubnetWithThreeMinersAsync()
    {
        using (WalletKey second = WalletKey.Generate())
        {
            new Core.Wallets.Wallet(_h.WalletRoot, "miner").WriteHotkey("second", second);
        }

        Assert.Equal(0, (await _h.RunAsync("subnet", "create", "--name", "owner")).ExitCode);
        Assert.Equal(0, (await _h.RunAsync("subnet", "hparams", "1", "--set", "tempo=10", "--name", "owner")).ExitCode);
        Assert.Equal(0, (await _h.RunAsync("register", "--netuid", "1", "--name", "validator")).ExitCode);
        Assert.Equal(0, (await _h.RunAsync("register", "--netuid", "1", "--name", "miner")).ExitCode);
        Assert.Equal(0, (await _h.RunAsync("register", "--netuid", "1", "--name", "miner", "--hotkey", "second")).ExitCode);
        Assert.Equal(0, (await _h.RunAsync("stake", "add", "--netuid", "1", "--amount", "100", "--name", "validator")).ExitCode);
        ulong b = _h.Node.Head.Number + 1;
        while ((b + 2) % 11 != 10)
        {
            b++;
        }

        _h.ProduceUntil(b);
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue(formatter(state, exception));
    }
}
