// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Inference.Tests;

/// <summary>A test-only registry key (fixed seed) and signed entries for the bundled models.</summary>
internal static class TestRegistry
{
    private static readonly ConcurrentDictionary<string, Lazy<ModelEntry>> s_entries = new(StringComparer.Ordinal);

    public static Ed25519KeyPair Key { get; } = Ed25519KeyPair.FromSeed(Sha256.Hash("bte/test-registry-key"u8).Bytes);

    public static Ed25519KeyPair OtherKey { get; } = Ed25519KeyPair.FromSeed(Sha256.Hash("bte/other-registry-key"u8).Bytes);

    public static ModelEntry Entry(string id) => s_entries.GetOrAdd(id, static i => new Lazy<ModelEntry>(() =>
    {
        GeneratedModel model = TestModels.Get(i);
        EntryOptions options = new()
        {
            Generator = new GeneratorEntry(model.Spec.Kind, model.Spec.Seed, model.Spec.Dims),
            MaxBatch = 32,
        };
        return ModelRegistry.Sign(ModelInspector.CreateEntry(i, model.Bytes, options, NullLogger.Instance), Key);
    })).Value;

    public static ModelRegistry With(params string[] ids)
    {
        ModelRegistry registry = ModelRegistry.Empty.WithTrust(Key.PublicKey);
        foreach (string id in ids)
        {
            registry = registry.WithEntry(Entry(id));
        }

        return registry;
    }
}

/// <summary>Collects log lines so a test can assert on them.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue((logLevel, formatter(state, exception)));
}
