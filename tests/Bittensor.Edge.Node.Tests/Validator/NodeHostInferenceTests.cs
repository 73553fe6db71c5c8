// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Core.Wallets;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Sessions;
using Bittensor.Edge.Node.Tests.Process;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Node.Tests.Validator;

/// <summary>
/// <see cref="NodeHost"/> with <c>validator:inferenceEnabled</c>, in process on a <see cref="ManualClock"/>: the reference
/// sessions load from the model folder on the best execution provider the build offers, with a log line saying which,
/// and the inference validator runs beside the storage validator.
/// </summary>
public sealed class NodeHostInferenceTests : IDisposable
{
    private readonly TestNetwork _net = new(blockTimeMs: 1000);
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly LogWaiter _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly string _models;

    public NodeHostInferenceTests()
    {
        _loggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Information).AddProvider(_logs));
        using WalletKey hotkey = WalletKey.Generate();
        KeyFile.WritePlaintext(Path.Combine(_net.Root, "validator.key"), hotkey);
        _models = Path.Combine(_net.Root, "models");
        Directory.CreateDirectory(_models);
        GeneratedModel model = BundledModels.Create(BundledModels.MlpTiny);
        using Ed25519KeyPair registryKey = Ed25519KeyPair.Generate();
        ModelEntry entry = ModelRegistry.Sign(ModelInspector.CreateEntry(model.Id, model.Bytes, new EntryOptions(), NullLogger.Instance), registryKey);
        File.WriteAllBytes(Path.Combine(_models, entry.Sha256 + ".onnx"), model.Bytes);
        File.WriteAllBytes(Path.Combine(_models, ModelFolder.RegistryFileName), ModelRegistry.Empty.WithTrust(registryKey.PublicKey).WithEntry(entry).ToJson());
    }

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _net.Dispose();
    }

    [Fact]
    public async Task A_claimed_gpu_that_fails_falls_back_to_cpu_with_log_lines_and_the_inference_validator_runs_rounds()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        FixedExecutionProviderCatalog gpuClaimed = new(["CUDAExecutionProvider", "CPUExecutionProvider"]);
        Task<int> host = NodeHost.RunAsync(Settings(), new NodeHostEnvironment(_loggerFactory, _clock, _ => null, "test", gpuClaimed), stop.Token);

        string fallback = await _logs.WaitForAsync("the CUDA execution provider failed", ct);
        Assert.Contains("falling back to CPU", fallback, StringComparison.Ordinal);
        string started = await _logs.WaitForAsync("Inference validator on subnet 1", ct);
        Assert.Contains("1 reference models (mlp-tiny-v1) on CPU", started, StringComparison.Ordinal);
        Assert.Contains("ONNX Runtime offers CUDAExecutionProvider, CPUExecutionProvider; EP order CUDA → CPU", started, StringComparison.Ordinal);
        await _logs.WaitForAsync("Inference validator round 1: 0 miners, 0 requests", ct);
        await _logs.WaitForAsync("Storage validator round 1:", ct);

        await stop.CancelAsync();
        Assert.Equal(NodeConstants.ExitOk, await host.WaitAsync(TimeSpan.FromSeconds(30), ct));
        Assert.Contains("Inference validator stopped after 1 rounds", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_cpu_build_runs_the_references_on_cpu_without_a_fallback()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task<int> host = NodeHost.RunAsync(Settings(), new NodeHostEnvironment(_loggerFactory, _clock, _ => null, "test"), stop.Token);

        string started = await _logs.WaitForAsync("Inference validator on subnet 1", ct);
        Assert.Contains("on CPU; ONNX Runtime offers", started, StringComparison.Ordinal);
        Assert.Contains("EP order CPU", started, StringComparison.Ordinal);
        Assert.DoesNotContain("falling back", _logs.Text, StringComparison.Ordinal);

        await stop.CancelAsync();
        Assert.Equal(NodeConstants.ExitOk, await host.WaitAsync(TimeSpan.FromSeconds(30), ct));
    }

    [Fact]
    public async Task A_tampered_reference_model_is_refused_with_a_warning_and_an_unreadable_registry_stops_the_node()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string file = Directory.GetFiles(_models, "*.onnx").Single();
        byte[] bytes = File.ReadAllBytes(file);
        bytes[^8] ^= 0x40;
        File.WriteAllBytes(file, bytes);
        using (CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            Task<int> host = NodeHost.RunAsync(Settings(), new NodeHostEnvironment(_loggerFactory, _clock, _ => null, "test"), stop.Token);
            string refused = await _logs.WaitForAsync("is not used as a reference", ct);
            Assert.Contains("the SHA-256 of", refused, StringComparison.Ordinal);
            await _logs.WaitForAsync("Inference validator on subnet 1: 0 reference models", ct);
            await stop.CancelAsync();
            Assert.Equal(NodeConstants.ExitOk, await host.WaitAsync(TimeSpan.FromSeconds(30), ct));
        }

        File.WriteAllText(Path.Combine(_models, ModelFolder.RegistryFileName), "{ not json");
        Assert.Equal(NodeConstants.ExitStartup, await NodeHost.RunAsync(Settings(), new NodeHostEnvironment(_loggerFactory, _clock, _ => null, "test"), ct));
        Assert.Contains("cannot be read as a model registry", _logs.Text, StringComparison.Ordinal);
        Assert.Contains("(validator:modelsDir)", _logs.Text, StringComparison.Ordinal);
    }

    private NodeSettings Settings()
    {
        NodeSettings settings = new();
        settings.Node.DataDir = _net.DataDir;
        settings.Node.GenesisPath = Path.Combine(_net.Root, "genesis.json");
        settings.Rpc.Port = 0;
        settings.Validator.Enabled = true;
        settings.Validator.Netuid = 1;
        settings.Validator.HotkeyUri = "file://" + Path.Combine(_net.Root, "validator.key");
        settings.Validator.RoundS = 30;
        settings.Validator.WeightsEveryRounds = 1;
        settings.Validator.InferenceEnabled = true;
        settings.Validator.ModelsDir = _models;
        Assert.Empty(NodeSettingsValidator.Validate(settings));
        return settings;
    }
}
