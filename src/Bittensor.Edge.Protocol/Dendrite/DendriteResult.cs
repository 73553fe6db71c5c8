// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Signing;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Protocol.Dendrite;

/// <summary>Where a dendrite call goes: the axon's base address and the hotkey the caller means to reach.</summary>
/// <param name="BaseAddress">For example <c>http://203.0.113.7:8091/</c>.</param>
/// <param name="Hotkey">The axon's hotkey; the response signature must verify against it.</param>
public sealed record AxonTarget(Uri BaseAddress, PublicKey Hotkey);

/// <summary>
/// The outcome of a dendrite call: the axon's status, or a dendrite-local one (specs/protocol.md §3.5: 408 nothing within
/// timeout + 0.5 s, 502 response signature missing or invalid, 503 connection refused or reset, 422 body unparsable).
/// </summary>
/// <param name="Status">The status to score; only <see cref="AxonStatus.Ok"/> is a success.</param>
/// <param name="StatusMessage">The axon's status message, or the dendrite's reason for a local outcome.</param>
/// <param name="Body">The response body (empty for a local outcome without one).</param>
/// <param name="Elapsed">Time from sending to receiving the whole response, on the dendrite's clock.</param>
/// <param name="Headers">The verified response headers (the receipt), or <see langword="null"/> when none verified.</param>
/// <param name="Error">The parsed error body of a non-200 axon answer, when it had one.</param>
public record DendriteResult(
    AxonStatus Status,
    string StatusMessage,
    ReadOnlyMemory<byte> Body,
    TimeSpan Elapsed,
    ResponseHeaders? Headers,
    ErrorBody? Error)
{
    /// <summary>Whether <see cref="Status"/> is 200.</summary>
    public bool IsSuccess => Status == AxonStatus.Ok;

    /// <summary>The process time the axon reported, when the response verified.</summary>
    public TimeSpan? ProcessTime => Headers?.ProcessTime;

    /// <summary>Whether the status came from the dendrite itself rather than from a verified axon response.</summary>
    public bool IsLocal => Headers is null;
}

/// <summary>A <see cref="DendriteResult"/> with the parsed response of a 200.</summary>
/// <typeparam name="TResponse">The synapse's response type.</typeparam>
/// <param name="Status">As in <see cref="DendriteResult"/>.</param>
/// <param name="StatusMessage">As in <see cref="DendriteResult"/>.</param>
/// <param name="Body">As in <see cref="DendriteResult"/>.</param>
/// <param name="Elapsed">As in <see cref="DendriteResult"/>.</param>
/// <param name="Headers">As in <see cref="DendriteResult"/>.</param>
/// <param name="Error">As in <see cref="DendriteResult"/>.</param>
/// <param name="Response">The parsed and shape-checked response; non-null exactly when <see cref="DendriteResult.IsSuccess"/>.</param>
public sealed record DendriteResult<TResponse>(
    AxonStatus Status,
    string StatusMessage,
    ReadOnlyMemory<byte> Body,
    TimeSpan Elapsed,
    ResponseHeaders? Headers,
    ErrorBody? Error,
    TResponse? Response)
    : DendriteResult(Status, StatusMessage, Body, Elapsed, Headers, Error)
    where TResponse : class;
