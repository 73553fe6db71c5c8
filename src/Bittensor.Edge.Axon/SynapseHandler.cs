// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Axon;

/// <summary>
/// Serves one synapse. The axon has already verified the caller (headers, blacklist, rate limit, nonce, body hash,
/// signature), parsed the body as <typeparamref name="TRequest"/> and checked its shape.
/// </summary>
/// <typeparam name="TRequest">The synapse's request message.</typeparam>
/// <typeparam name="TResponse">The synapse's response message.</typeparam>
/// <param name="request">The parsed, shape-checked request.</param>
/// <param name="context">Who called and when the deadline is.</param>
/// <param name="cancellationToken">Fires at received + timeout (the axon then answers 408) or when the caller disconnects.</param>
/// <returns>The response (200) or a domain error (422 unless the error says otherwise). An exception becomes a 500.</returns>
public delegate ValueTask<SynapseResult<TResponse>> SynapseHandler<in TRequest, TResponse>(
    TRequest request,
    SynapseContext context,
    CancellationToken cancellationToken)
    where TResponse : class;

/// <summary>
/// Serves one synapse on its raw bytes, for a hot path that reads and writes the JSON itself (the <c>Inference</c>
/// synapse decodes tensor data straight into pooled buffers). The axon has already verified the caller; the body is
/// not parsed, so the handler must answer a malformed one with a 400 <see cref="DomainError"/> itself.
/// </summary>
/// <param name="body">The request body, exactly as hashed and signed; the axon keeps it unchanged until the handler completes.</param>
/// <param name="context">Who called and when the deadline is.</param>
/// <param name="cancellationToken">Fires at received + timeout (the axon then answers 408) or when the caller disconnects.</param>
/// <returns>The response body (200, <c>application/json</c>) or a domain error. An exception becomes a 500.</returns>
public delegate ValueTask<RawSynapseResult> RawSynapseHandler(
    ReadOnlyMemory<byte> body,
    SynapseContext context,
    CancellationToken cancellationToken);

/// <summary>A raw handler's outcome: a JSON response body, or a <see cref="DomainError"/>. Converts implicitly from either.</summary>
public readonly struct RawSynapseResult
{
    /// <summary>A success whose body is <paramref name="body"/> (UTF-8 JSON; the axon signs and sends it as is).</summary>
    public RawSynapseResult(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Body = body;
    }

    /// <summary>
    /// A success whose body lives in a pooled buffer: the axon signs and sends <paramref name="body"/> as is, then calls
    /// <paramref name="release"/> once (also when the caller went away before it was sent), and never touches the body after.
    /// </summary>
    public RawSynapseResult(ReadOnlyMemory<byte> body, Action release)
    {
        ArgumentNullException.ThrowIfNull(release);
        Body = body;
        Release = release;
    }

    /// <summary>A domain error.</summary>
    public RawSynapseResult(DomainError error)
    {
        Error = error;
    }

    /// <summary>The response body, when the handler succeeded.</summary>
    public ReadOnlyMemory<byte>? Body { get; }

    /// <summary>What hands the body's buffer back once it is sent, if it is pooled.</summary>
    public Action? Release { get; }

    /// <summary>The domain error, when it failed.</summary>
    public DomainError? Error { get; }

    /// <summary>A success.</summary>
    public static implicit operator RawSynapseResult(byte[] body) => new(body);

    /// <summary>A domain error.</summary>
    public static implicit operator RawSynapseResult(DomainError error) => new(error);
}

/// <summary>What a handler knows about the verified request it serves.</summary>
/// <param name="SynapseName">The synapse.</param>
/// <param name="Caller">The caller's hotkey (its signature verified).</param>
/// <param name="CallerStakeRao">The caller's stake from the metagraph.</param>
/// <param name="CallerHasValidatorPermit">Whether the caller holds a validator permit.</param>
/// <param name="Uuid">The request's UUID.</param>
/// <param name="Timeout">The request's timeout.</param>
/// <param name="Received">When the axon received the request, on its clock's <see cref="Core.IClock.Elapsed"/>.</param>
public sealed record SynapseContext(
    string SynapseName,
    PublicKey Caller,
    ulong CallerStakeRao,
    bool CallerHasValidatorPermit,
    Guid Uuid,
    TimeSpan Timeout,
    TimeSpan Received)
{
    /// <summary>The deadline, <see cref="Received"/> + <see cref="Timeout"/>, on the clock's <see cref="Core.IClock.Elapsed"/>.</summary>
    public TimeSpan Deadline => Received + Timeout;
}

/// <summary>A handler's outcome: a response, or a <see cref="DomainError"/>. Converts implicitly from either.</summary>
/// <typeparam name="TResponse">The response message.</typeparam>
public readonly struct SynapseResult<TResponse>
    where TResponse : class
{
    /// <summary>A success.</summary>
    public SynapseResult(TResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        Response = response;
    }

    /// <summary>A domain error.</summary>
    public SynapseResult(DomainError error)
    {
        Error = error;
    }

    /// <summary>The response, when the handler succeeded.</summary>
    public TResponse? Response { get; }

    /// <summary>The domain error, when it failed.</summary>
    public DomainError? Error { get; }

    /// <summary>A success.</summary>
    public static implicit operator SynapseResult<TResponse>(TResponse response) => new(response);

    /// <summary>A domain error.</summary>
    public static implicit operator SynapseResult<TResponse>(DomainError error) => new(error);
}

/// <summary>What the host reports in its <c>Health</c> answer beyond version, uptime and hotkey.</summary>
/// <param name="BestBlockSeen">The best block the host has seen.</param>
/// <param name="Storage">Storage capacity.</param>
/// <param name="Inference">Models ready to serve.</param>
/// <param name="DevicesOnline">Edge devices online (0 for a standalone miner).</param>
public sealed record AxonHealth(ulong BestBlockSeen, StorageSummary Storage, InferenceSummary Inference, int DevicesOnline)
{
    /// <summary>Nothing stored, no models, no devices, block 0: what an axon without a health source reports.</summary>
    public static AxonHealth Empty { get; } = new(0, new StorageSummary(0, 0), new InferenceSummary([]), 0);
}
