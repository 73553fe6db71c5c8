// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Verification;

namespace Bittensor.Edge.Axon;

/// <summary>Settings of an axon host (specs/protocol.md §3).</summary>
public sealed record AxonOptions
{
    /// <summary>Address to bind; any IPv4 address by default.</summary>
    public IPAddress Address { get; init; } = IPAddress.Any;

    /// <summary>Port to bind, 8091 by default; 0 picks a free port (tests).</summary>
    public int Port { get; init; } = ProtocolConstants.DefaultPort;

    /// <summary>Least stake, in rao, a data-synapse caller needs (§3.3 step 3); 0 by default.</summary>
    public ulong MinStakeRao { get; init; }

    /// <summary>Token-bucket budgets per hotkey (§3.3 step 4).</summary>
    public RateLimitOptions RateLimit { get; init; } = new();

    /// <summary>Handlers running at once (§3.3 step 9); 4 per processor by default.</summary>
    public int MaxConcurrentHandlers { get; init; } = 4 * Environment.ProcessorCount;

    /// <summary>Requests waiting for a handler slot before the axon answers 503; 256 by default.</summary>
    public int MaxQueuedRequests { get; init; } = 256;

    /// <summary>Most (hotkey, uuid) nonce keys (§3.4); 200 000 by default.</summary>
    public int NonceCapacity { get; init; } = ProtocolConstants.MaxNonceKeys;

    /// <summary>Software version reported by <c>Health</c>.</summary>
    public string Version { get; init; } = "0.1.0";

    /// <summary>Checks every setting; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Address);
        ArgumentNullException.ThrowIfNull(RateLimit);
        ArgumentNullException.ThrowIfNull(Version);
        if (Port is < 0 or > 65_535)
        {
            ThrowHelper.ThrowArgument(nameof(Port), "Port must be 0..65535.");
        }

        if (MaxConcurrentHandlers <= 0)
        {
            ThrowHelper.ThrowArgument(nameof(MaxConcurrentHandlers), "At least one handler must be able to run.");
        }

        if (MaxQueuedRequests < 0)
        {
            ThrowHelper.ThrowArgument(nameof(MaxQueuedRequests), "The queue length cannot be negative.");
        }

        if (NonceCapacity <= 0)
        {
            ThrowHelper.ThrowArgument(nameof(NonceCapacity), "The nonce table needs room for at least one key.");
        }

        RateLimit.Validate();
    }
}
