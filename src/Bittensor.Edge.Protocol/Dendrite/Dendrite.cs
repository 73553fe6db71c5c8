// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Signing;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Protocol.Dendrite;

/// <summary>
/// The client validators use to call axons (specs/protocol.md §3): it builds and signs the §3.2 headers, sends
/// <c>POST /{SynapseName}</c>, gives up at timeout + 0.5 s on its <see cref="IClock"/>, and accepts a response only when
/// its §3.6 signature verifies against the hotkey it meant to reach.
/// </summary>
/// <remarks>
/// <para>
/// Calls never throw for network outcomes: each returns a <see cref="DendriteResult"/> whose status is the axon's or a
/// local one (408, 502, 503, 422). Only cancellation through the caller's token throws
/// <see cref="OperationCanceledException"/>.
/// </para>
/// <para>
/// Thread-safe: calls may run concurrently. Nonces are wall-clock ns, made strictly increasing per instance. An
/// <see cref="HttpClient"/> passed in is not disposed by the dendrite and should have an infinite
/// <see cref="HttpClient.Timeout"/> (the dendrite enforces its own); one the dendrite creates is disposed with it.
/// </para>
/// </remarks>
public sealed class Dendrite : IDisposable
{
    /// <summary>Largest response body accepted; RetrieveChunk answers are about 5.6 MB of JSON.</summary>
    public const int MaxResponseBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Bodies larger than this are sent with <c>Expect: 100-continue</c>, so an axon that refuses the request from its
    /// headers (401, 403, 413, 429, …) answers before the body is uploaded, and the refusal reaches the dendrite instead
    /// of a reset connection. Smaller bodies skip the extra round trip.
    /// </summary>
    public const int ExpectContinueThreshold = 64 * 1024;

    private static readonly MediaTypeHeaderValue s_json = new("application/json");

    private readonly Ed25519KeyPair _wallet;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly IClock _clock;
    private long _lastNonce;

    /// <summary>A dendrite signing with <paramref name="wallet"/> and sending through <paramref name="httpClient"/>.</summary>
    /// <param name="wallet">The caller's hotkey pair; not disposed by the dendrite.</param>
    /// <param name="httpClient">The HTTP client; not disposed by the dendrite.</param>
    /// <param name="clock">Clock for nonces and the timeout.</param>
    public Dendrite(Ed25519KeyPair wallet, HttpClient httpClient, IClock clock)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(clock);
        _wallet = wallet;
        _http = httpClient;
        _clock = clock;
    }

    /// <summary>A dendrite with its own <see cref="HttpClient"/>, disposed with it.</summary>
    /// <param name="wallet">The caller's hotkey pair; not disposed by the dendrite.</param>
    /// <param name="clock">Clock for nonces and the timeout.</param>
    public Dendrite(Ed25519KeyPair wallet, IClock clock)
        : this(wallet, new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan }, clock)
    {
        _ownsHttp = true;
    }

    /// <summary>The caller's hotkey as SS58.</summary>
    public string Hotkey => _wallet.Ss58Address;

    /// <summary>Calls <c>Health</c>.</summary>
    public Task<DendriteResult<HealthResponse>> HealthAsync(AxonTarget target, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        CallAsync(target, SynapseNames.Health, new HealthRequest(), ProtocolJsonContext.Default.HealthRequest, ProtocolJsonContext.Default.HealthResponse, timeout, cancellationToken);

    /// <summary>Calls <c>StoreChunk</c>; a 200 whose signature verified is the storage receipt.</summary>
    public Task<DendriteResult<StoreChunkResponse>> StoreChunkAsync(AxonTarget target, StoreChunkRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        CallAsync(target, SynapseNames.StoreChunk, request, ProtocolJsonContext.Default.StoreChunkRequest, ProtocolJsonContext.Default.StoreChunkResponse, timeout, cancellationToken);

    /// <summary>Calls <c>RetrieveChunk</c>.</summary>
    public Task<DendriteResult<RetrieveChunkResponse>> RetrieveChunkAsync(AxonTarget target, RetrieveChunkRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        CallAsync(target, SynapseNames.RetrieveChunk, request, ProtocolJsonContext.Default.RetrieveChunkRequest, ProtocolJsonContext.Default.RetrieveChunkResponse, timeout, cancellationToken);

    /// <summary>Calls <c>StorageChallenge</c>.</summary>
    public Task<DendriteResult<StorageChallengeResponse>> StorageChallengeAsync(AxonTarget target, StorageChallengeRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        CallAsync(target, SynapseNames.StorageChallenge, request, ProtocolJsonContext.Default.StorageChallengeRequest, ProtocolJsonContext.Default.StorageChallengeResponse, timeout, cancellationToken);

    /// <summary>Calls <c>Inference</c>.</summary>
    public Task<DendriteResult<InferenceResponse>> InferenceAsync(AxonTarget target, InferenceRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        CallAsync(target, SynapseNames.Inference, request, ProtocolJsonContext.Default.InferenceRequest, ProtocolJsonContext.Default.InferenceResponse, timeout, cancellationToken);

    /// <summary>
    /// Calls any synapse with typed messages. A 200 whose body does not parse as <typeparamref name="TResponse"/>, or
    /// fails its <see cref="ISynapseMessage.Validate"/>, becomes a local 422.
    /// </summary>
    /// <param name="target">The axon to call.</param>
    /// <param name="synapseName">The synapse (route).</param>
    /// <param name="request">The request message.</param>
    /// <param name="requestInfo">Source-generated metadata for the request.</param>
    /// <param name="responseInfo">Source-generated metadata for the response.</param>
    /// <param name="timeout">The request timeout; the synapse's §3.7 default when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call (the only way it throws).</param>
    public async Task<DendriteResult<TResponse>> CallAsync<TRequest, TResponse>(
        AxonTarget target,
        string synapseName,
        TRequest request,
        JsonTypeInfo<TRequest> requestInfo,
        JsonTypeInfo<TResponse> responseInfo,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(requestInfo);
        ArgumentNullException.ThrowIfNull(responseInfo);
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(request, requestInfo);
        DendriteResult raw = await CallAsync(target, synapseName, body, timeout, cancellationToken).ConfigureAwait(false);
        if (!raw.IsSuccess)
        {
            return Typed<TResponse>(raw, null);
        }

        TResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(raw.Body.Span, responseInfo);
        }
        catch (JsonException e)
        {
            return Typed<TResponse>(raw with { Status = AxonStatus.UnprocessableEntity, StatusMessage = $"Response body unparsable: {e.Message}" }, null);
        }

        if (response is null)
        {
            return Typed<TResponse>(raw with { Status = AxonStatus.UnprocessableEntity, StatusMessage = "Response body is null." }, null);
        }

        if (response is ISynapseMessage message && message.Validate() is DomainError invalid)
        {
            return Typed<TResponse>(raw with { Status = AxonStatus.UnprocessableEntity, StatusMessage = $"Response malformed: {invalid.Message}" }, null);
        }

        return Typed(raw, response);
    }

    /// <summary>Calls a synapse with a raw JSON body; see the class remarks for the outcomes.</summary>
    /// <param name="target">The axon to call.</param>
    /// <param name="synapseName">The synapse (route).</param>
    /// <param name="body">The exact body bytes to send.</param>
    /// <param name="timeout">The request timeout, 0 &lt; t ≤ 120 s; the synapse's §3.7 default when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call (the only way it throws).</param>
    public async Task<DendriteResult> CallAsync(
        AxonTarget target,
        string synapseName,
        ReadOnlyMemory<byte> body,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(synapseName);
        if (!SynapseNames.IsWellFormed(synapseName))
        {
            ThrowHelper.ThrowArgument(nameof(synapseName), "A synapse name is 1 to 64 ASCII letters, digits or underscores.");
        }

        TimeSpan limit = timeout ?? SynapseTimeouts.For(synapseName);
        IReadOnlyList<KeyValuePair<string, string>> headers =
            RequestSigning.CreateHeaders(_wallet, target.Hotkey, synapseName, body.Span, limit, NextNonce(), Guid.NewGuid());
        string bodyHash = headers.First(static h => h.Key == HeaderNames.ComputedBodyHash).Value;

        using HttpRequestMessage message = new(HttpMethod.Post, new Uri(target.BaseAddress, synapseName));
        message.Content = new ReadOnlyMemoryContent(body);
        message.Content.Headers.ContentType = s_json;
        message.Content.Headers.ContentLength = body.Length;
        message.Headers.ExpectContinue = body.Length > ExpectContinueThreshold;
        foreach (KeyValuePair<string, string> header in headers)
        {
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        TimeSpan started = _clock.Elapsed;
        using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using CancellationTokenSource disarm = new();
        Task timer = ArmAsync(_clock, limit + ProtocolConstants.DendriteGrace, deadline, disarm.Token);
        try
        {
            return await SendAsync(message, target.Hotkey, bodyHash, started, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Local(AxonStatus.Timeout, $"No response within {RequestSigning.FormatSeconds(limit + ProtocolConstants.DendriteGrace)} s.", started);
        }
        catch (HttpRequestException e)
        {
            return Local(AxonStatus.ServiceUnavailable, $"Connection failed: {e.HttpRequestError}.", started);
        }
        catch (IOException e)
        {
            return Local(AxonStatus.ServiceUnavailable, $"Connection lost: {e.Message}", started);
        }
        finally
        {
            await disarm.CancelAsync().ConfigureAwait(false);
            await timer.ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<DendriteResult> SendAsync(HttpRequestMessage message, PublicKey axon, string bodyHash, TimeSpan started, CancellationToken deadline)
    {
        using HttpResponseMessage response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline).ConfigureAwait(false);
        byte[]? body = await ReadBodyAsync(response.Content, deadline).ConfigureAwait(false);
        if (body is null)
        {
            return Local(AxonStatus.UnprocessableEntity, $"Response body over {MaxResponseBytes} bytes.", started);
        }

        TimeSpan elapsed = _clock.Elapsed - started;
        if (!ResponseSigning.TryVerify(name => Lookup(response, name), axon, _wallet.Ss58Address, bodyHash, body, out ResponseHeaders? verified))
        {
            return new DendriteResult(AxonStatus.BadGateway, "Response signature missing or invalid.", body, elapsed, null, null);
        }

        if (verified.StatusCode != (int)response.StatusCode)
        {
            return new DendriteResult(AxonStatus.BadGateway, "Signed status header differs from the HTTP status.", body, elapsed, null, null);
        }

        AxonStatus status = (AxonStatus)verified.StatusCode;
        return new DendriteResult(status, verified.StatusMessage, body, elapsed, verified, status == AxonStatus.Ok ? null : TryParseError(body));
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is long length && length > MaxResponseBytes)
        {
            return null;
        }

        Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using MemoryStream buffer = new();
            byte[] chunk = new byte[81920];
            while (true)
            {
                int read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.ToArray();
                }

                if (buffer.Length + read > MaxResponseBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
    }

    private static string? Lookup(HttpResponseMessage response, string name)
    {
        if (response.Headers.TryGetValues(name, out IEnumerable<string>? values)
            || response.Content.Headers.TryGetValues(name, out values))
        {
            using IEnumerator<string> e = values.GetEnumerator();
            if (!e.MoveNext())
            {
                return null;
            }

            string first = e.Current;
            return e.MoveNext() ? null : first;
        }

        return null;
    }

    private static ErrorBody? TryParseError(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.ErrorBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task ArmAsync(IClock clock, TimeSpan after, CancellationTokenSource deadline, CancellationToken disarm)
    {
        try
        {
            await clock.DelayAsync(after, disarm).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await deadline.CancelAsync().ConfigureAwait(false);
    }

    private static DendriteResult<TResponse> Typed<TResponse>(DendriteResult raw, TResponse? response)
        where TResponse : class =>
        new(raw.Status, raw.StatusMessage, raw.Body, raw.Elapsed, raw.Headers, raw.Error, response);

    private DendriteResult Local(AxonStatus status, string message, TimeSpan started) =>
        new(status, message, ReadOnlyMemory<byte>.Empty, _clock.Elapsed - started, null, null);

    private ulong NextNonce()
    {
        long now = (long)Math.Min(UnixNanos.From(_clock.UtcNow), long.MaxValue);
        while (true)
        {
            long last = Interlocked.Read(ref _lastNonce);
            long next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref _lastNonce, next, last) == last)
            {
                return (ulong)next;
            }
        }
    }
}
