// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Bittensor.Edge.Protocol.Fleet;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Gateway.Admin;

/// <summary>
/// The admin API of <c>bte-gateway</c> (JSON over HTTP, loopback by default), used by <c>bte fleet</c>. Every request
/// needs <c>Authorization: Bearer &lt;token&gt;</c> with the token in <c>{dataDir}/admin.token</c> (0600).
/// <list type="table">
/// <item><term><c>GET /v1/info</c></term><description><see cref="GatewayInfo"/></description></item>
/// <item><term><c>GET /v1/tokens</c>, <c>POST /v1/tokens</c></term><description><see cref="TokenList"/>; <see cref="TokenCreateRequest"/> → <see cref="TokenCreated"/></description></item>
/// <item><term><c>POST /v1/tokens/{tokenId}/revoke</c></term><description><see cref="TokenInfo"/></description></item>
/// <item><term><c>POST /v1/preauth</c></term><description><see cref="PreauthRequest"/> → <see cref="DeviceInfo"/></description></item>
/// <item><term><c>GET /v1/devices</c>, <c>GET /v1/devices/{id}</c></term><description><see cref="DeviceList"/>, <see cref="DeviceInfo"/></description></item>
/// <item><term><c>POST /v1/devices/{id}/revoke</c>, <c>POST /v1/devices/{id}/probe</c></term><description><see cref="RevokeResult"/>, <see cref="ProbeReport"/></description></item>
/// </list>
/// Refusals are 4xx with an <see cref="AdminError"/> body that says what to do; nothing is answered 500 without one.
/// </summary>
/// <remarks>Thread-safe: requests run concurrently.</remarks>
public sealed class AdminEndpoint(FleetGateway gateway, string bearerToken, ILogger logger)
{
    private const int MaxBodyBytes = 64 * 1024;
    private readonly byte[] _expectedAuthorization = Encoding.UTF8.GetBytes("Bearer " + bearerToken);

    /// <summary>Answers one HTTP request.</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "An admin call that fails unexpectedly is answered 500 with the message and logged; the gateway keeps running.")]
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        HttpRequest request = context.Request;
        if (!Authorized(request))
        {
            Log.AdminRefused(logger, request.Method, request.Path.Value ?? "");
            await WriteAsync(context, StatusCodes.Status401Unauthorized, new AdminError("Missing or wrong bearer token: use the token in the gateway's data folder (admin.token)."), AdminJsonContext.Default.AdminError).ConfigureAwait(false);
            return;
        }

        string[] path = (request.Path.Value ?? "").Trim('/').Split('/');
        bool get = HttpMethods.IsGet(request.Method);
        bool post = HttpMethods.IsPost(request.Method);
        try
        {
            switch (path)
            {
                case ["v1", "info"] when get:
                    await WriteAsync(context, 200, gateway.Info(), AdminJsonContext.Default.GatewayInfo).ConfigureAwait(false);
                    return;
                case ["v1", "tokens"] when get:
                    await WriteAsync(context, 200, gateway.ListTokens(), AdminJsonContext.Default.TokenList).ConfigureAwait(false);
                    return;
                case ["v1", "tokens"] when post:
                    await CreateTokenAsync(context).ConfigureAwait(false);
                    return;
                case ["v1", "tokens", string tokenId, "revoke"] when post:
                    if (gateway.TryRevokeToken(tokenId, out TokenInfo? token))
                    {
                        await WriteAsync(context, 200, token, AdminJsonContext.Default.TokenInfo).ConfigureAwait(false);
                    }
                    else
                    {
                        await ErrorAsync(context, 404, $"No token {tokenId}: see bte fleet token list.").ConfigureAwait(false);
                    }

                    return;
                case ["v1", "preauth"] when post:
                    await PreauthorizeAsync(context).ConfigureAwait(false);
                    return;
                case ["v1", "devices"] when get:
                    await WriteAsync(context, 200, gateway.ListDevices(), AdminJsonContext.Default.DeviceList).ConfigureAwait(false);
                    return;
                case ["v1", "devices", string deviceId] when get:
                    if (gateway.TryGetDevice(deviceId, out DeviceInfo? device))
                    {
                        await WriteAsync(context, 200, device, AdminJsonContext.Default.DeviceInfo).ConfigureAwait(false);
                    }
                    else
                    {
                        await UnknownDeviceAsync(context, deviceId).ConfigureAwait(false);
                    }

                    return;
                case ["v1", "devices", string deviceId, "revoke"] when post:
                    RevokeResult? revoked = DeviceIds.IsValid(deviceId) ? await gateway.RevokeDeviceAsync(deviceId, context.RequestAborted).ConfigureAwait(false) : null;
                    if (revoked is null)
                    {
                        await UnknownDeviceAsync(context, deviceId).ConfigureAwait(false);
                    }
                    else
                    {
                        await WriteAsync(context, 200, revoked, AdminJsonContext.Default.RevokeResult).ConfigureAwait(false);
                    }

                    return;
                case ["v1", "devices", string deviceId, "probe"] when post:
                    if (!gateway.TryGetDevice(deviceId, out DeviceInfo? probed))
                    {
                        await UnknownDeviceAsync(context, deviceId).ConfigureAwait(false);
                    }
                    else if (probed.State != "active")
                    {
                        await ErrorAsync(context, 409, $"{deviceId} is {probed.State}; only active devices can be probed.").ConfigureAwait(false);
                    }
                    else
                    {
                        ProbeReport report = await gateway.ProbeAsync(deviceId, context.RequestAborted).ConfigureAwait(false);
                        await WriteAsync(context, 200, report, AdminJsonContext.Default.ProbeReport).ConfigureAwait(false);
                    }

                    return;
                default:
                    await ErrorAsync(context, 404, $"{request.Method} {request.Path} is not part of the admin API (v1: info, tokens, preauth, devices).").ConfigureAwait(false);
                    return;
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away.
        }
        catch (Exception e)
        {
            Log.AdminFailed(logger, e, request.Method, request.Path.Value ?? "");
            await ErrorAsync(context, 500, $"The gateway failed on this call: {e.Message}").ConfigureAwait(false);
        }
    }

    private async Task CreateTokenAsync(HttpContext context)
    {
        TokenCreateRequest? body = await ReadAsync(context, AdminJsonContext.Default.TokenCreateRequest).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        if (gateway.TryCreateToken(body, out TokenCreated? created, out string? problem))
        {
            await WriteAsync(context, 200, created, AdminJsonContext.Default.TokenCreated).ConfigureAwait(false);
        }
        else
        {
            await ErrorAsync(context, 400, problem).ConfigureAwait(false);
        }
    }

    private async Task PreauthorizeAsync(HttpContext context)
    {
        PreauthRequest? body = await ReadAsync(context, AdminJsonContext.Default.PreauthRequest).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        if (gateway.TryPreauthorize(body, out DeviceInfo? device, out string? problem))
        {
            await WriteAsync(context, 200, device, AdminJsonContext.Default.DeviceInfo).ConfigureAwait(false);
        }
        else
        {
            await ErrorAsync(context, 400, problem).ConfigureAwait(false);
        }
    }

    private bool Authorized(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        return header is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), _expectedAuthorization);
    }

    private static async Task<T?> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await ErrorAsync(context, 413, "The request body is too large.").ConfigureAwait(false);
            return null;
        }

        try
        {
            T? value = await JsonSerializer.DeserializeAsync(context.Request.Body, typeInfo, context.RequestAborted).ConfigureAwait(false);
            if (value is null)
            {
                await ErrorAsync(context, 400, "The request body is null.").ConfigureAwait(false);
            }

            return value;
        }
        catch (JsonException e)
        {
            await ErrorAsync(context, 400, $"The request body is not valid JSON for this call: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }

    private static Task UnknownDeviceAsync(HttpContext context, string deviceId) =>
        ErrorAsync(context, 404, $"No enrolled device {deviceId}: see bte fleet devices.");

    private static Task ErrorAsync(HttpContext context, int status, string message) =>
        WriteAsync(context, status, new AdminError(message), AdminJsonContext.Default.AdminError);

    private static async Task WriteAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> typeInfo)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        try
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away.
        }
    }
}
