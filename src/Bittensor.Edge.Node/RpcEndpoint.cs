// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Chain.Rpc;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Node;

/// <summary>
/// The HTTP face of the JSON-RPC handler: <c>POST /rpc</c> passes the body (at most the configured size) to
/// <see cref="IRpcHandler"/> and answers 200 with its bytes (204 when it returns none). Anything else gets a JSON-RPC
/// style error body: 404 for another path, 405 (with <c>Allow: POST</c>) for another method, 413 for a body too large.
/// A failure inside the handler is answered as JSON-RPC −32603, never as HTTP 500.
/// </summary>
/// <remarks>Thread-safe: requests run concurrently. Long polls end when the node stops.</remarks>
internal sealed class RpcEndpoint(IRpcHandler handler, int maxBodyBytes, ILogger logger, CancellationToken stopping)
{
    /// <summary>The only path served.</summary>
    public const string Path = "/rpc";

    private static readonly byte[] s_notFound = """{"jsonrpc":"2.0","error":{"code":-32601,"message":"Not found: JSON-RPC is served at POST /rpc"},"id":null}"""u8.ToArray();
    private static readonly byte[] s_methodNotAllowed = """{"jsonrpc":"2.0","error":{"code":-32600,"message":"Method not allowed: use POST /rpc"},"id":null}"""u8.ToArray();
    private static readonly byte[] s_tooLarge = """{"jsonrpc":"2.0","error":{"code":-32600,"message":"Request body too large"},"id":null}"""u8.ToArray();
    private static readonly byte[] s_internal = """{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":null}"""u8.ToArray();
    private static readonly byte[] s_stopping = """{"jsonrpc":"2.0","error":{"code":-32603,"message":"The node is stopping"},"id":null}"""u8.ToArray();

    /// <summary>Answers one HTTP request.</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "The handler must never surface as HTTP 500; any failure becomes JSON-RPC -32603 and is logged.")]
    public async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (!string.Equals(request.Path.Value, Path, StringComparison.Ordinal))
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, s_notFound).ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await WriteAsync(context, StatusCodes.Status405MethodNotAllowed, s_methodNotAllowed).ConfigureAwait(false);
            return;
        }

        if (request.ContentLength > maxBodyBytes)
        {
            await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, s_tooLarge).ConfigureAwait(false);
            return;
        }

        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        byte[] body;
        try
        {
            using MemoryStream buffer = new();
            await request.Body.CopyToAsync(buffer, linked.Token).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, s_tooLarge).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or BadHttpRequestException)
        {
            return;
        }

        byte[] response;
        try
        {
            response = await handler.HandleAsync(body, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            if (!context.RequestAborted.IsCancellationRequested)
            {
                await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, s_stopping).ConfigureAwait(false);
            }

            return;
        }
        catch (Exception e)
        {
            Log.RpcFailed(logger, e);
            response = s_internal;
        }

        if (response.Length == 0)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        await WriteAsync(context, StatusCodes.Status200OK, response).ConfigureAwait(false);
    }

    private async Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        if (status != StatusCodes.Status200OK)
        {
            Log.RpcRejected(logger, context.Request.Method, context.Request.Path.Value ?? "", status);
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        try
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away; nothing to answer.
        }
    }
}
