// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bittensor.Edge.Protocol.Fleet;

/// <summary>
/// One message of the join exchange (fleet.md §3) on <c>{base}/join/{clientId}/req|resp</c>: JSON with a <c>type</c>
/// member (<c>hello</c>, <c>challenge</c>, <c>proof</c>, <c>accepted</c>, <c>rejected</c>) and binary fields in base64.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(JoinHello), "hello")]
[JsonDerivedType(typeof(JoinChallenge), "challenge")]
[JsonDerivedType(typeof(JoinProof), "proof")]
[JsonDerivedType(typeof(JoinAccepted), "accepted")]
[JsonDerivedType(typeof(JoinRejected), "rejected")]
public abstract record JoinMessage
{
    /// <summary>The UTF-8 JSON of <paramref name="message"/>.</summary>
    public static byte[] Encode(JoinMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, FleetJsonContext.Default.JoinMessage);

    /// <summary>Parses a join message; false (never an exception) for anything malformed.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> utf8, out JoinMessage? message)
    {
        try
        {
            message = JsonSerializer.Deserialize(utf8, FleetJsonContext.Default.JoinMessage);
            return message is not null;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            // NotSupportedException: the type discriminator is missing or unknown.
            message = null;
            return false;
        }
    }
}

/// <summary>Device → gateway: who I am.</summary>
/// <param name="DevicePub">32-byte Ed25519 public key.</param>
/// <param name="Board">The board profile id (<c>rpi4</c>, ...).</param>
/// <param name="Serial">The board serial number.</param>
/// <param name="Fw">The bte-miner version.</param>
/// <param name="ClientNonce">32 random bytes.</param>
public sealed record JoinHello(byte[] DevicePub, string Board, string Serial, string Fw, byte[] ClientNonce) : JoinMessage;

/// <summary>Gateway → device: the gateway's key, a fresh nonce, and its signature over <see cref="JoinTranscript.Challenge"/>.</summary>
/// <param name="GatewayPub">The gateway's bus key (the device compares it with its pinned key).</param>
/// <param name="ServerNonce">32 random bytes, valid 60 s, once.</param>
/// <param name="Sig">64-byte signature.</param>
public sealed record JoinChallenge(byte[] GatewayPub, byte[] ServerNonce, byte[] Sig) : JoinMessage;

/// <summary>Device → gateway: proof of the token (HMAC) and of the device key (signature) over <see cref="JoinTranscript.Proof"/>.</summary>
/// <param name="TokenId">8 bytes; all zero for a preauthorized key.</param>
/// <param name="Sig">64-byte device signature.</param>
/// <param name="Mac">HMAC-SHA256 keyed by the token verifier; null (absent) for a preauthorized key.</param>
public sealed record JoinProof(byte[] TokenId, byte[] Sig, byte[]? Mac = null) : JoinMessage;

/// <summary>Gateway → device: enrolled.</summary>
/// <param name="DeviceId">The device id (<see cref="DeviceIds"/>).</param>
/// <param name="Sig">Gateway signature over <see cref="JoinTranscript.Accepted"/>.</param>
public sealed record JoinAccepted(string DeviceId, byte[] Sig) : JoinMessage;

/// <summary>Gateway → device: refused, with one of <see cref="JoinRejectReasons"/>.</summary>
/// <param name="Reason">Why.</param>
public sealed record JoinRejected(string Reason) : JoinMessage;

/// <summary>The reasons of <see cref="JoinRejected"/> (fleet.md §3).</summary>
public static class JoinRejectReasons
{
    /// <summary>No token with that id.</summary>
    public const string TokenUnknown = "TokenUnknown";

    /// <summary>Past its time to live.</summary>
    public const string TokenExpired = "TokenExpired";

    /// <summary>No uses left.</summary>
    public const string TokenUsed = "TokenUsed";

    /// <summary>Revoked by an operator.</summary>
    public const string TokenRevoked = "TokenRevoked";

    /// <summary>The token is limited to other boards.</summary>
    public const string BoardNotAllowed = "BoardNotAllowed";

    /// <summary>The MAC, the signature or the nonce did not check out, or the message was malformed.</summary>
    public const string BadProof = "BadProof";

    /// <summary>Too many join attempts from this address.</summary>
    public const string RateLimited = "RateLimited";
}
