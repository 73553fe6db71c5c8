// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bittensor.Edge.Inference.Tests;

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class JsonContextForTests : JsonSerializerContext;
