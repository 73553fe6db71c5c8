// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json.Serialization;

namespace Bittensor.Edge.Inference.Registry;

/// <summary>The manifest file: <c>{trust: [SS58], models: [entry]}</c>.</summary>
/// <param name="Trust">Registry keys whose entries this host accepts.</param>
/// <param name="Models">Entries.</param>
public sealed record RegistryFile(IReadOnlyList<string> Trust, IReadOnlyList<ModelEntry> Models);

/// <summary>Source-generated JSON for the registry (reflection is off).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(RegistryFile))]
[JsonSerializable(typeof(ModelEntry))]
public sealed partial class RegistryJsonContext : JsonSerializerContext;
