// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Protocol.Signing;

/// <summary>
/// Header names of specs/protocol.md §3.2 (request) and §3.6 (response). HTTP header names are case-insensitive;
/// these are the spellings we send.
/// </summary>
public static class HeaderNames
{
    /// <summary>Request: the synapse name, equal to the route.</summary>
    public const string Name = "name";

    /// <summary>Request: timeout in decimal seconds, 0 &lt; t ≤ 120.</summary>
    public const string Timeout = "timeout";

    /// <summary>Request and response: lowercase hex SHA-256 of the raw body bytes.</summary>
    public const string ComputedBodyHash = "computed_body_hash";

    /// <summary>Request: the caller's hotkey, SS58.</summary>
    public const string DendriteHotkey = "bt_header_dendrite_hotkey";

    /// <summary>Request: decimal u64, wall-clock ns since the Unix epoch.</summary>
    public const string DendriteNonce = "bt_header_dendrite_nonce";

    /// <summary>Request: RFC 4122 UUID text, a fresh v4 per request.</summary>
    public const string DendriteUuid = "bt_header_dendrite_uuid";

    /// <summary>Request: major·10⁶ + minor·10³ + patch.</summary>
    public const string DendriteVersion = "bt_header_dendrite_version";

    /// <summary>Request: <c>0x</c> + 128 hex, Ed25519 over the signed message.</summary>
    public const string DendriteSignature = "bt_header_dendrite_signature";

    /// <summary>Request: the hotkey the caller means to reach, SS58. Response: the axon's hotkey.</summary>
    public const string AxonHotkey = "bt_header_axon_hotkey";

    /// <summary>Response: the HTTP status code, decimal.</summary>
    public const string AxonStatusCode = "bt_header_axon_status_code";

    /// <summary>Response: a short status message.</summary>
    public const string AxonStatusMessage = "bt_header_axon_status_message";

    /// <summary>Response: seconds the axon spent on the request, decimal.</summary>
    public const string AxonProcessTime = "bt_header_axon_process_time";

    /// <summary>Response: the axon's nonce, decimal ns since the Unix epoch.</summary>
    public const string AxonNonce = "bt_header_axon_nonce";

    /// <summary>Response: a fresh UUID per response.</summary>
    public const string AxonUuid = "bt_header_axon_uuid";

    /// <summary>Response: <c>0x</c> + 128 hex, Ed25519 over the response message.</summary>
    public const string AxonSignature = "bt_header_axon_signature";
}
