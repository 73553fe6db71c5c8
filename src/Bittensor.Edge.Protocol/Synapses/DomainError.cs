// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Protocol.Synapses;

/// <summary>
/// An expected failure of a synapse: the axon answers <see cref="Status"/> (422 unless the error says otherwise)
/// with body <c>{"error":"<see cref="Code"/>","message":"<see cref="Message"/>"}</c> (specs/protocol.md §3.3 step 10).
/// </summary>
/// <param name="Code">A code from <see cref="DomainErrorCodes"/> or a handler's own PascalCase code.</param>
/// <param name="Message">Human-readable detail; never secrets.</param>
/// <param name="Status">The HTTP status to answer with.</param>
public readonly record struct DomainError(string Code, string Message, AxonStatus Status = AxonStatus.UnprocessableEntity)
{
    /// <summary>A <see cref="DomainErrorCodes.BadInput"/> error (422).</summary>
    public static DomainError BadInput(string message) => new(DomainErrorCodes.BadInput, message);

    /// <summary>The body to send for this error.</summary>
    public ErrorBody ToBody() => new(Code, Message);
}

/// <summary>Domain error codes named in the specs (protocol.md §3.3, storage-proofs.md, inference.md).</summary>
public static class DomainErrorCodes
{
    /// <summary>A request whose shape is wrong (sizes, ranges, tensor bytes). 422.</summary>
    public const string BadInput = "BadInput";

    /// <summary>StoreChunk data does not hash to the given root. 422.</summary>
    public const string RootMismatch = "RootMismatch";

    /// <summary>RetrieveChunk or StorageChallenge names a sector this miner does not hold. 422.</summary>
    public const string UnknownSector = "UnknownSector";

    /// <summary>StorageChallenge with k over 64, a count other than k, or a root the caller did not store. 422.</summary>
    public const string BadChallenge = "BadChallenge";

    /// <summary>Inference model id unknown or its SHA-256 differs from the registry's. 422.</summary>
    public const string UnknownModel = "UnknownModel";

    /// <summary>The model is known but not loaded anywhere. 503.</summary>
    public const string ModelNotReady = "ModelNotReady";

    /// <summary>Every device able to serve is saturated. 503.</summary>
    public const string Busy = "Busy";

    /// <summary>The request's deadline passed before it ran. 408.</summary>
    public const string DeadlineExceeded = "DeadlineExceeded";

    /// <summary>Fewer eligible devices than the replicas a store needs. 503.</summary>
    public const string InsufficientReplicas = "InsufficientReplicas";
}

/// <summary>The JSON body of every non-200 axon answer: <c>{"error":"…","message":"…"}</c>.</summary>
/// <param name="Error">The error code (a <see cref="DomainErrorCodes"/> value or a pipeline code such as <c>WrongAxon</c>).</param>
/// <param name="Message">Human-readable detail.</param>
public sealed record ErrorBody(string Error, string Message);

/// <summary>A synapse message that can check its own shape before any handler sees it.</summary>
public interface ISynapseMessage
{
    /// <summary>
    /// Checks sizes, ranges and required fields; returns <see langword="null"/> when the message is well formed, or
    /// the error to answer with (usually <see cref="DomainErrorCodes.BadInput"/>).
    /// </summary>
    DomainError? Validate();
}
