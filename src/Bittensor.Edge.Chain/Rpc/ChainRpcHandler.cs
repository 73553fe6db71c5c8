// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Text.Json;
using Bittensor.Edge.Chain.Node;

namespace Bittensor.Edge.Chain.Rpc;

/// <summary>
/// The JSON-RPC 2.0 methods of specs/protocol.md §2.8 over a <see cref="ChainNode"/>: single requests and batches,
/// parameters by position or by name, results in the shapes of §2.8 (hashes and transactions as 0x hex, accounts as
/// SS58, amounts as decimal strings, block numbers, u16 scores and counts as JSON numbers).
/// </summary>
/// <remarks>
/// <para>
/// <b>Never throws for input.</b> Every request is parsed with <see cref="JsonDocument"/> under size, depth and batch
/// limits; envelope problems answer −32600, unknown methods −32601, bad parameters −32602 with a message naming the
/// parameter, and any unexpected exception −32603 "Internal error" with no detail, so a host can always answer 200.
/// </para>
/// <para>
/// <b>Only the best state is kept</b> (the ledger applies each block's write set to one store and keeps no older
/// states). State queries (<c>state_*</c>, <c>subnet_*</c>, <c>stake_get</c>) accept a block argument only when it
/// names the best block; any other known block answers 1009 <c>UnknownBlock</c> with a message saying so, as does an
/// unknown one. Headers and blocks (<c>chain_*</c>) are kept for every block.
/// </para>
/// <para>
/// Each method reads under the node's chain lock (<see cref="ChainNode.Read{TResult}"/>), so one answer reflects one
/// block. <c>subnet_getMetagraph</c> is cached per subnet and best block hash. Thread-safe.
/// </para>
/// </remarks>
public sealed partial class ChainRpcHandler : IRpcHandler
{
    /// <summary>The largest request body accepted (an extrinsic of 1 MiB is 2 MiB of hex).</summary>
    public const int MaxRequestBytes = 4 * 1024 * 1024;

    /// <summary>The most requests in one batch.</summary>
    public const int MaxBatchSize = 100;

    /// <summary>The longest <c>chain_waitNewHead</c> timeout, in milliseconds.</summary>
    public const ulong MaxWaitTimeoutMs = 30_000;

    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = 32 };
    private static readonly JsonWriterOptions s_writerOptions = new() { SkipValidation = false };

    private readonly ChainNode _node;
    private readonly string _version;

    /// <summary>A handler over <paramref name="node"/>; <paramref name="version"/> is what <c>system_info</c> reports.</summary>
    public ChainRpcHandler(ChainNode node, string? version = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        _node = node;
        _version = version ?? "bte-node/" + (typeof(ChainRpcHandler).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]> HandleAsync(ReadOnlyMemory<byte> requestUtf8, CancellationToken cancellationToken = default)
    {
        try
        {
            if (requestUtf8.Length > MaxRequestBytes)
            {
                return ErrorOnly(new RpcError(RpcErrorCode.InvalidRequest, $"The request is larger than {MaxRequestBytes} bytes."));
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(requestUtf8, s_documentOptions);
            }
            catch (JsonException)
            {
                return ErrorOnly(new RpcError(RpcErrorCode.ParseError, "Parse error: the body is not valid JSON."));
            }

            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Array)
                {
                    return await HandleOneAsync(root, cancellationToken).ConfigureAwait(false) ?? [];
                }

                int count = root.GetArrayLength();
                if (count == 0 || count > MaxBatchSize)
                {
                    return ErrorOnly(new RpcError(RpcErrorCode.InvalidRequest, count == 0 ? "An empty batch is not a request." : $"A batch holds at most {MaxBatchSize} requests."));
                }

                List<byte[]> responses = new(count);
                foreach (JsonElement request in root.EnumerateArray())
                {
                    if (await HandleOneAsync(request, cancellationToken).ConfigureAwait(false) is byte[] response)
                    {
                        responses.Add(response);
                    }
                }

                return responses.Count == 0 ? [] : JoinBatch(responses);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ErrorOnly(new RpcError(RpcErrorCode.InternalError, "Internal error."));
        }
    }

    /// <summary>Answers one request object; <see langword="null"/> for a notification (no <c>id</c>).</summary>
    private async ValueTask<byte[]?> HandleOneAsync(JsonElement request, CancellationToken cancellationToken)
    {
        if (request.ValueKind != JsonValueKind.Object)
        {
            return Response(default, null, new RpcError(RpcErrorCode.InvalidRequest, "A request is a JSON object."));
        }

        bool hasId = request.TryGetProperty("id", out JsonElement id);
        if (hasId && id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null))
        {
            return Response(default, null, new RpcError(RpcErrorCode.InvalidRequest, "'id' must be a string, a number or null."));
        }

        if (!request.TryGetProperty("jsonrpc", out JsonElement version) || version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0"u8))
        {
            return Response(id, null, new RpcError(RpcErrorCode.InvalidRequest, "'jsonrpc' must be \"2.0\"."));
        }

        if (!request.TryGetProperty("method", out JsonElement methodElement) || methodElement.ValueKind != JsonValueKind.String)
        {
            return Response(id, null, new RpcError(RpcErrorCode.InvalidRequest, "'method' must be a string."));
        }

        JsonElement parameters = default;
        if (request.TryGetProperty("params", out JsonElement given))
        {
            if (given.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object))
            {
                return Response(id, null, new RpcError(RpcErrorCode.InvalidRequest, "'params' must be an array or an object."));
            }

            parameters = given;
        }

        ArrayBufferWriter<byte> result = new(256);
        RawResult raw = new();
        RpcError? error;
        try
        {
            using Utf8JsonWriter writer = new(result, s_writerOptions);
            error = await DispatchAsync(methodElement.GetString()!, new RpcParams(parameters), writer, raw, cancellationToken).ConfigureAwait(false);
            writer.Flush();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            error = new RpcError(RpcErrorCode.InternalError, "Internal error.");
        }

        if (!hasId)
        {
            return null;
        }

        if (error is null && raw.Json is byte[] json)
        {
            return RawResponse(id, json);
        }

        return Response(id, error is null ? result.WrittenMemory : null, error);
    }

    /// <summary>A response around a finished result value, copied once (the 4 096-uid metagraph is ~600 kB).</summary>
    private static byte[] RawResponse(JsonElement id, byte[] json)
    {
        ArrayBufferWriter<byte> prefix = new(64);
        using (Utf8JsonWriter writer = new(prefix, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc"u8, "2.0"u8);
            writer.WritePropertyName("id"u8);
            if (id.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                id.WriteTo(writer);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WritePropertyName("result"u8);
            writer.Flush();
        }

        // The prefix ends with "result": and the value follows as is.
        byte[] response = new byte[prefix.WrittenCount + json.Length + 1];
        prefix.WrittenSpan.CopyTo(response);
        json.CopyTo(response, prefix.WrittenCount);
        response[^1] = (byte)'}';
        return response;
    }

    /// <summary>A method may hand back a finished JSON value instead of writing it (a cached metagraph).</summary>
    private sealed class RawResult
    {
        public byte[]? Json { get; set; }
    }

    private static byte[] Response(JsonElement id, ReadOnlyMemory<byte>? result, RpcError? error)
    {
        ArrayBufferWriter<byte> buffer = new(result is null ? 256 : result.Value.Length + 64);
        using (Utf8JsonWriter writer = new(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc"u8, "2.0"u8);
            writer.WritePropertyName("id"u8);
            if (id.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                id.WriteTo(writer);
            }
            else
            {
                writer.WriteNullValue();
            }

            if (error is RpcError e)
            {
                writer.WriteStartObject("error"u8);
                writer.WriteNumber("code"u8, e.Code);
                writer.WriteString("message"u8, e.Message);
                writer.WriteStartObject("data"u8);
                writer.WriteString("name"u8, e.Name);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            else
            {
                writer.WritePropertyName("result"u8);
                writer.WriteRawValue(result!.Value.Span, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] ErrorOnly(RpcError error) => Response(default, null, error);

    private static byte[] JoinBatch(List<byte[]> responses)
    {
        int length = 2 + responses.Count - 1;
        foreach (byte[] response in responses)
        {
            length += response.Length;
        }

        byte[] joined = new byte[length];
        int offset = 0;
        joined[offset++] = (byte)'[';
        for (int i = 0; i < responses.Count; i++)
        {
            if (i > 0)
            {
                joined[offset++] = (byte)',';
            }

            responses[i].CopyTo(joined, offset);
            offset += responses[i].Length;
        }

        joined[offset] = (byte)']';
        return joined;
    }
}
