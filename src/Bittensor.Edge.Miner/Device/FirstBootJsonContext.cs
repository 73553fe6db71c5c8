// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bittensor.Edge.Miner.Device;

/// <summary>
/// Source-generated JSON of the device's own files: camelCase; unknown members ignored (the first-boot file has
/// <c>wifi</c>, <c>sshAuthorizedKeys</c> and more that only <c>bte-firstboot</c> uses); comments and trailing commas
/// allowed, since people edit the first-boot file by hand; required members enforced.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(FirstBootConfig))]
[JsonSerializable(typeof(Enrollment))]
internal sealed partial class FirstBootJsonContext : JsonSerializerContext;
