// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Gateway.Fleet;

/// <summary>The life of an enrollment (fleet.md §3).</summary>
public enum EnrollmentState
{
    /// <summary>Made by <c>bte fleet preauth</c>; the key may join with token id 0 and no MAC.</summary>
    Preauthorized,

    /// <summary>Enrolled: the device may log in.</summary>
    Active,

    /// <summary>Revoked by an operator: logins and joins are refused.</summary>
    Revoked,
}

/// <summary>A join token as the gateway stores it: only the verifier, never the token.</summary>
/// <param name="TokenId">16 lowercase hex digits (8 bytes).</param>
/// <param name="Verifier">SHA-256 of the token's secret: the HMAC key.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="ExpiresAt">After this it is refused (<c>TokenExpired</c>).</param>
/// <param name="Uses">Uses it was created with.</param>
/// <param name="UsesLeft">Uses left; burned at 0.</param>
/// <param name="Board">The only board it admits, or null for any.</param>
/// <param name="Revoked">Revoked by an operator.</param>
public sealed record TokenRecord(string TokenId, byte[] Verifier, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int Uses, int UsesLeft, string? Board, bool Revoked)
{
    /// <summary>The state an operator sees: <c>revoked</c>, <c>expired</c>, <c>used</c> or <c>active</c>.</summary>
    public string StateAt(DateTimeOffset now) => Revoked ? "revoked" : now >= ExpiresAt ? "expired" : UsesLeft <= 0 ? "used" : "active";
}

/// <summary>An enrolled (or preauthorized, or revoked) device.</summary>
/// <param name="DeviceId">The device id (<c>dev-…</c>).</param>
/// <param name="DevicePub">Its Ed25519 key; the bus verifies its answers against this.</param>
/// <param name="Board">Board profile id.</param>
/// <param name="Serial">Board serial number from the hello (empty for a preauthorization not yet joined).</param>
/// <param name="Fw">bte-miner version from the hello.</param>
/// <param name="EnrolledAt">When it joined (or was preauthorized).</param>
/// <param name="TokenId">The token it joined with, 16 hex digits; all zero for a preauthorized key.</param>
/// <param name="State">Its state.</param>
/// <param name="LastLoginUnixS">The time of the last accepted MQTT login; a login must be newer (0: none yet).</param>
/// <param name="RevokedAt">When it was revoked.</param>
public sealed record EnrollmentRecord(
    string DeviceId,
    PublicKey DevicePub,
    string Board,
    string Serial,
    string Fw,
    DateTimeOffset EnrolledAt,
    string TokenId,
    EnrollmentState State,
    long LastLoginUnixS,
    DateTimeOffset? RevokedAt)
{
    /// <summary>The token id of a preauthorized key: 8 zero bytes.</summary>
    public const string PreauthorizedTokenId = "0000000000000000";
}
