// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Bittensor.Edge.Boards.Watchdog;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Miner.Hosting;
using Bittensor.Edge.Miner.Models;
using Bittensor.Edge.Protocol.Fleet;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Miner.Bus;

/// <summary>One inbound bus message as the transport hands it over.</summary>
/// <param name="Payload">The signed envelope (fleet.md §5).</param>
/// <param name="CorrelationId">The MQTT 5 CorrelationData (16 bytes), or null when absent.</param>
/// <param name="ResponseTopic">The MQTT 5 ResponseTopic, or null.</param>
/// <param name="CommandName">For a <c>cmd/{name}</c> message, the name; null for an <c>rpc/req</c>.</param>
public sealed record BusRequest(ReadOnlyMemory<byte> Payload, ReadOnlyMemory<byte>? CorrelationId, string? ResponseTopic, string? CommandName = null);

/// <summary>What a command asks the device to do; the host carries it out.</summary>
public interface IBusCommandSink
{
    /// <summary><c>identify</c>: 10 Hz LED for 30 s.</summary>
    void Identify();

    /// <summary><c>rebirth</c>: republish birth, discovery and state.</summary>
    void Rebirth();

    /// <summary><c>config.set</c>: a new telemetry period (already validated).</summary>
    void ConfigSet(int telemetryPeriodS);

    /// <summary><c>revoke</c>: stop work, keep data.</summary>
    void Revoke();

    /// <summary><c>restart</c>: stop cleanly so systemd starts the service again.</summary>
    void Restart();
}

/// <summary>
/// The device side of the bus (fleet.md §5), free of any transport: an inbound envelope with its correlation id goes in,
/// the device-signed response envelope (or nothing) comes out. It verifies the gateway's signature against the pinned key
/// (a bad or missing one is dropped and logged, never answered), parses the header, ignores what is past its
/// <c>deadlineUnixMs</c> (an RPC gets <c>DeadlineExceeded</c>), answers QoS 1 redeliveries from the
/// <see cref="CorrelationCache"/>, applies the thermal and power rules (<c>Busy</c>), and runs <c>storage.*</c> over the
/// sector store and <c>infer.run</c> over the inference service, each failure a clear <see cref="BusErrors"/> code.
/// </summary>
/// <remarks>
/// Thread-safe: the transport may call <see cref="HandleAsync"/> concurrently; at most <c>bus:maxConcurrentRequests</c>
/// requests do work at once, and each one is tracked by the watchdog health until it finishes. Nothing here throws for
/// bad input. Owns neither the key, the store nor the inference service.
/// </remarks>
public sealed partial class BusDispatcher : IDisposable
{
    private readonly Ed25519KeyPair _deviceKey;
    private readonly PublicKey _gatewayKey;
    private readonly IClock _clock;
    private readonly DeviceStatus _status;
    private readonly WatchdogHealth _health;
    private readonly StoreHolder _store;
    private readonly IInferenceService _inference;
    private readonly IBusCommandSink _commands;
    private readonly ILogger _logger;
    private readonly CorrelationCache _cache;
    private readonly SemaphoreSlim _slots;
    private long _puts;
    private long _gets;
    private long _proves;
    private long _proveFailures;
    private long _inferRuns;
    private readonly Hosting.LatencyWindow _inferLatency = new();
    private long _busy;
    private long _errors;
    private long _dropped;
    private long _cacheHits;

    /// <summary>A dispatcher answering with <paramref name="deviceKey"/> to requests signed by <paramref name="gatewayKey"/>.</summary>
    public BusDispatcher(
        Ed25519KeyPair deviceKey,
        PublicKey gatewayKey,
        IClock clock,
        DeviceStatus status,
        WatchdogHealth health,
        StoreHolder store,
        IInferenceService inference,
        IBusCommandSink commands,
        int maxConcurrentRequests,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(deviceKey);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(inference);
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentRequests, 1);
        _deviceKey = deviceKey;
        _gatewayKey = gatewayKey;
        _clock = clock;
        _status = status;
        _health = health;
        _store = store;
        _inference = inference;
        _commands = commands;
        _logger = logger;
        _cache = new CorrelationCache(clock);
        _slots = new SemaphoreSlim(maxConcurrentRequests, maxConcurrentRequests);
    }

    /// <summary>
    /// The 95th percentile of <c>infer.run</c> latencies (arrival at the handler to answer) since the last call, in ms;
    /// null when none ran. For telemetry's <c>inferenceP95Ms</c>.
    /// </summary>
    public double? TakeInferenceP95Ms() => _inferLatency.TakeP95();

    /// <summary>Bus work since start, for telemetry.</summary>
    public BusCounters Counters => new(
        Interlocked.Read(ref _puts),
        Interlocked.Read(ref _gets),
        Interlocked.Read(ref _proves),
        Interlocked.Read(ref _proveFailures),
        Interlocked.Read(ref _inferRuns),
        Interlocked.Read(ref _busy),
        Interlocked.Read(ref _errors),
        Interlocked.Read(ref _dropped),
        Interlocked.Read(ref _cacheHits));

    /// <summary>
    /// Handles one message. Returns the signed response envelope to publish on the request's ResponseTopic with the same
    /// CorrelationData, or null when nothing is to be sent (a dropped message, a command, a request past its deadline
    /// whose id cannot be answered).
    /// </summary>
    public async Task<byte[]?> HandleAsync(BusRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.CorrelationId is not { Length: BusEnvelope.CorrelationIdSize } correlationMemory)
        {
            Interlocked.Increment(ref _dropped);
            Log.BusDropped(_logger, request.CommandName ?? "rpc", "no 16-byte CorrelationData");
            return null;
        }

        byte[] correlation = correlationMemory.ToArray();
        if (!BusEnvelope.TryOpen(request.Payload, correlation, _gatewayKey, out BusEnvelope envelope, out BusEnvelopeError error))
        {
            Interlocked.Increment(ref _dropped);
            Log.BusDropped(_logger, request.CommandName ?? "rpc", error == BusEnvelopeError.BadSignature ? "not signed by the pinned gateway key" : $"malformed envelope ({error})");
            return null;
        }

        if (request.CommandName is not null)
        {
            HandleCommand(request.CommandName, envelope);
            return null;
        }

        Task<byte[]?> reply = _cache.GetOrRun(correlation, () => AnswerAsync(correlation, envelope, cancellationToken), out bool hit);
        if (hit)
        {
            Interlocked.Increment(ref _cacheHits);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                string id = Convert.ToHexStringLower(correlation);
                Log.BusRedelivery(_logger, id);
            }
        }

        return await reply.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose() => _slots.Dispose();

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A handler bug answers Internal and is logged; one request must never take the bus down.")]
    private async Task<byte[]?> AnswerAsync(byte[] correlation, BusEnvelope envelope, CancellationToken cancellationToken)
    {
        BusRequestHeader header;
        try
        {
            header = BusRequestHeader.Decode(envelope.Header.Span);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Seal(correlation, Fail(BusErrors.BadRequest, $"The header does not parse: {e.Message}"));
        }

        TimeSpan remaining = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(header.DeadlineUnixMs, 0, 253402300799999)) - _clock.UtcNow;
        if (remaining <= TimeSpan.Zero)
        {
            return Seal(correlation, Fail(BusErrors.DeadlineExceeded, $"'{header.Method}' arrived {(-remaining).TotalMilliseconds:F0} ms after its deadline."));
        }

        TimeSpan started = _clock.Elapsed;
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using HandlerScope scope = _health.BeginHandler("bus", remaining);
            Reply reply;
            try
            {
                reply = await DispatchAsync(header, envelope.Body, remaining, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                reply = Fail(BusErrors.BadRequest, $"'{header.Method}' params do not parse: {e.Message}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                Log.BusHandlerFailed(_logger, e, header.Method);
                reply = Fail(BusErrors.Internal, $"'{header.Method}' failed on the device: {e.Message}");
            }

            if (_logger.IsEnabled(LogLevel.Debug))
            {
                string id = Convert.ToHexStringLower(correlation);
                string outcome = reply.Error ?? "ok";
                double ms = (_clock.Elapsed - started).TotalMilliseconds;
                Log.BusAnswered(_logger, header.Method, id, outcome, ms);
            }

            return Seal(correlation, reply);
        }
        finally
        {
            _slots.Release();
        }
    }

    private Task<Reply> DispatchAsync(BusRequestHeader header, ReadOnlyMemory<byte> body, TimeSpan remaining, CancellationToken cancellationToken) => header.Method switch
    {
        BusMethods.StoragePut => Task.Run(() => StoragePut(header, body), cancellationToken),
        BusMethods.StorageGet => Task.Run(() => StorageGet(header), cancellationToken),
        BusMethods.StorageProve => Task.Run(() => StorageProve(header), cancellationToken),
        BusMethods.StorageDelete => Task.Run(() => StorageDelete(header), cancellationToken),
        BusMethods.StorageInventory => Task.Run(() => StorageInventory(header), cancellationToken),
        BusMethods.InferRun => InferRunAsync(header, body, remaining),
        _ => Task.FromResult(Fail(BusErrors.UnknownMethod, $"'{header.Method}' is not served by this device (storage.put|get|prove|delete|inventory, infer.run).")),
    };

    private void HandleCommand(string name, BusEnvelope envelope)
    {
        BusRequestHeader header;
        try
        {
            header = BusRequestHeader.Decode(envelope.Header.Span);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            Log.CommandIgnored(_logger, name, $"the header does not parse: {e.Message}");
            return;
        }

        if (header.Method != name)
        {
            Log.CommandIgnored(_logger, name, $"its header names '{header.Method}'");
            return;
        }

        if (DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(header.DeadlineUnixMs, 0, 253402300799999)) < _clock.UtcNow)
        {
            Log.CommandIgnored(_logger, name, "it is past its deadline");
            return;
        }

        switch (name)
        {
            case BusMethods.Identify:
                _commands.Identify();
                break;
            case BusMethods.Rebirth:
                _commands.Rebirth();
                break;
            case BusMethods.Revoke:
                _commands.Revoke();
                break;
            case BusMethods.Restart:
                _commands.Restart();
                break;
            case BusMethods.ConfigSet:
                ConfigSetParams parameters;
                try
                {
                    parameters = header.ReadParams(FleetJsonContext.Default.ConfigSetParams);
                }
                catch (JsonException e)
                {
                    Log.CommandIgnored(_logger, name, $"its params do not parse: {e.Message}");
                    return;
                }

                if (parameters.TelemetryPeriodS is { } period && period is < Settings.MinerSettingsValidator.MinTelemetryPeriodS or > Settings.MinerSettingsValidator.MaxTelemetryPeriodS)
                {
                    Log.CommandIgnored(_logger, name, $"telemetryPeriodS {period} is outside {Settings.MinerSettingsValidator.MinTelemetryPeriodS}–{Settings.MinerSettingsValidator.MaxTelemetryPeriodS}");
                    return;
                }

                if (parameters.HaDiscoveryPrefix is { } prefix && !IsTopicPrefix(prefix))
                {
                    Log.CommandIgnored(_logger, name, $"haDiscoveryPrefix '{prefix}' is not a valid topic prefix");
                    return;
                }

                if (parameters.HaDiscoveryPrefix is not null)
                {
                    // The prefix is part of the session's topics (discovery, Home Assistant's status), fixed from first
                    // boot; changing it live would also need the old prefix's retained discovery cleared. Say so rather
                    // than accept it and do nothing.
                    Log.CommandIgnored(_logger, name, "haDiscoveryPrefix cannot change while the device runs; set haDiscoveryPrefix in bte-firstboot.json before enrolling");
                }

                if (parameters.TelemetryPeriodS is { } newPeriod)
                {
                    _commands.ConfigSet(newPeriod);
                }

                break;
            default:
                // reboot and update.* need privileges and the update slots; v1 of the device host does not carry them out.
                Log.CommandIgnored(_logger, name, "this device does not carry out that command");
                return;
        }

        Log.CommandApplied(_logger, name);
    }

    private static bool IsTopicPrefix(string prefix)
    {
        try
        {
            _ = new FleetTopics("bte/x", prefix);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private byte[] Seal(byte[] correlation, Reply reply) => BusEnvelope.Seal(correlation, reply.Header, reply.Body.Span, _deviceKey);

    private Reply Fail(string error, string message)
    {
        if (error == BusErrors.Busy)
        {
            Interlocked.Increment(ref _busy);
        }
        else
        {
            Interlocked.Increment(ref _errors);
        }

        Log.BusFailure(_logger, error, message);
        return new Reply(BusResponseHeader.Failure(error, message), ReadOnlyMemory<byte>.Empty, error);
    }

    private readonly record struct Reply(byte[] Header, ReadOnlyMemory<byte> Body, string? Error = null);
}
