// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Inference.Batching;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Scoring;
using Bittensor.Edge.Inference.Sessions;
using Bittensor.Edge.Inference.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Inference.Tests;

public class InferenceHostTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task A_loaded_model_answers_with_the_reference_outputs()
    {
        await using InferenceHost host = await LoadedHostAsync(BundledModels.CnnTiny);
        GeneratedModel model = TestModels.Get(BundledModels.CnnTiny);
        float[] input = TestModels.UniformInput(2 * 784, seed: 5);

        InferenceResult result = await host.InferAsync(model.Id, model.Sha256, [Tensor("x", [2, 1, 28, 28], input)], s_timeout);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Batching.ModelBatcherTests.AssertClose(model.Forward(input, 2), MemoryMarshal.Cast<byte, float>(result.Outputs[0].Data.Span));
        Assert.Equal([new LoadedModel(model.Id, model.Sha256.ToString("x", null), ExecutionProviders.Cpu, false, 32)], host.Models);
    }

    [Fact]
    public async Task Bad_inputs_get_BadInput_and_the_host_keeps_serving()
    {
        await using InferenceHost host = await LoadedHostAsync(BundledModels.MlpTiny);
        GeneratedModel model = TestModels.Get(BundledModels.MlpTiny);
        float[] nan = TestModels.UniformInput(64, 1);
        nan[17] = float.NaN;
        float[] inf = TestModels.UniformInput(64, 1);
        inf[3] = float.NegativeInfinity;
        NamedTensor good = Tensor("x", [1, 64], TestModels.UniformInput(64, 2));

        NamedTensor[][] bad =
        [
            [Tensor("x", [1, 64], nan)],
            [Tensor("x", [1, 64], inf)],
            [Tensor("input", [1, 64], TestModels.UniformInput(64, 1))],
            [Tensor("x", [1, 63], TestModels.UniformInput(63, 1))],
            [Tensor("x", [64], TestModels.UniformInput(64, 1))],
            [Tensor("x", [33, 64], TestModels.UniformInput(33 * 64, 1))],
            [good with { DType = InferenceDType.Int32 }],
            [good with { Data = good.Data[..^4] }],
            [good, good with { Name = "extra" }],
        ];
        foreach (NamedTensor[] inputs in bad)
        {
            InferenceResult result = await host.InferAsync(model.Id, model.Sha256, inputs, s_timeout);
            Assert.Equal(InferenceErrorCode.BadInput, result.Error?.Code);
            Assert.Equal(422, result.Error!.HttpStatus);
        }

        Assert.Contains("NaN", (await host.InferAsync(model.Id, model.Sha256, bad[0], s_timeout)).Error!.Message, StringComparison.Ordinal);
        Assert.True((await host.InferAsync(model.Id, model.Sha256, [good], s_timeout)).IsSuccess);
    }

    [Fact]
    public async Task An_unknown_id_or_a_different_sha256_is_UnknownModel()
    {
        await using InferenceHost host = await LoadedHostAsync(BundledModels.MlpTiny);
        GeneratedModel model = TestModels.Get(BundledModels.MlpTiny);
        NamedTensor[] inputs = [Tensor("x", [1, 64], TestModels.UniformInput(64, 2))];

        Assert.Equal(InferenceErrorCode.UnknownModel, (await host.InferAsync("nope-v1", model.Sha256, inputs, s_timeout)).Error?.Code);
        Assert.Equal(InferenceErrorCode.UnknownModel, (await host.InferAsync(model.Id, Sha256.Hash([1]), inputs, s_timeout)).Error?.Code);
    }

    [Fact]
    public async Task Loading_refuses_tampered_bytes_and_untrusted_entries_with_a_clear_error()
    {
        await using InferenceHost host = NewHost();
        byte[] tampered = (byte[])TestModels.Get(BundledModels.MlpTiny).Bytes.Clone();
        tampered[^5] ^= 0x40;
        ModelRegistry untrusted = ModelRegistry.Empty.WithTrust(TestRegistry.OtherKey.PublicKey).WithEntry(TestRegistry.Entry(BundledModels.MlpTiny));

        Assert.False(host.TryLoad(TestRegistry.With(BundledModels.MlpTiny), BundledModels.MlpTiny, tampered, out string? hashError));
        Assert.Contains("SHA-256", hashError, StringComparison.Ordinal);
        Assert.False(host.TryLoad(untrusted, BundledModels.MlpTiny, TestModels.Get(BundledModels.MlpTiny).Bytes, out string? trustError));
        Assert.Contains("trust list", trustError, StringComparison.Ordinal);
        Assert.False(host.TryLoad(TestRegistry.With(BundledModels.MlpTiny), BundledModels.CnnTiny, TestModels.Get(BundledModels.CnnTiny).Bytes, out string? missing));
        Assert.Contains("not in the registry", missing, StringComparison.Ordinal);
        Assert.Empty(host.Models);
    }

    [Fact]
    public async Task A_model_whose_self_test_prefix_is_wrong_is_not_served()
    {
        await using InferenceHost host = NewHost();
        ModelEntry entry = TestRegistry.Entry(BundledModels.MlpTiny);
        ModelEntry wrong = ModelRegistry.Sign(entry with { SelfTest = entry.SelfTest with { ExpectedPrefix = [.. entry.SelfTest.ExpectedPrefix.Select(v => v + 0.5)] } }, TestRegistry.Key);
        ModelRegistry registry = ModelRegistry.Empty.WithTrust(TestRegistry.Key.PublicKey).WithEntry(wrong);

        Assert.False(host.TryLoad(registry, entry.Id, TestModels.Get(entry.Id).Bytes, out string? error));
        Assert.Contains("self-test", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_served_dtype_passes_through_an_identity_model()
    {
        InferenceDType[] dtypes = TestModels.AllDTypes;
        byte[] bytes = TestModels.Identity("identity-v1", dtypes, [3]);
        ModelEntry entry = ModelRegistry.Sign(ModelInspector.CreateEntry("identity-v1", bytes, new EntryOptions(), NullLogger.Instance), TestRegistry.Key);
        ModelRegistry registry = ModelRegistry.Empty.WithTrust(TestRegistry.Key.PublicKey).WithEntry(entry);
        await using InferenceHost host = NewHost();
        Assert.True(host.TryLoad(registry, entry.Id, bytes, out string? error), error);
        Assert.Equal(["uniform", "uniform", "intRange", "intRange", "intRange", "bool"], dtypes.Select((_, i) => entry.InputDomain[$"in{i}"].Kind));
        Assert.Equal(255, entry.InputDomain["in4"].Max);

        NamedTensor[] inputs = InputGenerator.Generate(entry, rows: 2, seed: 99);
        InferenceResult result = await host.InferAsync(entry.Id, Hash256.Parse(entry.Sha256, null), inputs, s_timeout);

        Assert.True(result.IsSuccess, result.Error?.Message);
        for (int i = 0; i < dtypes.Length; i++)
        {
            Assert.Equal(dtypes[i], result.Outputs[i].DType);
            Assert.Equal(inputs[i].Data.ToArray(), result.Outputs[i].Data.ToArray());
        }

        byte[] half = inputs[1].Data.ToArray();
        BinaryPrimitives.WriteHalfLittleEndian(half.AsSpan(2), Half.PositiveInfinity);
        byte[] boolean = inputs[5].Data.ToArray();
        boolean[0] = 2;
        Assert.Equal(InferenceErrorCode.BadInput, (await host.InferAsync(entry.Id, Hash256.Parse(entry.Sha256, null), [.. inputs[..1], inputs[1] with { Data = half }, .. inputs[2..]], s_timeout)).Error?.Code);
        Assert.Equal(InferenceErrorCode.BadInput, (await host.InferAsync(entry.Id, Hash256.Parse(entry.Sha256, null), [.. inputs[..5], inputs[5] with { Data = boolean }], s_timeout)).Error?.Code);
    }

    [Fact]
    public async Task The_wire_path_reads_and_writes_every_dtype_several_tensors_and_names_that_need_escaping()
    {
        InferenceDType[] dtypes = TestModels.AllDTypes;
        string[] outNames = ["y \"quoted\"", "été", "a<b>&c", "back\\slash", "tab\tname", "plain"];
        byte[] bytes = TestModels.Identity("identity-names-v1", dtypes, [3, 2], outNames);
        ModelEntry entry = ModelRegistry.Sign(ModelInspector.CreateEntry("identity-names-v1", bytes, new EntryOptions(), NullLogger.Instance), TestRegistry.Key);
        await using InferenceHost host = NewHost();
        Assert.True(host.TryLoad(ModelRegistry.Empty.WithTrust(TestRegistry.Key.PublicKey).WithEntry(entry), entry.Id, bytes, out string? error), error);
        NamedTensor[] inputs = InputGenerator.Generate(entry, rows: 3, seed: 5);

        System.Buffers.ArrayBufferWriter<byte> body = new();
        using (System.Text.Json.Utf8JsonWriter json = new(body))
        {
            json.WriteStartObject();
            json.WriteStartArray("inputs"); // before modelId: members may come in any order
            foreach (NamedTensor input in inputs.Reverse())
            {
                json.WriteStartObject();
                json.WriteBase64String("data", input.Data.Span);
                json.WriteString("dtype", InferenceDTypes.Name(input.DType));
                json.WriteString("name", input.Name);
                json.WriteStartArray("shape");
                foreach (long dim in input.Shape)
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteString("note", "ignored");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("modelSha256", entry.Sha256);
            json.WriteString("modelId", entry.Id);
            json.WriteEndObject();
        }

        InferenceResult result = await host.InferWireAsync(body.WrittenMemory, s_timeout);

        Assert.True(result.IsSuccess, result.Error?.Message);
        using System.Text.Json.JsonDocument response = System.Text.Json.JsonDocument.Parse(result.ResponseBody!.Value);
        System.Text.Json.JsonElement[] outputs = [.. response.RootElement.GetProperty("outputs").EnumerateArray()];
        Assert.Equal(dtypes.Length, outputs.Length);
        for (int i = 0; i < dtypes.Length; i++)
        {
            Assert.Equal(outNames[i], outputs[i].GetProperty("name").GetString());
            Assert.Equal(InferenceDTypes.Name(dtypes[i]), outputs[i].GetProperty("dtype").GetString());
            Assert.Equal([3L, 3, 2], outputs[i].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            Assert.Equal(inputs[i].Data.ToArray(), outputs[i].GetProperty("data").GetBytesFromBase64());
        }

        Assert.Equal(InferenceWire.WriteResponse(
            [.. dtypes.Select((d, i) => new NamedTensor(outNames[i], d, [3, 3, 2], inputs[i].Data))],
            response.RootElement.GetProperty("computeUs").GetUInt64()), result.ResponseBody!.Value.ToArray());
    }

    [Fact]
    public async Task A_wire_response_stays_intact_until_released_and_a_released_buffer_serves_the_next_request()
    {
        await using InferenceHost host = await LoadedHostAsync(BundledModels.MlpTiny);
        GeneratedModel model = TestModels.Get(BundledModels.MlpTiny);
        byte[] Request(int seed) => InferenceWire.WriteRequest(model.Id, model.Sha256, [Tensor("x", [1, 64], TestModels.UniformInput(64, (ulong)seed))]);
        static float[] Output(ReadOnlyMemory<byte> body)
        {
            using System.Text.Json.JsonDocument response = System.Text.Json.JsonDocument.Parse(body);
            return MemoryMarshal.Cast<byte, float>(response.RootElement.GetProperty("outputs")[0].GetProperty("data").GetBytesFromBase64()).ToArray();
        }

        // Held, not released: the requests after it must not write into its buffer.
        InferenceResult held = await host.InferWireAsync(Request(1), s_timeout);
        byte[] heldBytes = held.ResponseBody!.Value.ToArray();
        for (int seed = 2; seed < 40; seed++)
        {
            InferenceResult other = await host.InferWireAsync(Request(seed), s_timeout);
            Batching.ModelBatcherTests.AssertClose(model.Forward(TestModels.UniformInput(64, (ulong)seed), 1), Output(other.ResponseBody!.Value));
            other.ReleaseResponse();
            other.ReleaseResponse(); // only the first call hands the buffer back
        }

        Assert.Equal(heldBytes, held.ResponseBody!.Value.ToArray());
        Batching.ModelBatcherTests.AssertClose(model.Forward(TestModels.UniformInput(64, 1), 1), Output(held.ResponseBody!.Value));
        held.ReleaseResponse();

        InferenceResult failed = await host.InferWireAsync("{}"u8.ToArray(), s_timeout);
        Assert.Null(failed.ResponseBody);
        failed.ReleaseResponse();
    }

    internal static NamedTensor Tensor(string name, long[] shape, float[] values) =>
        new(name, InferenceDType.Float32, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static InferenceHost NewHost() =>
        new(new ManualClock(), new SessionSettings { IntraOpThreads = 1 }, new BatchSettings(32, TimeSpan.Zero), new FixedExecutionProviderCatalog(["CPUExecutionProvider"]), NullLogger.Instance);

    private static Task<InferenceHost> LoadedHostAsync(string id)
    {
        InferenceHost host = NewHost();
        Assert.True(host.TryLoad(TestRegistry.With(id), id, TestModels.Get(id).Bytes, out string? error), error);
        return Task.FromResult(host);
    }
}
