// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json.Serialization;

namespace Bittensor.Edge.Node;

/// <summary>The JSON types <c>bte-node</c> serializes itself (the RPC has its own writer in Chain).</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class NodeJsonContext : JsonSerializerContext;
