// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json.Serialization;

namespace Bittensor.Edge.Boards;

/// <summary>
/// Source-generated JSON for <see cref="BoardProfile"/>: camelCase keys, unknown keys and nulls in
/// non-nullable fields rejected (so a typo names its field instead of being ignored), comments skipped.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(BoardProfile))]
internal sealed partial class BoardProfileJsonContext : JsonSerializerContext;
