// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Protocol;

/// <summary>Limits and defaults of the axon/dendrite wire protocol (specs/protocol.md §3).</summary>
public static class ProtocolConstants
{
    /// <summary>The axon's default TCP port (§3.1).</summary>
    public const int DefaultPort = 8091;

    /// <summary>The largest request body an axon accepts, 8 MiB (§3.1); larger gets 413.</summary>
    public const int MaxBodyBytes = 8 * 1024 * 1024;

    /// <summary>
    /// Protocol version sent in <c>bt_header_dendrite_version</c>: major·10⁶ + minor·10³ + patch (§3.2), here 0.1.0.
    /// </summary>
    public const uint Version = 1_000;

    /// <summary>Nanoseconds in one second, the unit of nonces (§3.2).</summary>
    public const long NanosecondsPerSecond = 1_000_000_000;

    /// <summary>Allowed clock skew Δ of the nonce window (§3.4).</summary>
    public static readonly TimeSpan NonceSkew = TimeSpan.FromSeconds(4);

    /// <summary>How long a nonce key is kept after its last nonce, beyond Δ (§3.4).</summary>
    public static readonly TimeSpan NonceRetention = TimeSpan.FromSeconds(120);

    /// <summary>Most (hotkey, uuid) keys the nonce store keeps (§3.4); a new key beyond that gets 503.</summary>
    public const int MaxNonceKeys = 200_000;

    /// <summary>The request timeout when neither the header nor a synapse default gives one (§3.7).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(12);

    /// <summary>The largest request timeout a caller may ask for (§3.2).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(120);

    /// <summary>How long past the request timeout the dendrite still waits for an answer (§3.5).</summary>
    public static readonly TimeSpan DendriteGrace = TimeSpan.FromMilliseconds(500);
}
