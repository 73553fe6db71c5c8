// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json.Serialization;

namespace Bittensor.Edge.Telemetry.Publishing;

/// <summary>Source-generated JSON for the telemetry payloads: camelCase, nulls omitted, strict numbers.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(TelemetrySample))]
[JsonSerializable(typeof(DeviceState))]
[JsonSerializable(typeof(DeviceEvent))]
public sealed partial class TelemetryJsonContext : JsonSerializerContext;
