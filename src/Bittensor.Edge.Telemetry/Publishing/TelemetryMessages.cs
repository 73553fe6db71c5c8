// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;

namespace Bittensor.Edge.Telemetry.Publishing;

/// <summary>
/// One telemetry sample (fleet.md §4 <c>…/telemetry</c>, QoS 0; buffered samples go out as arrays on
/// <c>…/telemetry/backfill</c>). JSON with camelCase names; null members are omitted. The Home Assistant sensors of §8
/// read these names, so renaming one is a breaking change. <see cref="Ts"/> identifies a sample: a reader that sees it
/// twice (a QoS 1 backfill redelivered after a lost PUBACK) keeps one.
/// </summary>
/// <param name="Ts">Unix milliseconds when sampled.</param>
/// <param name="SocTempC">SoC temperature, °C.</param>
/// <param name="GpuTempC">GPU temperature, °C (Jetson); null elsewhere.</param>
/// <param name="CpuLoadPct">CPU load, 0–100 %.</param>
/// <param name="MemUsedPct">RAM in use, 0–100 %.</param>
/// <param name="DiskUsedPct">Data partition in use, 0–100 %.</param>
/// <param name="Throttled">Whether the board throttles now (throttled bits 1–3, or the thermal policy on boards without them).</param>
/// <param name="UnderVoltage">Whether under-voltage is reported now (throttled bit 0 / <c>rpi_volt</c>).</param>
/// <param name="ThrottledWord">The raw Pi <c>get_throttled</c> word; null on boards without it.</param>
/// <param name="BytesWrittenToday">Bytes written since local midnight (SD wear budget); the miner reports what it wrote to block devices itself (<c>/proc/self/io</c> <c>write_bytes</c>), 0 where the kernel does not account it.</param>
/// <param name="ChallengesPassed">Storage challenges answered correctly since the previous sample.</param>
/// <param name="ChallengesFailed">Storage challenges failed or missed since the previous sample.</param>
/// <param name="ChallengePassRatePct">Pass rate over a recent window, 0–100 %; null before any challenge.</param>
/// <param name="InferenceRps">Inference items per second since the previous sample.</param>
/// <param name="InferenceP95Ms">95th percentile inference latency, ms; null without requests.</param>
/// <param name="UptimeS">Seconds since the miner started.</param>
public sealed record TelemetrySample(
    long Ts,
    double? SocTempC = null,
    double? GpuTempC = null,
    double? CpuLoadPct = null,
    double? MemUsedPct = null,
    double? DiskUsedPct = null,
    bool Throttled = false,
    bool UnderVoltage = false,
    uint? ThrottledWord = null,
    long BytesWrittenToday = 0,
    long ChallengesPassed = 0,
    long ChallengesFailed = 0,
    double? ChallengePassRatePct = null,
    double? InferenceRps = null,
    double? InferenceP95Ms = null,
    long UptimeS = 0);

/// <summary>
/// The retained state document (fleet.md §4 <c>…/state</c>): what the device is and does now. Published on change (the
/// miner keeps changes ≥ 5 s apart and republishes every 10 min, fleet.md §2) and after every birth; never backfilled.
/// </summary>
/// <param name="Ts">Unix milliseconds when written.</param>
/// <param name="Role">The device's role, <c>miner</c>.</param>
/// <param name="MinerState">One of <see cref="DeviceStates.MinerStates"/>; explains why a device earns nothing.</param>
/// <param name="ThermalState">One of <see cref="DeviceStates.ThermalStates"/>.</param>
/// <param name="PowerOk">False while under-voltage pauses storage ingest.</param>
/// <param name="Slot">The running A/B slot, <c>a</c> or <c>b</c>.</param>
/// <param name="Version">The running software version.</param>
/// <param name="Models">Model ids advertised for inference (empty while hot).</param>
/// <param name="StoreBytes">Bytes of sectors stored.</param>
/// <param name="CapacityBytes">Bytes the store may use.</param>
/// <param name="Sectors">Sectors stored.</param>
/// <param name="RewardSharePct">This device's share of the miner uid's reward, 0–100 %, from the gateway's <c>share</c> topic; null until known.</param>
public sealed record DeviceState(
    long Ts,
    string Role,
    string MinerState,
    string ThermalState,
    bool PowerOk,
    string Slot,
    string Version,
    IReadOnlyList<string> Models,
    long StoreBytes,
    long CapacityBytes,
    long Sectors,
    double? RewardSharePct = null);

/// <summary>
/// One event (fleet.md §4 <c>…/event</c>, QoS 1): thermal transitions, update results, errors. Written to the outbox before
/// it is sent, so it survives an outage or a crash.
/// </summary>
/// <param name="Ts">Unix milliseconds when it happened.</param>
/// <param name="Type">What happened, e.g. <c>thermal</c>, <c>update.result</c>, <c>error</c>.</param>
/// <param name="Message">A line for people; null for none.</param>
/// <param name="Data">Structured detail, e.g. <c>{"ok":true}</c> for <c>update.result</c>; null for none.</param>
public sealed record DeviceEvent(long Ts, string Type, string? Message = null, JsonElement? Data = null);

/// <summary>The enumerated values of <see cref="DeviceState"/> that Home Assistant's enum sensors list as options.</summary>
public static class DeviceStates
{
    /// <summary>Thermal policy states of fleet.md §2.</summary>
    public static IReadOnlyList<string> ThermalStates { get; } = ["normal", "warm", "hot", "critical"];

    /// <summary>
    /// Miner states: <c>starting</c>, <c>waiting-for-time</c> (no NTP sync), <c>joining</c>, <c>connecting</c>,
    /// <c>reconciling</c>, <c>working</c>, <c>degraded</c> (thermal or power limits), <c>updating</c>, <c>revoked</c>,
    /// <c>error</c>, <c>stopping</c>.
    /// </summary>
    public static IReadOnlyList<string> MinerStates { get; } =
        ["starting", "waiting-for-time", "joining", "connecting", "reconciling", "working", "degraded", "updating", "revoked", "error", "stopping"];
}
