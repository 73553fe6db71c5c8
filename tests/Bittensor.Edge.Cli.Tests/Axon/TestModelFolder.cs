// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Cli.Tests.Axon;

/// <summary>
/// Model folders (<c>registry.json</c> and <c>&lt;sha256&gt;.onnx</c> files) holding bundled models, their entries signed
/// by a test-only registry key that the folder's <c>trust</c> list names. Entries are made once per test run.
/// </summary>
internal static class TestModelFolder
{
    private static readonly ConcurrentDictionary<string, Lazy<(GeneratedModel Model, ModelEntry Entry)>> s_models = new(StringComparer.Ordinal);

    public static Ed25519KeyPair Key { get; } = Ed25519KeyPair.FromSeed(Sha256.Hash("bte/cli-test-registry-key"u8).Bytes);

    public static GeneratedModel Model(string id) => Get(id).Model;

    public static ModelEntry Entry(string id) => Get(id).Entry;

    /// <summary>Writes a folder under <paramref name="root"/> holding <paramref name="ids"/> and returns its path.</summary>
    public static string Create(string root, params string[] ids)
    {
        string folder = Path.Combine(root, "models-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        ModelRegistry registry = ModelRegistry.Empty.WithTrust(Key.PublicKey);
        foreach (string id in ids)
        {
            (GeneratedModel model, ModelEntry entry) = Get(id);
            registry = registry.WithEntry(entry);
            File.WriteAllBytes(Path.Combine(folder, entry.Sha256 + ".onnx"), model.Bytes);
        }

        File.WriteAllBytes(Path.Combine(folder, ModelFolder.RegistryFileName), registry.ToJson());
        return folder;
    }

    private static (GeneratedModel Model, ModelEntry Entry) Get(string id) =>
        s_models.GetOrAdd(id, static i => new Lazy<(GeneratedModel, ModelEntry)>(() =>
        {
            GeneratedModel model = BundledModels.Create(i);
            EntryOptions options = new() { Generator = new GeneratorEntry(model.Spec.Kind, model.Spec.Seed, model.Spec.Dims) };
            return (model, ModelRegistry.Sign(ModelInspector.CreateEntry(i, model.Bytes, options, NullLogger.Instance), Key));
        })).Value;
}
