// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Miner.Hosting;

/// <summary>A model the device serves.</summary>
/// <param name="Id">Model id.</param>
/// <param name="Sha256">SHA-256 of its bytes (hex).</param>
/// <param name="Loaded">Whether a warm session is up (false: it loads on first use).</param>
public sealed record AdvertisedModel(string Id, string Sha256, bool Loaded);

/// <summary>Bus work since start.</summary>
/// <param name="Puts">Sectors stored (acknowledged).</param>
/// <param name="Gets">Sectors read.</param>
/// <param name="Proves">Proof requests answered.</param>
/// <param name="ProveFailures">Proof requests answered with an error.</param>
/// <param name="InferRuns">Inference requests answered.</param>
/// <param name="Busy">Requests refused with Busy (thermal, power, reconciling, stopping).</param>
/// <param name="Errors">Other error answers.</param>
/// <param name="Dropped">Messages dropped without an answer (bad signature, no correlation id).</param>
/// <param name="CacheHits">Redeliveries answered from the correlation cache.</param>
public sealed record BusCounters(long Puts, long Gets, long Proves, long ProveFailures, long InferRuns, long Busy, long Errors, long Dropped, long CacheHits);
