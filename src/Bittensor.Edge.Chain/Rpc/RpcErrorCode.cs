// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Blocks;

namespace Bittensor.Edge.Chain.Rpc;

/// <summary>
/// The JSON-RPC error codes of specs/protocol.md §2.8: the standard ones, and the submission errors 1001–1010 (the
/// values of <see cref="SubmissionError"/>). Each error object carries <c>{code, message, data: {name}}</c>, where
/// <c>name</c> is the name given here.
/// </summary>
public static class RpcErrorCode
{
    /// <summary>The body is not JSON.</summary>
    public const int ParseError = -32700;

    /// <summary>The JSON is not a JSON-RPC 2.0 request.</summary>
    public const int InvalidRequest = -32600;

    /// <summary>No such method.</summary>
    public const int MethodNotFound = -32601;

    /// <summary>Missing, extra or malformed parameters.</summary>
    public const int InvalidParams = -32602;

    /// <summary>An unexpected failure inside the node (no details are given).</summary>
    public const int InternalError = -32603;

    /// <summary>The name of <paramref name="code"/>, such as <c>InvalidParams</c> or <c>BadSignature</c>; <c>Error</c> when unknown.</summary>
    public static string NameOf(int code) => code switch
    {
        ParseError => "ParseError",
        InvalidRequest => "InvalidRequest",
        MethodNotFound => "MethodNotFound",
        InvalidParams => "InvalidParams",
        InternalError => "InternalError",
        >= (int)SubmissionError.BadSignature and <= (int)SubmissionError.NotRegisteredHotkey => ((SubmissionError)code).ToString(),
        _ => "Error",
    };
}

/// <summary>A JSON-RPC error: code, name (<see cref="RpcErrorCode.NameOf"/>) and a message for people.</summary>
/// <param name="Code">The code.</param>
/// <param name="Message">What went wrong and, where it helps, what to do.</param>
public readonly record struct RpcError(int Code, string Message)
{
    /// <summary>The code's name.</summary>
    public string Name => RpcErrorCode.NameOf(Code);

    internal static RpcError Params(string message) => new(RpcErrorCode.InvalidParams, message);

    internal static RpcError UnknownBlock(string message) => new((int)SubmissionError.UnknownBlock, message);
}
