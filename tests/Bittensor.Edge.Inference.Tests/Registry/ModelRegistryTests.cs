// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using System.Text.Json;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;

namespace Bittensor.Edge.Inference.Tests.Registry;

public class ModelRegistryTests
{
    [Fact]
    public void A_signed_entry_by_a_trusted_key_survives_a_round_trip_through_json()
    {
        ModelRegistry registry = TestRegistry.With(BundledModels.MlpTiny);

        ModelRegistry reparsed = ModelRegistry.Parse(registry.ToJson());

        Assert.Equal(EntryCheck.Valid, reparsed.Check(BundledModels.MlpTiny));
        Assert.True(reparsed.TryGetVerified(BundledModels.MlpTiny, out ModelEntry entry, out string? error), error);
        Assert.Equal(TestModels.Get(BundledModels.MlpTiny).Sha256.ToString("x", null), entry.Sha256);
        Assert.Equal(["N", "64"], entry.Inputs[0].Shape);
        Assert.Equal(8, entry.IrVersion);
        Assert.Equal(17, entry.Opset);
        Assert.Equal(16, entry.SelfTest.ExpectedPrefix.Count);
    }

    [Fact]
    public void An_entry_signed_by_a_key_not_in_the_trust_list_is_refused()
    {
        ModelEntry entry = ModelRegistry.Sign(TestRegistry.Entry(BundledModels.MlpTiny), TestRegistry.OtherKey);
        ModelRegistry registry = ModelRegistry.Empty.WithTrust(TestRegistry.Key.PublicKey).WithEntry(entry);

        Assert.Equal(EntryCheck.UntrustedSigner, registry.Check(BundledModels.MlpTiny));
        Assert.False(registry.TryGetVerified(BundledModels.MlpTiny, out _, out string? error));
        Assert.Contains("trust list", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsigned_entry_is_refused()
    {
        ModelEntry entry = TestRegistry.Entry(BundledModels.MlpTiny) with { Sig = null };
        ModelRegistry registry = ModelRegistry.Empty.WithTrust(TestRegistry.Key.PublicKey).WithEntry(entry);

        Assert.Equal(EntryCheck.NotSigned, registry.Check(BundledModels.MlpTiny));
    }

    [Theory]
    [InlineData("\"maxBatch\": 32", "\"maxBatch\": 31")]
    [InlineData("\"latencyTargetMs\": 50", "\"latencyTargetMs\": 5")]
    [InlineData("\"rpi4\"", "\"rpi9\"")]
    public void Editing_a_signed_entry_breaks_its_signature(string from, string to)
    {
        string json = Encoding.UTF8.GetString(TestRegistry.With(BundledModels.MlpTiny).ToJson());
        Assert.Contains(from, json, StringComparison.Ordinal);

        ModelRegistry tampered = ModelRegistry.Parse(Encoding.UTF8.GetBytes(json.Replace(from, to, StringComparison.Ordinal)));

        Assert.Equal(EntryCheck.BadSignature, tampered.Check(BundledModels.MlpTiny));
    }

    [Fact]
    public void Reformatting_the_file_keeps_signatures_valid_because_they_cover_canonical_json()
    {
        byte[] json = TestRegistry.With(BundledModels.MlpTiny).ToJson();
        using JsonDocument document = JsonDocument.Parse(json);
        byte[] compact = JsonSerializer.SerializeToUtf8Bytes(document.RootElement, JsonContextForTests.Default.JsonElement);

        Assert.Equal(EntryCheck.Valid, ModelRegistry.Parse(compact).Check(BundledModels.MlpTiny));
    }

    [Fact]
    public void Model_bytes_of_another_size_or_hash_are_refused()
    {
        ModelEntry entry = TestRegistry.Entry(BundledModels.MlpTiny);
        byte[] bytes = (byte[])TestModels.Get(BundledModels.MlpTiny).Bytes.Clone();

        Assert.Equal(ModelFileCheck.Valid, ModelRegistry.CheckModelBytes(entry, bytes));
        Assert.Equal(ModelFileCheck.SizeMismatch, ModelRegistry.CheckModelBytes(entry, bytes.AsSpan(1)));
        bytes[^1] ^= 1;
        Assert.Equal(ModelFileCheck.HashMismatch, ModelRegistry.CheckModelBytes(entry, bytes));
    }

    [Fact]
    public void An_id_never_changes_meaning()
    {
        ModelRegistry registry = TestRegistry.With(BundledModels.MlpTiny);
        ModelEntry changed = TestRegistry.Entry(BundledModels.MlpTiny) with { Sha256 = new string('0', 64) };

        Assert.Throws<ArgumentException>(() => registry.WithEntry(changed));
    }

    [Theory]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(38698, "38698")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(-1.5, "-1.5")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(123.456e-10, "1.23456e-8")]
    public void Numbers_are_written_in_ecmascript_form(double value, string expected)
    {
        Assert.Equal(expected, CanonicalJson.FormatNumber(value));
    }

    [Fact]
    public void Canonical_json_sorts_members_and_drops_whitespace()
    {
        using JsonDocument document = JsonDocument.Parse("{ \"b\": [1, 2.50, \"\\u00e9\\n\"], \"a\": {\"z\": null, \"y\": true}, \"sig\": \"x\" }");

        string canonical = Encoding.UTF8.GetString(CanonicalJson.Serialize(document.RootElement, "sig"));

        Assert.Equal("{\"a\":{\"y\":true,\"z\":null},\"b\":[1,2.5,\"é\\n\"]}", canonical);
    }
}
