// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Protocol.Synapses;

/// <summary><c>Health</c> request: the empty object <c>{}</c>.</summary>
public sealed record HealthRequest : ISynapseMessage
{
    /// <inheritdoc/>
    public DomainError? Validate() => null;
}

/// <summary>Storage part of <see cref="HealthResponse"/>: <c>{sectors, freeBytes}</c>.</summary>
/// <param name="Sectors">Sectors held.</param>
/// <param name="FreeBytes">Bytes still available for new sectors.</param>
public sealed record StorageSummary(ulong Sectors, ulong FreeBytes);

/// <summary>Inference part of <see cref="HealthResponse"/>: <c>{models: [id]}</c>.</summary>
/// <param name="Models">Ids of the models ready to serve.</param>
public sealed record InferenceSummary(IReadOnlyList<string> Models);

/// <summary>
/// <c>Health</c> response: <c>{version, uptimeS, bestBlockSeen, hotkey, storage, inference, devicesOnline}</c>.
/// </summary>
/// <param name="Version">Software version text, e.g. <c>0.1.0</c>.</param>
/// <param name="UptimeS">Whole seconds since the axon started.</param>
/// <param name="BestBlockSeen">The best block the host has seen.</param>
/// <param name="Hotkey">The axon's hotkey, SS58.</param>
/// <param name="Storage">Storage capacity summary.</param>
/// <param name="Inference">Models ready to serve.</param>
/// <param name="DevicesOnline">Edge devices online behind this axon (0 for a standalone miner).</param>
public sealed record HealthResponse(
    string Version,
    ulong UptimeS,
    ulong BestBlockSeen,
    string Hotkey,
    StorageSummary Storage,
    InferenceSummary Inference,
    int DevicesOnline) : ISynapseMessage
{
    /// <inheritdoc/>
    public DomainError? Validate() =>
        DevicesOnline < 0 ? DomainError.BadInput("devicesOnline must not be negative.") : null;
}
