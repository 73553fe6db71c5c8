// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Miner.Hosting;

/// <summary>
/// The retained state document on <c>{base}/dev/{id}/state</c> (fleet.md §4): what the gateway, <c>bte fleet status</c>
/// and Home Assistant need to explain what the device does and why it might earn nothing.
/// </summary>
/// <param name="DeviceId">The device id.</param>
/// <param name="Board">The board profile id.</param>
/// <param name="Role">What it serves: <c>storage+inference</c>, or <c>storage</c> while inference is withdrawn.</param>
/// <param name="Version">The bte-miner version.</param>
/// <param name="MinerState">The lifecycle state (<c>online</c>, <c>reconciling</c>, ...).</param>
/// <param name="Detail">A line on that state, or null.</param>
/// <param name="Thermal">The thermal state (<c>normal</c>, <c>warm</c>, <c>hot</c>, <c>critical</c>).</param>
/// <param name="TemperatureC">The policy temperature, or null before a reading.</param>
/// <param name="PowerOk">False while under-voltage is reported.</param>
/// <param name="Throttled">The throttled word as <c>0x…</c>, or null where the board has none.</param>
/// <param name="Models">Models served now; empty while hot or critical (withdrawn).</param>
/// <param name="Capacity">The sector store's use, or null while it reconciles.</param>
/// <param name="Ts">Unix milliseconds when written.</param>
public sealed record DeviceStateDocument(
    string DeviceId,
    string Board,
    string Role,
    string Version,
    string MinerState,
    string? Detail,
    string Thermal,
    double? TemperatureC,
    bool PowerOk,
    string? Throttled,
    IReadOnlyList<AdvertisedModel> Models,
    StoreCapacity? Capacity,
    long Ts);

/// <summary>A model the device serves.</summary>
/// <param name="Id">Model id.</param>
/// <param name="Sha256">SHA-256 of its bytes (hex).</param>
/// <param name="Loaded">Whether a warm session is up (false: it loads on first use).</param>
public sealed record AdvertisedModel(string Id, string Sha256, bool Loaded);

/// <summary>The sector store's use.</summary>
/// <param name="Sectors">Sectors stored.</param>
/// <param name="QuotaSectors">The quota in sectors.</param>
/// <param name="StoreBytes">Bytes of sector data stored.</param>
/// <param name="FreeBytes">Bytes left under the quota.</param>
public sealed record StoreCapacity(long Sectors, long QuotaSectors, long StoreBytes, long FreeBytes);

/// <summary>One telemetry sample on <c>{base}/dev/{id}/telemetry</c> (QoS 0).</summary>
/// <param name="Ts">Unix milliseconds.</param>
/// <param name="SocTempC">The policy temperature.</param>
/// <param name="Thermal">The thermal state.</param>
/// <param name="Load1">The 1-minute load average, or null where unreadable.</param>
/// <param name="MemUsedPct">RAM in use, percent, or null where unreadable.</param>
/// <param name="DiskFreeBytes">Free bytes on the data partition, or null.</param>
/// <param name="Throttled">The throttled word, or null.</param>
/// <param name="UnderVoltage">Whether under-voltage is reported now.</param>
/// <param name="Sectors">Sectors stored.</param>
/// <param name="Counters">Bus work since start.</param>
/// <param name="UptimeS">Seconds since start.</param>
public sealed record TelemetrySample(
    long Ts,
    double? SocTempC,
    string Thermal,
    double? Load1,
    double? MemUsedPct,
    long? DiskFreeBytes,
    string? Throttled,
    bool UnderVoltage,
    long Sectors,
    BusCounters Counters,
    long UptimeS);

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

/// <summary>An event on <c>{base}/dev/{id}/event</c> (QoS 1): thermal transitions, joins, errors.</summary>
/// <param name="Kind">What happened (<c>thermal</c>, <c>power</c>, <c>store</c>, ...).</param>
/// <param name="Message">A line for people.</param>
/// <param name="Ts">Unix milliseconds.</param>
public sealed record DeviceEvent(string Kind, string Message, long Ts);
