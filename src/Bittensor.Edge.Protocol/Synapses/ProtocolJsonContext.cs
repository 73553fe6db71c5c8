// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json.Serialization;

namespace Bittensor.Edge.Protocol.Synapses;

/// <summary>
/// Source-generated JSON metadata for every synapse message (reflection serialization is off in this repository).
/// camelCase names; <c>byte[]</c> as base64 with padding; <see cref="Hex32"/> as hex32; missing
/// constructor members and nulls in non-nullable members are errors; unknown members are ignored so newer peers can add fields.
/// </summary>
/// <remarks>Thread-safe; use <see cref="JsonSerializerContext.Options"/> or the generated type infos.</remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(StoreChunkRequest))]
[JsonSerializable(typeof(StoreChunkResponse))]
[JsonSerializable(typeof(RetrieveChunkRequest))]
[JsonSerializable(typeof(RetrieveChunkResponse))]
[JsonSerializable(typeof(StorageChallengeRequest))]
[JsonSerializable(typeof(StorageChallengeResponse))]
[JsonSerializable(typeof(InferenceRequest))]
[JsonSerializable(typeof(InferenceResponse))]
[JsonSerializable(typeof(HealthRequest))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ErrorBody))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
