// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Signing;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Protocol.Verification;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Bittensor.Edge.Axon;

/// <summary>
/// The request pipeline of specs/protocol.md §3.3, in order, first failure answers: route (404) and method (405),
/// headers (400), axon hotkey (401), blacklist (403), rate limit (429), nonce pre-check (401/503), body length (413)
/// and hash (400), signature (401), nonce commit, priority gate (503/408), handler (408/422/500). Every answer is signed
/// (§3.6).
/// </summary>
/// <remarks>Thread-safe: one instance serves every request concurrently.</remarks>
internal sealed class AxonPipeline
{
    private const string JsonContentType = "application/json";

    private readonly Ed25519KeyPair _hotkey;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly Dictionary<string, SynapseRegistration> _synapses;
    private readonly Blacklist _blacklist;
    private readonly HotkeyRateLimiter _rateLimiter;
    private readonly NonceStore _nonces;
    private readonly StakePriorityGate _gate;
    private readonly SynapseRegistration _health;

    public AxonPipeline(
        Ed25519KeyPair hotkey,
        IMetagraphView metagraph,
        AxonOptions options,
        IClock clock,
        ILogger logger,
        Dictionary<string, SynapseRegistration> synapses,
        Func<AxonHealth> health)
    {
        _hotkey = hotkey;
        _clock = clock;
        _logger = logger;
        _synapses = synapses;
        _blacklist = new Blacklist(metagraph, options.MinStakeRao);
        _rateLimiter = new HotkeyRateLimiter(clock, options.RateLimit);
        _nonces = new NonceStore(clock, options.NonceCapacity);
        _gate = new StakePriorityGate(options.MaxConcurrentHandlers, options.MaxQueuedRequests);
        Started = clock.Elapsed;
        _health = CreateHealth(options.Version, health);
        _synapses[SynapseNames.Health] = _health;
        Hotkey = hotkey.PublicKey;
        HotkeyText = hotkey.Ss58Address;
    }

    public PublicKey Hotkey { get; }

    public string HotkeyText { get; }

    public TimeSpan Started { get; }

    public IEnumerable<string> Routes => _synapses.Keys;

    public async Task HandleAsync(HttpContext context)
    {
        TimeSpan received = _clock.Elapsed;
        HttpRequest request = context.Request;
        string dendriteHotkey = Header(request, HeaderNames.DendriteHotkey) ?? string.Empty;
        string requestHash = Header(request, HeaderNames.ComputedBodyHash) ?? string.Empty;
        string route = RouteOf(request.Path);
        try
        {
            (AxonStatus status, string message, ReadOnlyMemory<byte> body, Action? release) = await ProcessAsync(context, route, received).ConfigureAwait(false);
            try
            {
                if (context.RequestAborted.IsCancellationRequested)
                {
                    return;
                }

                await WriteAsync(context, status, message, body, dendriteHotkey, requestHash, received).ConfigureAwait(false);
            }
            finally
            {
                // The write has completed (Kestrel copied the bytes) or failed: the pooled body is free either way.
                release?.Invoke();
            }

            if (status == AxonStatus.Ok)
            {
                Log.Answered(_logger, route, dendriteHotkey, (int)status, _clock.Elapsed - received);
            }
            else
            {
                Log.Rejected(_logger, route, dendriteHotkey, (int)status, message);
            }
        }
        catch (Exception e) when (e is IOException || (e is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            // The caller went away or sent less than its Content-Length: nobody is left to answer.
            Log.ClientGone(_logger, route, dendriteHotkey, e.Message);
            context.Abort();
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            Log.PipelineFailed(_logger, e, request.Path.Value ?? string.Empty);
            HandlerOutcome failure = HandlerOutcome.FromError(AxonStatus.InternalServerError, "InternalError", "The axon failed to process the request.");
            await WriteAsync(context, failure.Status, failure.Message, failure.Body, dendriteHotkey, requestHash, received).ConfigureAwait(false);
        }
    }

    private async Task<HandlerOutcome> ProcessAsync(HttpContext context, string route, TimeSpan received)
    {
        HttpRequest request = context.Request;

        // Step 1: route, method and headers.
        if (!_synapses.TryGetValue(route, out SynapseRegistration? synapse))
        {
            return Reject(AxonStatus.NotFound, "UnknownSynapse", $"No synapse is served at '{request.Path.Value}'.");
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            return Reject(AxonStatus.MethodNotAllowed, "MethodNotAllowed", $"{route} accepts POST only.");
        }

        if (!RequestHeaders.TryParse(name => Header(request, name), route, out RequestHeaders? headers, out string? headerError))
        {
            return Reject(AxonStatus.BadRequest, "BadHeaders", headerError);
        }

        // Step 2: the caller means us.
        if (headers.AxonHotkey != Hotkey)
        {
            return Reject(AxonStatus.Unauthorized, "WrongAxon", "bt_header_axon_hotkey is not this axon's hotkey.");
        }

        // Step 3: blacklist, from headers only.
        BlacklistVerdict blacklist = _blacklist.Check(headers.DendriteHotkey, route, out NeuronView? neuron);
        if (blacklist != BlacklistVerdict.Allowed)
        {
            return Reject(AxonStatus.Forbidden, blacklist.ToString(), BlacklistMessage(blacklist, route));
        }

        // Step 4: rate limit. Only a check here: the token is spent after the signature verified (step 8), so
        // unsigned requests sent in a validator's name cannot drain its budget at this axon.
        if (!_rateLimiter.HasToken(headers.DendriteHotkey, neuron!.ValidatorPermit))
        {
            return Reject(AxonStatus.TooManyRequests, "RateLimited", "Too many requests from this hotkey.");
        }

        // Step 5: nonce pre-check.
        NonceVerdict nonce = _nonces.Check(headers.DendriteHotkey, headers.Uuid, headers.Nonce, headers.Timeout);
        if (nonce != NonceVerdict.Accepted)
        {
            return NonceRejection(nonce);
        }

        // Step 6: body, bounded by Content-Length, then its hash.
        if (request.ContentLength is not long length)
        {
            return Reject(AxonStatus.BadRequest, "LengthRequired", "Content-Length is required.");
        }

        if (length > ProtocolConstants.MaxBodyBytes)
        {
            return Reject(AxonStatus.PayloadTooLarge, "PayloadTooLarge", $"The body is over {ProtocolConstants.MaxBodyBytes} bytes.");
        }

        byte[] body = new byte[length];
        await request.Body.ReadExactlyAsync(body, context.RequestAborted).ConfigureAwait(false);
        if (Sha256.Hash(body) != headers.BodyHash)
        {
            return Reject(AxonStatus.BadRequest, "BodyHashMismatch", "computed_body_hash is not the SHA-256 of the body.");
        }

        // Step 7: signature, 401 always when missing or invalid.
        if (!headers.VerifySignature())
        {
            return Reject(AxonStatus.Unauthorized, "BadSignature", "The request signature is missing or invalid.");
        }

        // Step 8: commit the nonce, now that the signature verified.
        nonce = _nonces.Commit(headers.DendriteHotkey, headers.Uuid, headers.Nonce, headers.Timeout);
        if (nonce != NonceVerdict.Accepted)
        {
            return NonceRejection(nonce);
        }

        if (!_rateLimiter.TryAcquire(headers.DendriteHotkey, neuron.ValidatorPermit))
        {
            return Reject(AxonStatus.TooManyRequests, "RateLimited", "Too many requests from this hotkey.");
        }

        // Steps 9 and 10: priority gate, then the handler, both bounded by received + timeout.
        SynapseContext synapseContext = new(route, headers.DendriteHotkey, neuron.StakeRao, neuron.ValidatorPermit, headers.Uuid, headers.Timeout, received);
        return await RunHandlerAsync(synapse, body, synapseContext, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task<HandlerOutcome> RunHandlerAsync(SynapseRegistration synapse, byte[] body, SynapseContext synapseContext, CancellationToken aborted)
    {
        using CancellationTokenSource deadline = new();
        using CancellationTokenSource disarm = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        TimeSpan remaining = synapseContext.Deadline - _clock.Elapsed;
        if (remaining <= TimeSpan.Zero)
        {
            return Reject(AxonStatus.Timeout, DomainErrorCodes.DeadlineExceeded, "The deadline passed before the handler ran.");
        }

        Task timer = ArmAsync(_clock, remaining, deadline, disarm.Token);
        try
        {
            (QueueVerdict verdict, QueueLease? lease) = await _gate.EnterAsync(synapseContext.CallerStakeRao, deadline.Token).ConfigureAwait(false);
            if (verdict == QueueVerdict.Full)
            {
                Log.Overloaded(_logger, "handler queue full");
                return Reject(AxonStatus.ServiceUnavailable, "Overloaded", "The axon's queue is full.");
            }

            if (verdict == QueueVerdict.DeadlinePassed)
            {
                return Reject(AxonStatus.Timeout, DomainErrorCodes.DeadlineExceeded, "The deadline passed while the request was queued.");
            }

            using (lease)
            {
                using CancellationTokenSource handlerToken = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, aborted);
                try
                {
                    return await synapse.RunAsync(body, synapseContext, handlerToken.Token).AsTask().WaitAsync(handlerToken.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    return Reject(AxonStatus.Timeout, DomainErrorCodes.DeadlineExceeded, $"The handler did not finish within {RequestSigning.FormatSeconds(synapseContext.Timeout)} s.");
                }
                catch (Exception e) when (e is not OperationCanceledException || !aborted.IsCancellationRequested)
                {
                    Log.HandlerFailed(_logger, e, synapse.Name, synapseContext.Caller.ToSs58());
                    return Reject(AxonStatus.InternalServerError, "InternalError", "The handler failed.");
                }
            }
        }
        finally
        {
            await disarm.CancelAsync().ConfigureAwait(false);
            await timer.ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(HttpContext context, AxonStatus status, string message, ReadOnlyMemory<byte> body, string dendriteHotkey, string requestHash, TimeSpan received)
    {
        IReadOnlyList<KeyValuePair<string, string>> headers = ResponseSigning.CreateHeaders(
            _hotkey,
            status,
            message,
            _clock.Elapsed - received,
            UnixNanos.From(_clock.UtcNow),
            Guid.NewGuid(),
            dendriteHotkey,
            requestHash,
            body.Span);
        HttpResponse response = context.Response;
        response.StatusCode = (int)status;
        foreach (KeyValuePair<string, string> header in headers)
        {
            response.Headers[header.Key] = header.Value;
        }

        response.ContentType = JsonContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private SynapseRegistration CreateHealth(string version, Func<AxonHealth> health) =>
        SynapseRegistration.Create<HealthRequest, HealthResponse>(
            SynapseNames.Health,
            ProtocolJsonContext.Default.HealthRequest,
            ProtocolJsonContext.Default.HealthResponse,
            (_, _, _) =>
            {
                AxonHealth now = health();
                ulong uptime = (ulong)Math.Max(0, (_clock.Elapsed - Started).Ticks / TimeSpan.TicksPerSecond);
                return ValueTask.FromResult<SynapseResult<HealthResponse>>(
                    new HealthResponse(version, uptime, now.BestBlockSeen, HotkeyText, now.Storage, now.Inference, now.DevicesOnline));
            });

    private static HandlerOutcome NonceRejection(NonceVerdict verdict) => verdict switch
    {
        NonceVerdict.TableFull => Reject(AxonStatus.ServiceUnavailable, "NonceTableFull", "The nonce table is full."),
        NonceVerdict.Stale => Reject(AxonStatus.Unauthorized, "StaleNonce", "The nonce is older than the window allows."),
        NonceVerdict.TooFarInFuture => Reject(AxonStatus.Unauthorized, "FutureNonce", "The nonce is too far in the future."),
        _ => Reject(AxonStatus.Unauthorized, "ReplayedNonce", "The nonce is not greater than the last one for this hotkey and uuid."),
    };

    private static string BlacklistMessage(BlacklistVerdict verdict, string route) => verdict switch
    {
        BlacklistVerdict.Unregistered => "The hotkey is not registered on this subnet.",
        BlacklistVerdict.NoValidatorPermit => $"{route} needs a validator permit.",
        _ => $"{route} needs more stake.",
    };

    private static HandlerOutcome Reject(AxonStatus status, string code, string message) =>
        HandlerOutcome.FromError(status, code, message);

    private static string RouteOf(PathString path)
    {
        string value = path.Value ?? string.Empty;
        return value.Length > 1 && value[0] == '/' && value.IndexOf('/', 1) < 0 ? value[1..] : string.Empty;
    }

    private static string? Header(HttpRequest request, string name)
    {
        if (!request.Headers.TryGetValue(name, out StringValues values) || values.Count == 0)
        {
            return null;
        }

        // A repeated header is malformed; an empty value fails every parser (and the signature check).
        return values.Count == 1 ? values[0] : string.Empty;
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
}
