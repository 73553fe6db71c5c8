// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json.Serialization;

namespace Bittensor.Edge.Protocol.Fleet;

/// <summary>
/// Source-generated JSON metadata for the device bus and join messages: camelCase, <c>byte[]</c> as base64,
/// required constructor members, unknown members ignored so newer peers can add fields, and the join message's
/// <c>type</c> accepted anywhere in the object.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true,
    AllowOutOfOrderMetadataProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(BusRequestHeader))]
[JsonSerializable(typeof(BusResponseHeader))]
[JsonSerializable(typeof(StoragePutParams))]
[JsonSerializable(typeof(StoragePutResult))]
[JsonSerializable(typeof(StorageGetParams))]
[JsonSerializable(typeof(StorageGetResult))]
[JsonSerializable(typeof(StorageProveParams))]
[JsonSerializable(typeof(StorageProveResult))]
[JsonSerializable(typeof(StorageDeleteParams))]
[JsonSerializable(typeof(StorageDeleteResult))]
[JsonSerializable(typeof(StorageInventoryParams))]
[JsonSerializable(typeof(StorageInventoryResult))]
[JsonSerializable(typeof(InferRunParams))]
[JsonSerializable(typeof(InferRunResult))]
[JsonSerializable(typeof(ConfigSetParams))]
[JsonSerializable(typeof(BlobGetParams))]
[JsonSerializable(typeof(JoinMessage))]
[JsonSerializable(typeof(StatusMessage))]
public sealed partial class FleetJsonContext : JsonSerializerContext;
