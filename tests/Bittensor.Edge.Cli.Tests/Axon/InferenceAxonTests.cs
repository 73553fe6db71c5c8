// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Cli.Commands.Axon;
using Bittensor.Edge.Cli.Tests.Chain;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Core.Wallets;
using Bittensor.Edge.Inference;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage.Sectors;
using Bittensor.Edge.Storage.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Cli.Tests.Axon;

/// <summary>
/// The Inference synapse of <c>bte axon serve</c> over real HTTP on loopback: a dev node, an axon serving a model folder
/// through an <see cref="InferenceHost"/>, and a validator's <see cref="Dendrite"/>. Every bad request gets a clear error
/// and the axon keeps serving.
/// </summary>
public sealed class InferenceAxonTests : IAsyncLifetime
{
    private readonly string _temp = Directory.CreateTempSubdirectory("bte-ia-").FullName;
    private ChainCliHarness _h = null!;

    public async ValueTask InitializeAsync() => _h = await ChainCliHarness.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _h.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }

    [Fact]
    public async Task The_axon_serves_its_models_with_the_reference_outputs_and_lists_them_in_Health()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Served axon = await ServeAsync(TestModelFolder.Create(_temp, BundledModels.MlpTiny, BundledModels.CnnTiny), ct);
        GeneratedModel mlp = TestModelFolder.Model(BundledModels.MlpTiny);
        GeneratedModel cnn = TestModelFolder.Model(BundledModels.CnnTiny);
        float[] mlpInput = Uniform(3 * 64, seed: 4);
        float[] cnnInput = Uniform(2 * 784, seed: 5);

        DendriteResult<InferenceResponse> mlpResult = await axon.Dendrite.InferenceAsync(axon.Target, Request(mlp, [3, 64], mlpInput), cancellationToken: ct);
        DendriteResult<InferenceResponse> cnnResult = await axon.Dendrite.InferenceAsync(axon.Target, Request(cnn, [2, 1, 28, 28], cnnInput), cancellationToken: ct);
        DendriteResult<HealthResponse> health = await axon.Dendrite.HealthAsync(axon.Target, cancellationToken: ct);

        Assert.True(mlpResult.IsSuccess, mlpResult.StatusMessage);
        Tensor y = Assert.Single(mlpResult.Response!.Outputs);
        Assert.Equal(("y", TensorDType.Float32), (y.Name, y.DType));
        Assert.Equal([3L, 10], y.Shape);
        AssertClose(mlp.Forward(mlpInput, 3), MemoryMarshal.Cast<byte, float>(y.Data));
        Assert.True(cnnResult.IsSuccess, cnnResult.StatusMessage);
        AssertClose(cnn.Forward(cnnInput, 2), MemoryMarshal.Cast<byte, float>(cnnResult.Response!.Outputs[0].Data));
        Assert.Equal([BundledModels.CnnTiny, BundledModels.MlpTiny], health.Response!.Inference.Models);
        Assert.Equal("", axon.Error.ToString());
    }

    [Fact]
    public async Task Bad_requests_get_clear_errors_and_the_axon_keeps_serving_good_ones()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using Served axon = await ServeAsync(TestModelFolder.Create(_temp, BundledModels.MlpTiny), ct);
        GeneratedModel model = TestModelFolder.Model(BundledModels.MlpTiny);
        InferenceRequest good = Request(model, [1, 64], Uniform(64, seed: 1));
        Tensor x = good.Inputs[0];
        float[] nan = Uniform(64, seed: 2);
        nan[9] = float.NaN;
        float[] inf = Uniform(64, seed: 3);
        inf[0] = float.PositiveInfinity;

        (InferenceRequest Request, AxonStatus Status, string Code, string Says)[] cases =
        [
            (good with { Inputs = [x with { Shape = [1, 63], Data = x.Data[..(63 * 4)] }] }, AxonStatus.UnprocessableEntity, "BadInput", "shape[1] must be 64"),
            (good with { Inputs = [x with { Shape = [64] }] }, AxonStatus.UnprocessableEntity, "BadInput", "rank 2"),
            (good with { Inputs = [x with { DType = TensorDType.Int32 }] }, AxonStatus.UnprocessableEntity, "BadInput", "must be float32, got int32"),
            (good with { Inputs = [x with { Data = Bytes(nan) }] }, AxonStatus.UnprocessableEntity, "BadInput", "NaN or infinity at element 9"),
            (good with { Inputs = [x with { Data = Bytes(inf) }] }, AxonStatus.UnprocessableEntity, "BadInput", "NaN or infinity at element 0"),
            (good with { Inputs = [x with { Shape = [33, 64], Data = Bytes(Uniform(33 * 64, 4)) }] }, AxonStatus.UnprocessableEntity, "BadInput", "rows) must be 1..32, got 33"),
            (good with { Inputs = [x with { Name = "input" }] }, AxonStatus.UnprocessableEntity, "BadInput", "Input 'x' is missing"),
            (good with { Inputs = [x, x with { Name = "extra" }] }, AxonStatus.UnprocessableEntity, "BadInput", "takes 1 input(s) (x), got 2"),
            (good with { ModelId = "resnet-50-v1" }, AxonStatus.UnprocessableEntity, "UnknownModel", "'resnet-50-v1' is not served here"),
            (good with { ModelSha256 = new Hex32(Sha256.Hash("other"u8)) }, AxonStatus.UnprocessableEntity, "UnknownModel", model.Sha256.ToString("x", null)),
        ];
        foreach ((InferenceRequest request, AxonStatus status, string code, string says) in cases)
        {
            DendriteResult<InferenceResponse> result = await axon.Dendrite.InferenceAsync(axon.Target, request, cancellationToken: ct);
            Assert.Equal(status, result.Status);
            Assert.Equal(code, result.Error?.Error);
            Assert.Contains(says, result.Error!.Message, StringComparison.Ordinal);
        }

        string body = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(good, ProtocolJsonContext.Default.InferenceRequest));
        string data = Convert.ToBase64String(x.Data);
        (string Body, AxonStatus Status, string Code, string Says)[] raw =
        [
            (body.Replace(data, "!!" + data[2..], StringComparison.Ordinal), AxonStatus.UnprocessableEntity, "BadInput", "not valid base64"),
            (body.Replace(data, data[1..], StringComparison.Ordinal), AxonStatus.UnprocessableEntity, "BadInput", "not padded base64"),
            (body.Replace("\"float32\"", "\"float64\"", StringComparison.Ordinal), AxonStatus.UnprocessableEntity, "BadInput", "'float64' is not one of"),
            (body.Replace("\"modelId\"", "\"model\"", StringComparison.Ordinal), AxonStatus.BadRequest, "BadJson", "modelId is missing"),
            (body[..^10], AxonStatus.BadRequest, "BadJson", "not a valid Inference request"),
        ];
        foreach ((string text, AxonStatus status, string code, string says) in raw)
        {
            DendriteResult result = await axon.Dendrite.CallAsync(axon.Target, SynapseNames.Inference, Encoding.UTF8.GetBytes(text), cancellationToken: ct);
            Assert.Equal(status, result.Status);
            Assert.Equal(code, result.Error?.Error);
            Assert.Contains(says, result.Error!.Message, StringComparison.Ordinal);
        }

        // Over the axon's 8 MiB body limit: 413 before anything is parsed.
        InferenceRequest huge = good with { Inputs = [x with { Shape = [32_769, 64], Data = new byte[32_769 * 64 * 4] }] };
        DendriteResult<InferenceResponse> tooLarge = await axon.Dendrite.InferenceAsync(axon.Target, huge, cancellationToken: ct);
        Assert.Equal(AxonStatus.PayloadTooLarge, tooLarge.Status);

        DendriteResult<InferenceResponse> still = await axon.Dendrite.InferenceAsync(axon.Target, good, cancellationToken: ct);
        Assert.True(still.IsSuccess, still.StatusMessage);
        AssertClose(model.Forward(MemoryMarshal.Cast<byte, float>(x.Data).ToArray(), 1), MemoryMarshal.Cast<byte, float>(still.Response!.Outputs[0].Data));
    }

    [Fact]
    public async Task A_tampered_model_file_is_refused_at_load_and_the_other_models_are_served()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string folder = TestModelFolder.Create(_temp, BundledModels.MlpTiny, BundledModels.CnnTiny);
        ModelEntry cnnEntry = TestModelFolder.Entry(BundledModels.CnnTiny);
        string cnnFile = Path.Combine(folder, cnnEntry.Sha256 + ".onnx");
        byte[] tampered = File.ReadAllBytes(cnnFile);
        tampered[^20] ^= 0x01; // one bit of a weight: same size, different SHA-256
        File.WriteAllBytes(cnnFile, tampered);

        await using Served axon = await ServeAsync(folder, ct);
        GeneratedModel mlp = TestModelFolder.Model(BundledModels.MlpTiny);
        GeneratedModel cnn = TestModelFolder.Model(BundledModels.CnnTiny);
        DendriteResult<InferenceResponse> refused = await axon.Dendrite.InferenceAsync(axon.Target, Request(cnn, [1, 1, 28, 28], Uniform(784, 1)), cancellationToken: ct);
        DendriteResult<InferenceResponse> served = await axon.Dendrite.InferenceAsync(axon.Target, Request(mlp, [1, 64], Uniform(64, 1)), cancellationToken: ct);
        DendriteResult<HealthResponse> health = await axon.Dendrite.HealthAsync(axon.Target, cancellationToken: ct);

        string warning = axon.Error.ToString();
        Assert.Contains($"Model '{BundledModels.CnnTiny}' is refused: the SHA-256 of {cnnFile}", warning, StringComparison.Ordinal);
        Assert.Contains($"its entry says {cnnEntry.Sha256}", warning, StringComparison.Ordinal);
        Assert.Contains("It is not served.", warning, StringComparison.Ordinal);
        Assert.Equal(AxonStatus.ServiceUnavailable, refused.Status);
        Assert.Equal("ModelNotReady", refused.Error?.Error);
        Assert.Contains("was refused at load", refused.Error!.Message, StringComparison.Ordinal);
        Assert.True(served.IsSuccess, served.StatusMessage);
        Assert.Equal([BundledModels.MlpTiny], health.Response!.Inference.Models);
        Assert.Contains($"model {BundledModels.MlpTiny} (", axon.Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_signed_by_a_key_outside_the_trust_list_is_refused_with_the_signer_named()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string folder = TestModelFolder.Create(_temp, BundledModels.MlpTiny);
        using Ed25519KeyPair stranger = Ed25519KeyPair.Generate();
        ModelEntry resigned = ModelRegistry.Sign(TestModelFolder.Entry(BundledModels.MlpTiny), stranger);
        File.WriteAllBytes(Path.Combine(folder, ModelFolder.RegistryFileName), ModelRegistry.Empty.WithTrust(TestModelFolder.Key.PublicKey).WithEntry(resigned).ToJson());

        await using Served axon = await ServeAsync(folder, ct);
        DendriteResult<InferenceResponse> refused = await axon.Dendrite.InferenceAsync(
            axon.Target, Request(TestModelFolder.Model(BundledModels.MlpTiny), [1, 64], Uniform(64, 1)), cancellationToken: ct);

        Assert.Contains($"its signer {stranger.Ss58Address} is not in the registry's trust list", axon.Error.ToString(), StringComparison.Ordinal);
        Assert.Equal("ModelNotReady", refused.Error?.Error);
    }

    private async Task<Served> ServeAsync(string models, CancellationToken ct)
    {
        await SubnetWithPermitsAsync();
        HttpClient http = new();
        ChainRpcClient client = new(http, _h.NodeUrl);
        WalletKey minerKey = new Core.Wallets.Wallet(_h.WalletRoot, "miner").LoadHotkey("default");
        WalletKey validatorKey = new Core.Wallets.Wallet(_h.WalletRoot, "validator").LoadHotkey("default");
        MemorySectorStore store = new(new SectorStoreOptions(), SystemClock.Instance);
        SectorOwnerLog owners = new();
        InferenceHost host = AxonServeAction.CreateInferenceHost(SystemClock.Instance, NullLoggerFactory.Instance);
        StringWriter output = new();
        StringWriter error = new();
        Assert.True(ModelFolder.TryOpen(models, out ModelFolder? folder, out string? problem), problem);
        await AxonServeAction.LoadModelsAsync(host, folder, output, error);
        RunningAxon? axon = await AxonServeAction.StartAsync(
            client, minerKey.KeyPair, new AxonServeSettings(1, IPAddress.Loopback, 0, null, false),
            new SectorService(store, owners), host, SystemClock.Instance, NullLoggerFactory.Instance, error, ct);
        Assert.NotNull(axon);
        return new Served(axon, new Dendrite(validatorKey.KeyPair, SystemClock.Instance), new AxonTarget(axon.Host.Endpoint, minerKey.PublicKey), output, error,
            [host, store, owners, minerKey, validatorKey, http]);
    }

    internal static InferenceRequest Request(GeneratedModel model, long[] shape, float[] values) =>
        new(model.Id, new Hex32(model.Sha256), [new Tensor("x", TensorDType.Float32, shape, Bytes(values))]);

    internal static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    internal static float[] Uniform(int count, ulong seed)
    {
        SplitMix64 rng = new(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = -1f + (2f * rng.NextUnit());
        }

        return values;
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 + (1e-3 * Math.Abs(expected[i])), $"element {i}: {actual[i]} vs {expected[i]}");
        }
    }

    // Tempo 10 on netuid 1: the validator and miner register, and the next epoch hands out validator permits.
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

    private sealed class Served(RunningAxon axon, Dendrite dendrite, AxonTarget target, StringWriter output, StringWriter error, IEnumerable<object> owned) : IAsyncDisposable
    {
        public Dendrite Dendrite { get; } = dendrite;

        public AxonTarget Target { get; } = target;

        public StringWriter Output { get; } = output;

        public StringWriter Error { get; } = error;

        public async ValueTask DisposeAsync()
        {
            await axon.DisposeAsync();
            Dendrite.Dispose();
            foreach (object item in owned)
            {
                if (item is IAsyncDisposable asyncDisposable)
                {
                    await asyncDisposable.DisposeAsync();
                }
                else if (item is IDisposable disposable)
                {
                    disposable.Dispose();
                }
            }
        }
    }
}
