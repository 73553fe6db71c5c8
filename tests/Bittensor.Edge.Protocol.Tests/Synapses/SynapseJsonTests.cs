// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using System.Text.Json;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Synapses;
using FsCheck.Xunit;

namespace Bittensor.Edge.Protocol.Tests.Synapses;

public class SynapseJsonTests
{
    private static readonly ProtocolJsonContext s_json = ProtocolJsonContext.Default;
    private static readonly Hash256 s_root = Sha256.Hash("root"u8);

    [Property]
    public bool StorageChallenge_requests_round_trip(ulong block, byte[] seed, int[] leaves)
    {
        seed ??= [];
        leaves ??= [];
        StorageChallengeRequest request = new(
            block,
            Sha256.Hash(seed),
            Sha256.Hash([.. seed, 1]),
            leaves.Length,
            [.. leaves.Select(l => new ChallengeItem(Sha256.Hash(BitConverter.GetBytes(l)), l))]);

        byte[] json = JsonSerializer.SerializeToUtf8Bytes(request, s_json.StorageChallengeRequest);
        StorageChallengeRequest back = JsonSerializer.Deserialize(json, s_json.StorageChallengeRequest)!;

        return back.BlockNumber == block
            && back.BlockHash == request.BlockHash
            && back.ValidatorNonce == request.ValidatorNonce
            && back.Items.Select(i => (i.Root, i.Leaf)).SequenceEqual(request.Items.Select(i => (i.Root, i.Leaf)))
            && json.AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(back, s_json.StorageChallengeRequest));
    }

    [Property]
    public bool Inference_requests_round_trip_byte_for_byte(string modelId, byte[] data, long[] shape, bool half)
    {
        InferenceRequest request = new(
            modelId ?? string.Empty,
            Sha256.Hash(data ?? []),
            [new Tensor("x", half ? TensorDType.Float16 : TensorDType.UInt8, shape ?? [], data ?? [])]);

        byte[] json = JsonSerializer.SerializeToUtf8Bytes(request, s_json.InferenceRequest);
        InferenceRequest back = JsonSerializer.Deserialize(json, s_json.InferenceRequest)!;

        return back.ModelId == request.ModelId
            && back.Inputs[0].Data.AsSpan().SequenceEqual(request.Inputs[0].Data)
            && back.Inputs[0].Shape.SequenceEqual(request.Inputs[0].Shape)
            && back.Inputs[0].DType == request.Inputs[0].DType
            && json.AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(back, s_json.InferenceRequest));
    }

    [Property]
    public bool Health_responses_round_trip(ulong uptime, ulong block, ulong sectors, ulong free, string[] models, byte devices)
    {
        HealthResponse response = new("0.1.0", uptime, block, "5Grw", new StorageSummary(sectors, free), new InferenceSummary([.. (models ?? []).Where(m => m is not null)]), devices);

        byte[] json = JsonSerializer.SerializeToUtf8Bytes(response, s_json.HealthResponse);
        HealthResponse back = JsonSerializer.Deserialize(json, s_json.HealthResponse)!;

        return back.UptimeS == uptime && back.Storage == response.Storage && back.Inference.Models.SequenceEqual(response.Inference.Models)
            && json.AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(back, s_json.HealthResponse));
    }

    [Fact]
    public void The_wire_form_uses_camelCase_hex32_and_padded_base64()
    {
        LeafProof proof = new(s_root, 7, [1, 2, 3, 4], [0xff]);

        string json = JsonSerializer.Serialize(new StorageChallengeResponse([proof]), s_json.StorageChallengeResponse);

        Assert.Equal(
            $"{{\"proofs\":[{{\"root\":\"{s_root.ToString("x", null)}\",\"leaf\":7,\"data\":\"AQIDBA==\",\"path\":\"/w==\"}}]}}",
            json);
    }

    [Theory]
    [InlineData(TensorDType.Float32, "float32")]
    [InlineData(TensorDType.Float16, "float16")]
    [InlineData(TensorDType.Int64, "int64")]
    [InlineData(TensorDType.Int32, "int32")]
    [InlineData(TensorDType.UInt8, "uint8")]
    [InlineData(TensorDType.Bool, "bool")]
    public void Dtypes_use_the_spec_names(TensorDType dtype, string name)
    {
        string json = JsonSerializer.Serialize(new Tensor("x", dtype, [0], []), s_json.Tensor);

        Assert.Contains($"\"dtype\":\"{name}\"", json, StringComparison.Ordinal);
        Assert.Equal(dtype, JsonSerializer.Deserialize(json, s_json.Tensor)!.DType);
    }

    [Theory]
    [InlineData("{\"root\":\"ABCDEF0000000000000000000000000000000000000000000000000000000000\"}")]
    [InlineData("{\"root\":\"0x00000000000000000000000000000000000000000000000000000000000000\"}")]
    [InlineData("{\"root\":\"00\"}")]
    [InlineData("{\"root\":null}")]
    [InlineData("{}")]
    [InlineData("{\"root\":5}")]
    [InlineData("not json")]
    public void Malformed_requests_do_not_parse(string json)
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, s_json.RetrieveChunkRequest));
    }

    [Fact]
    public void An_unknown_dtype_does_not_parse()
    {
        const string Json = "{\"name\":\"x\",\"dtype\":\"float64\",\"shape\":[1],\"data\":\"AAAAAAAAAAA=\"}";

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(Json, s_json.Tensor));
    }

    [Fact]
    public void StoreChunk_data_must_be_exactly_one_sector()
    {
        Assert.Null(new StoreChunkRequest(s_root, new byte[4_194_304], 10).Validate());

        DomainError? shorter = new StoreChunkRequest(s_root, new byte[4_194_303], 10).Validate();
        DomainError? longer = new StoreChunkRequest(s_root, new byte[4_194_305], 10).Validate();

        Assert.Equal(DomainErrorCodes.BadInput, shorter?.Code);
        Assert.Equal(DomainErrorCodes.BadInput, longer?.Code);
        Assert.Equal(AxonStatus.UnprocessableEntity, shorter?.Status);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1023, true)]
    [InlineData(-1, false)]
    [InlineData(1024, false)]
    public void Challenge_leaves_are_0_to_1023(int leaf, bool valid)
    {
        StorageChallengeRequest request = new(1, s_root, s_root, 1, [new ChallengeItem(s_root, leaf)]);

        Assert.Equal(valid, request.Validate() is null);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(2, 1)]
    [InlineData(65, 65)]
    public void A_challenge_needs_1_to_64_items_matching_k(int k, int items)
    {
        StorageChallengeRequest request = new(1, s_root, s_root, k, [.. Enumerable.Repeat(new ChallengeItem(s_root, 0), items)]);

        Assert.Equal(DomainErrorCodes.BadChallenge, request.Validate()?.Code);
    }

    [Fact]
    public void Proofs_need_4096_data_bytes_and_a_320_byte_path()
    {
        Assert.Null(new StorageChallengeResponse([new LeafProof(s_root, 0, new byte[4096], new byte[320])]).Validate());
        Assert.NotNull(new StorageChallengeResponse([new LeafProof(s_root, 0, new byte[4095], new byte[320])]).Validate());
        Assert.NotNull(new StorageChallengeResponse([new LeafProof(s_root, 0, new byte[4096], new byte[288])]).Validate());
    }

    [Theory]
    [InlineData(TensorDType.Float32, new long[] { 2, 3 }, 24, true)]
    [InlineData(TensorDType.Float16, new long[] { 2, 3 }, 12, true)]
    [InlineData(TensorDType.Int64, new long[] { 4 }, 32, true)]
    [InlineData(TensorDType.Bool, new long[] { 0, 9 }, 0, true)]
    [InlineData(TensorDType.Float32, new long[] { 2, 3 }, 23, false)]
    [InlineData(TensorDType.Int32, new long[] { -1 }, 0, false)]
    [InlineData(TensorDType.UInt8, new long[] { long.MaxValue, 2 }, 0, false)]
    public void Tensor_data_length_must_match_shape_and_dtype(TensorDType dtype, long[] shape, int bytes, bool valid)
    {
        InferenceRequest request = new("m", s_root, [new Tensor("x", dtype, shape, new byte[bytes])]);

        Assert.Equal(valid, request.Validate() is null);
    }

    [Fact]
    public void Tensor_names_must_be_unique_and_inputs_non_empty()
    {
        Tensor x = new("x", TensorDType.UInt8, [1], [0]);

        Assert.Equal(DomainErrorCodes.BadInput, new InferenceRequest("m", s_root, [x, x]).Validate()?.Code);
        Assert.Equal(DomainErrorCodes.BadInput, new InferenceRequest("m", s_root, []).Validate()?.Code);
        Assert.Equal(DomainErrorCodes.BadInput, new InferenceRequest(string.Empty, s_root, [x]).Validate()?.Code);
    }

    [Fact]
    public void The_error_body_is_error_and_message()
    {
        string json = JsonSerializer.Serialize(DomainError.BadInput("no").ToBody(), s_json.ErrorBody);

        Assert.Equal("{\"error\":\"BadInput\",\"message\":\"no\"}", json);
    }

    [Fact]
    public void Health_requests_are_the_empty_object()
    {
        Assert.Equal("{}", Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(new HealthRequest(), s_json.HealthRequest)));
        Assert.NotNull(JsonSerializer.Deserialize("{}", s_json.HealthRequest));
    }
}
