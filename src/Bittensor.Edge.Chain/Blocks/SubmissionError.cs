// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Chain.Blocks;

/// <summary>Why the pool refused a transaction; the values are the JSON-RPC error codes of specs/protocol.md §2.8.</summary>
public enum SubmissionError
{
    /// <summary>Accepted.</summary>
    None = 0,

    /// <summary>The signature does not verify for this network.</summary>
    BadSignature = 1001,

    /// <summary>The nonce is below the account nonce.</summary>
    StaleNonce = 1002,

    /// <summary>The nonce is 16 or more above the account nonce.</summary>
    NonceTooFarAhead = 1003,

    /// <summary><c>valid_until</c> is outside <c>best+1 ..= best+128</c>.</summary>
    Mortality = 1004,

    /// <summary>A paid call whose signer cannot pay the fee.</summary>
    CannotPayFee = 1005,

    /// <summary>The pool holds 8 192 transactions, or 16 of this account.</summary>
    PoolFull = 1006,

    /// <summary>The bytes are not an extrinsic.</summary>
    BadEncoding = 1007,

    /// <summary>The pool already holds this transaction, or another with the same signer and nonce.</summary>
    AlreadyKnown = 1008,

    /// <summary>A block argument names no known block (RPC only).</summary>
    UnknownBlock = 1009,

    /// <summary>A free call whose signer holds no uid anywhere.</summary>
    NotRegisteredHotkey = 1010,
}
