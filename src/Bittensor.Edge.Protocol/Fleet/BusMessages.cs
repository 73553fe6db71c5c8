// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Protocol.Fleet;

/// <summary>The method names of the device bus (fleet.md §5, storage-proofs.md §7).</summary>
public static class BusMethods
{
    /// <summary><c>storage.put {root}</c>, body = the 4 MiB sector; result <see cref="StoragePutResult"/>.</summary>
    public const string StoragePut = "storage.put";

    /// <summary><c>storage.get {root}</c>; result <see cref="StorageGetResult"/>, body = the sector.</summary>
    public const string StorageGet = "storage.get";

    /// <summary><c>storage.prove {items}</c>; result <see cref="StorageProveResult"/>, body = the leaves in item order.</summary>
    public const string StorageProve = "storage.prove";

    /// <summary><c>storage.delete {roots}</c>; result <see cref="StorageDeleteResult"/>.</summary>
    public const string StorageDelete = "storage.delete";

    /// <summary><c>storage.inventory {after, limit ≤ 1000}</c>; result <see cref="StorageInventoryResult"/>.</summary>
    public const string StorageInventory = "storage.inventory";

    /// <summary><c>infer.run {model, modelSha256, items}</c>, tensors in the body; result <see cref="InferRunResult"/>.</summary>
    public const string InferRun = "infer.run";

    /// <summary><c>models.assign {models}</c>.</summary>
    public const string ModelsAssign = "models.assign";

    /// <summary><c>blob.get {sha256, offset, length ≤ 1 MiB}</c> (device → gateway).</summary>
    public const string BlobGet = "blob.get";

    /// <summary>Command: restart the service.</summary>
    public const string Restart = "restart";

    /// <summary>Command: reboot the board.</summary>
    public const string Reboot = "reboot";

    /// <summary>Command: blink the LED at 10 Hz for 30 s.</summary>
    public const string Identify = "identify";

    /// <summary>Command: republish birth, discovery and state.</summary>
    public const string Rebirth = "rebirth";

    /// <summary>Command: <c>config.set {telemetryPeriodS, haDiscoveryPrefix}</c>.</summary>
    public const string ConfigSet = "config.set";

    /// <summary>Command: the enrollment was revoked; stop work, keep data.</summary>
    public const string Revoke = "revoke";

    /// <summary>The largest <c>storage.inventory</c> page.</summary>
    public const int MaxInventoryLimit = 1000;
}

/// <summary>Error codes in a response header's <c>error</c> (a response with <c>ok: false</c>).</summary>
public static class BusErrors
{
    /// <summary>The header or body does not parse or breaks a limit.</summary>
    public const string BadRequest = "BadRequest";

    /// <summary>The method is not served by this device.</summary>
    public const string UnknownMethod = "UnknownMethod";

    /// <summary>The request arrived after its deadline.</summary>
    public const string DeadlineExceeded = "DeadlineExceeded";

    /// <summary>The device refuses this work now (thermal state, power, draining for shutdown).</summary>
    public const string Busy = "Busy";

    /// <summary>The sector is not in the store.</summary>
    public const string UnknownSector = "UnknownSector";

    /// <summary>The data does not hash to the given root.</summary>
    public const string RootMismatch = "RootMismatch";

    /// <summary>The store's quota or disk is full.</summary>
    public const string StorageFull = "StorageFull";

    /// <summary>The model is not loaded on this device.</summary>
    public const string UnknownModel = "UnknownModel";

    /// <summary>The inputs do not match the model's signature.</summary>
    public const string BadInput = "BadInput";

    /// <summary>An unexpected failure; the message says what.</summary>
    public const string Internal = "Internal";
}

/// <summary>
/// The header of a request or command: <c>{"method", "deadlineUnixMs", "params"}</c>. The parameters are nested in
/// <c>params</c> (rather than flattened beside <c>method</c>) so one source-generated type reads every header and the
/// method picks the parameter type.
/// </summary>
/// <param name="Method">One of <see cref="BusMethods"/>.</param>
/// <param name="DeadlineUnixMs">Past this wall-clock time the receiver ignores the request.</param>
/// <param name="Params">The method's parameters, or null for none.</param>
public sealed record BusRequestHeader(string Method, long DeadlineUnixMs, JsonElement? Params = null)
{
    /// <summary>Reads the parameters as <typeparamref name="T"/>; a <see cref="JsonException"/> when they do not fit.</summary>
    public T ReadParams<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (Params is not { ValueKind: JsonValueKind.Object } element)
        {
            throw new JsonException($"'{Method}' needs a params object.");
        }

        return element.Deserialize(typeInfo) ?? throw new JsonException($"'{Method}' params are null.");
    }

    /// <summary>The UTF-8 JSON of a request header carrying <paramref name="parameters"/>.</summary>
    public static byte[] Encode<T>(string method, long deadlineUnixMs, T parameters, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var header = new BusRequestHeader(method, deadlineUnixMs, JsonSerializer.SerializeToElement(parameters, typeInfo));
        return JsonSerializer.SerializeToUtf8Bytes(header, FleetJsonContext.Default.BusRequestHeader);
    }

    /// <summary>The UTF-8 JSON of a request header without parameters.</summary>
    public static byte[] Encode(string method, long deadlineUnixMs) =>
        JsonSerializer.SerializeToUtf8Bytes(new BusRequestHeader(method, deadlineUnixMs), FleetJsonContext.Default.BusRequestHeader);

    /// <summary>Parses a request header; a <see cref="JsonException"/> for malformed JSON or missing members.</summary>
    public static BusRequestHeader Decode(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, FleetJsonContext.Default.BusRequestHeader) ?? throw new JsonException("The header is null.");
}

/// <summary>The header of a response: <c>{"ok", "error"?, "message"?, "result"?}</c>.</summary>
/// <param name="Ok">Whether the request succeeded.</param>
/// <param name="Error">One of <see cref="BusErrors"/> when not ok.</param>
/// <param name="Message">A human-readable explanation when not ok.</param>
/// <param name="Result">The method's result when ok.</param>
public sealed record BusResponseHeader(bool Ok, string? Error = null, string? Message = null, JsonElement? Result = null)
{
    /// <summary>Reads the result as <typeparamref name="T"/>; a <see cref="JsonException"/> when it does not fit.</summary>
    public T ReadResult<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (Result is not { ValueKind: JsonValueKind.Object } element)
        {
            throw new JsonException("The response has no result object.");
        }

        return element.Deserialize(typeInfo) ?? throw new JsonException("The result is null.");
    }

    /// <summary>The UTF-8 JSON of a successful response carrying <paramref name="result"/>.</summary>
    public static byte[] Success<T>(T result, JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.SerializeToUtf8Bytes(new BusResponseHeader(true, Result: JsonSerializer.SerializeToElement(result, typeInfo)), FleetJsonContext.Default.BusResponseHeader);

    /// <summary>The UTF-8 JSON of a failed response.</summary>
    public static byte[] Failure(string error, string message) =>
        JsonSerializer.SerializeToUtf8Bytes(new BusResponseHeader(false, error, message), FleetJsonContext.Default.BusResponseHeader);

    /// <summary>Parses a response header; a <see cref="JsonException"/> for malformed JSON.</summary>
    public static BusResponseHeader Decode(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, FleetJsonContext.Default.BusResponseHeader) ?? throw new JsonException("The header is null.");
}

/// <summary><c>storage.put</c> parameters; the body is the sector.</summary>
/// <param name="Root">The sector's Merkle root, checked by the device.</param>
public sealed record StoragePutParams(Hex32 Root);

/// <summary><c>storage.put</c> result: the sector is durable on the device.</summary>
/// <param name="Root">The root.</param>
/// <param name="Durable">True once data, index and tree are on disk.</param>
public sealed record StoragePutResult(Hex32 Root, bool Durable);

/// <summary><c>storage.get</c> parameters.</summary>
/// <param name="Root">The sector.</param>
public sealed record StorageGetParams(Hex32 Root);

/// <summary><c>storage.get</c> result; the body is the sector.</summary>
/// <param name="Root">The sector.</param>
public sealed record StorageGetResult(Hex32 Root);

/// <summary><c>storage.prove</c> parameters: the leaves to prove (the gateway derived them from the challenge).</summary>
/// <param name="Items">Root and leaf index per item.</param>
public sealed record StorageProveParams(IReadOnlyList<ChallengeItem> Items);

/// <summary>One proof of <see cref="StorageProveResult"/>; its 4 096 leaf bytes are in the body at position <c>i × 4096</c>.</summary>
/// <param name="Root">The sector.</param>
/// <param name="Leaf">The leaf index.</param>
/// <param name="Path">10 × 32 bytes, bottom-up.</param>
public sealed record BusLeafProof(Hex32 Root, int Leaf, byte[] Path);

/// <summary><c>storage.prove</c> result, in item order.</summary>
/// <param name="Proofs">One per item.</param>
public sealed record StorageProveResult(IReadOnlyList<BusLeafProof> Proofs);

/// <summary><c>storage.delete</c> parameters.</summary>
/// <param name="Roots">The sectors to delete.</param>
public sealed record StorageDeleteParams(IReadOnlyList<Hex32> Roots);

/// <summary><c>storage.delete</c> result.</summary>
/// <param name="Deleted">How many were present and are now gone.</param>
public sealed record StorageDeleteResult(int Deleted);

/// <summary><c>storage.inventory</c> parameters: roots in ascending byte order after <paramref name="After"/>.</summary>
/// <param name="Limit">At most <see cref="BusMethods.MaxInventoryLimit"/>.</param>
/// <param name="After">Exclusive lower bound, or null (absent) to start.</param>
public sealed record StorageInventoryParams(int Limit, Hex32? After = null);

/// <summary><c>storage.inventory</c> result.</summary>
/// <param name="Roots">Up to the limit, ascending.</param>
/// <param name="More">Whether more roots follow the last one.</param>
public sealed record StorageInventoryResult(IReadOnlyList<Hex32> Roots, bool More);

/// <summary>A tensor whose packed little-endian elements are <c>body[Offset .. Offset + Length)</c>.</summary>
/// <param name="Name">The input or output name.</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">The shape.</param>
/// <param name="Offset">Byte offset in the envelope body.</param>
/// <param name="Length">Byte length.</param>
public sealed record BusTensor(string Name, TensorDType DType, IReadOnlyList<long> Shape, long Offset, long Length);

/// <summary>One inference request of an <c>infer.run</c> batch.</summary>
/// <param name="Tensors">Its inputs (in a request) or outputs (in a result).</param>
public sealed record BusInferItem(IReadOnlyList<BusTensor> Tensors);

/// <summary><c>infer.run</c> parameters.</summary>
/// <param name="Model">The model id.</param>
/// <param name="ModelSha256">The pinned model hash; a device holding other bytes answers <see cref="BusErrors.UnknownModel"/>.</param>
/// <param name="Items">The requests, each answered in order.</param>
public sealed record InferRunParams(string Model, Hex32 ModelSha256, IReadOnlyList<BusInferItem> Items);

/// <summary><c>infer.run</c> result; output tensors reference the response body.</summary>
/// <param name="Items">One per request item, in order.</param>
/// <param name="ComputeUs">Time spent in the runtime.</param>
public sealed record InferRunResult(IReadOnlyList<BusInferItem> Items, ulong ComputeUs);

/// <summary><c>config.set</c> parameters; null members stay as they are.</summary>
/// <param name="TelemetryPeriodS">Seconds between telemetry samples.</param>
/// <param name="HaDiscoveryPrefix">The Home Assistant discovery prefix.</param>
public sealed record ConfigSetParams(int? TelemetryPeriodS = null, string? HaDiscoveryPrefix = null);

/// <summary><c>blob.get</c> parameters.</summary>
/// <param name="Sha256">The blob.</param>
/// <param name="Offset">The first byte.</param>
/// <param name="Length">At most 1 MiB.</param>
public sealed record BlobGetParams(Hex32 Sha256, long Offset, int Length);
