// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Bittensor.Edge.Gateway.Admin;

/// <summary>Why an admin call failed, with the gateway's message (or what to check when there was none).</summary>
public sealed class AdminException : Exception
{
    /// <summary>A failure with <paramref name="message"/> and the HTTP status (0: no answer).</summary>
    public AdminException(string message, int status)
        : base(message)
    {
        Status = status;
    }

    /// <summary>Not used.</summary>
    public AdminException()
    {
    }

    /// <summary>Not used.</summary>
    public AdminException(string message)
        : base(message)
    {
    }

    /// <summary>Not used.</summary>
    public AdminException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status, or 0 when the gateway could not be reached.</summary>
    public int Status { get; }
}

/// <summary>
/// The client of the admin API (<see cref="AdminEndpoint"/>), used by <c>bte fleet</c>. It finds the gateway through its
/// data folder: <c>admin.url</c> (written at start) and <c>admin.token</c> (0600), so it needs read access to that
/// folder, which is the access control.
/// </summary>
/// <remarks>Thread-safe. Does not own the <see cref="HttpClient"/>.</remarks>
public sealed class AdminClient(HttpClient http, Uri baseUrl, string bearerToken)
{
    /// <summary>The gateway's admin URL.</summary>
    public Uri BaseUrl { get; } = baseUrl;

    /// <summary>Reads <c>admin.url</c> and <c>admin.token</c> from <paramref name="dataDir"/>.</summary>
    /// <exception cref="AdminException">Either file is missing or unreadable; the message says what to do.</exception>
    public static AdminClient FromDataDir(HttpClient http, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(http);
        string urlFile = Path.Combine(dataDir, GatewayConstants.AdminUrlFileName);
        string tokenFile = Path.Combine(dataDir, GatewayConstants.AdminTokenFileName);
        try
        {
            string url = File.ReadAllText(urlFile).Trim();
            string token = File.ReadAllText(tokenFile).Trim();
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? baseUrl) || token.Length == 0)
            {
                throw new AdminException($"{urlFile} or {tokenFile} is damaged; restart bte-gateway to rewrite them.", 0);
            }

            return new AdminClient(http, baseUrl, token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AdminException($"Cannot read the gateway's admin files in {dataDir} ({e.Message}). Is bte-gateway running with this data folder (--gateway-dir, $BTE_GATEWAY_DIR), and may this user read it?", 0);
        }
    }

    /// <summary><c>GET /v1/info</c>.</summary>
    public Task<GatewayInfo> InfoAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "v1/info", null, AdminJsonContext.Default.GatewayInfo, cancellationToken);

    /// <summary><c>POST /v1/tokens</c>.</summary>
    public Task<TokenCreated> CreateTokenAsync(TokenCreateRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "v1/tokens", JsonSerializer.SerializeToUtf8Bytes(request, AdminJsonContext.Default.TokenCreateRequest), AdminJsonContext.Default.TokenCreated, cancellationToken);

    /// <summary><c>GET /v1/tokens</c>.</summary>
    public Task<TokenList> ListTokensAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "v1/tokens", null, AdminJsonContext.Default.TokenList, cancellationToken);

    /// <summary><c>POST /v1/tokens/{id}/revoke</c>.</summary>
    public Task<TokenInfo> RevokeTokenAsync(string tokenId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/tokens/{Uri.EscapeDataString(tokenId)}/revoke", [], AdminJsonContext.Default.TokenInfo, cancellationToken);

    /// <summary><c>POST /v1/preauth</c>.</summary>
    public Task<DeviceInfo> PreauthorizeAsync(PreauthRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "v1/preauth", JsonSerializer.SerializeToUtf8Bytes(request, AdminJsonContext.Default.PreauthRequest), AdminJsonContext.Default.DeviceInfo, cancellationToken);

    /// <summary><c>GET /v1/devices</c>.</summary>
    public Task<DeviceList> ListDevicesAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "v1/devices", null, AdminJsonContext.Default.DeviceList, cancellationToken);

    /// <summary><c>POST /v1/devices/{id}/revoke</c>.</summary>
    public Task<RevokeResult> RevokeDeviceAsync(string deviceId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/devices/{Uri.EscapeDataString(deviceId)}/revoke", [], AdminJsonContext.Default.RevokeResult, cancellationToken);

    /// <summary><c>POST /v1/devices/{id}/probe</c>.</summary>
    public Task<ProbeReport> ProbeAsync(string deviceId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/devices/{Uri.EscapeDataString(deviceId)}/probe", [], AdminJsonContext.Default.ProbeReport, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = new(method, new Uri(BaseUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new AdminException($"Cannot reach bte-gateway at {BaseUrl} ({e.Message}). Is it running?", 0);
        }

        using (response)
        {
            byte[] bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                string message = $"bte-gateway answered {(int)response.StatusCode}";
                try
                {
                    message = JsonSerializer.Deserialize(bytes, AdminJsonContext.Default.AdminError)?.Error ?? message;
                }
                catch (JsonException)
                {
                    // Not one of ours: keep the status line.
                }

                throw new AdminException(message, (int)response.StatusCode);
            }

            try
            {
                return JsonSerializer.Deserialize(bytes, typeInfo) ?? throw new AdminException("bte-gateway answered null.", (int)response.StatusCode);
            }
            catch (JsonException e)
            {
                throw new AdminException($"bte-gateway's answer does not parse ({e.Message}); are bte and bte-gateway the same version?", (int)response.StatusCode);
            }
        }
    }
}
