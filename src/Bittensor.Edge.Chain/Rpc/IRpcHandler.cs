// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Chain.Rpc;

/// <summary>
/// Answers JSON-RPC 2.0 requests given as UTF-8 bytes (the body of <c>POST /rpc</c>, specs/protocol.md §2.8). The
/// HTTP host only copies bytes in and out: it answers 200 with the returned bytes as <c>application/json</c>, or 204
/// with no body when they are empty (a notification, or a batch of notifications, gets no response).
/// </summary>
/// <remarks>
/// Implementations never throw for any input: malformed JSON and bad requests are JSON-RPC errors, and an unexpected
/// failure is −32603 without internals. Only cancellation of <c>cancellationToken</c> (the client went away) may end the call
/// with <see cref="OperationCanceledException"/>. Thread-safe: a host calls it from many requests at once.
/// </remarks>
public interface IRpcHandler
{
    /// <summary>Handles one request or batch and returns the response bytes (empty: no response).</summary>
    ValueTask<byte[]> HandleAsync(ReadOnlyMemory<byte> requestUtf8, CancellationToken cancellationToken = default);
}
