// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json.Serialization;

namespace Bittensor.Edge.Miner;

/// <summary>The JSON types <c>bte-miner</c> reads and writes itself (the bus's are in Protocol's FleetJsonContext).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    WriteIndented = false)]
[JsonSerializable(typeof(SelfTestReport))]
[JsonSerializable(typeof(string))]
internal sealed partial class MinerJsonContext : JsonSerializerContext;
