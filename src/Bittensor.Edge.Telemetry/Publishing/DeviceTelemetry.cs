// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Core;
using Bittensor.Edge.Telemetry.Bus;
using Bittensor.Edge.Telemetry.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Telemetry.Publishing;

/// <summary>
/// What a device publishes on its bus (fleet.md §4, §7, §8): live telemetry samples (QoS 0), the retained state document,
/// events (QoS 1, through the outbox), Home Assistant discovery, and store-and-forward of everything that could not be
/// sent: samples wait in a RAM ring that is appended to the LiteDB outbox every <see cref="DeviceTelemetryOptions.FlushInterval"/>
/// and at shutdown; after each birth the outbox is sent oldest first (events on <c>event</c>, samples in arrays of up to
/// 60 on <c>telemetry/backfill</c>, at most 5 messages/s) and each entry is deleted when its PUBACK arrives.
/// </summary>
/// <remarks>
/// <para><b>Wiring.</b> Construct it before the connection starts (it registers a publish hook that sends discovery, the
/// last state and then backfill after each birth, and discovery again when Home Assistant comes online), then run
/// <see cref="RunAsync"/> for as long as the device runs: it owns the flush timer and the sender. Cancelling it flushes
/// the ring (the shutdown write).</para>
/// <para><b>Delivery.</b> An outbox entry is deleted only after the broker acknowledged it, so nothing queued is lost to a
/// lost connection or a crash; a PUBACK lost in flight means one redelivery, which readers drop by the sample's
/// <c>ts</c> (QoS 1 is at-least-once). Samples published live at QoS 0 while connected are not stored.</para>
/// <para><b>Thread safety.</b> All public methods may be called from any thread. Dispose after <see cref="RunAsync"/> has
/// returned; it flushes the ring once more and closes the outbox.</para>
/// </remarks>
public sealed class DeviceTelemetry : IDisposable
{
    private readonly DeviceBusConnection _bus;
    private readonly DeviceTelemetryOptions _options;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly Outbox.Outbox _outbox;
    private readonly Lock _ringLock = new();
    private readonly Queue<OutboxEntry> _ring;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Queue<TimeSpan> _sendTimes = new();
    private readonly string _telemetryTopic;
    private readonly string _backfillTopic;
    private readonly string _eventTopic;
    private readonly string _stateTopic;
    private byte[]? _lastState;
    private long _ringDropped;
    private int _disposed;

    /// <summary>Opens (or creates) the outbox and registers the publish hook on <paramref name="bus"/>, which must not have started.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="bus"/> has already started.</exception>
    public DeviceTelemetry(DeviceBusConnection bus, DeviceTelemetryOptions options, IClock clock, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        options.Validate();
        _bus = bus;
        _options = options;
        _clock = clock;
        _logger = logger ?? NullLogger.Instance;
        _ring = new Queue<OutboxEntry>(Math.Min(options.RingCapacity, 4096));
        string id = bus.DeviceId;
        _telemetryTopic = bus.Topics.Telemetry(id);
        _backfillTopic = bus.Topics.TelemetryBackfill(id);
        _eventTopic = bus.Topics.Event(id);
        _stateTopic = bus.Topics.State(id);
        _outbox = Outbox.Outbox.Open(options.OutboxPath, options.MaxOutboxSamples, options.MaxOutboxEvents);
        try
        {
            bus.AddPublishHook(OnPublishHookAsync);
        }
        catch
        {
            _outbox.Dispose();
            throw;
        }
    }

    /// <summary>Samples waiting in the RAM ring.</summary>
    public int RingCount
    {
        get
        {
            lock (_ringLock)
            {
                return _ring.Count;
            }
        }
    }

    /// <summary>Samples dropped because the ring was full (the oldest go first).</summary>
    public long RingDropped => Interlocked.Read(ref _ringDropped);

    /// <summary>Samples waiting in the outbox.</summary>
    public int OutboxSamples => _outbox.SampleCount;

    /// <summary>Events waiting in the outbox.</summary>
    public int OutboxEvents => _outbox.EventCount;

    /// <summary>
    /// Publishes one sample live at QoS 0; when disconnected (or the send fails) keeps it in the RAM ring for backfill.
    /// Returns whether it went out live.
    /// </summary>
    public async Task<bool> PublishSampleAsync(TelemetrySample sample, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(sample, TelemetryJsonContext.Default.TelemetrySample);
        if (_bus.IsConnected && await _bus.PublishAsync(_telemetryTopic, body, BusDelivery.AtMostOnce, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        lock (_ringLock)
        {
            if (_ring.Count >= _options.RingCapacity)
            {
                _ring.Dequeue();
                Interlocked.Increment(ref _ringDropped);
            }

            _ring.Enqueue(new OutboxEntry(0, sample.Ts, body));
        }

        return false;
    }

    /// <summary>
    /// Remembers <paramref name="state"/> as the latest and publishes it retained at QoS 1 when connected; after each birth
    /// the latest state is published again. State is never backfilled. Returns whether it was acknowledged now.
    /// </summary>
    public Task<bool> PublishStateAsync(DeviceState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(state, TelemetryJsonContext.Default.DeviceState);
        Volatile.Write(ref _lastState, body);
        return _bus.IsConnected
            ? _bus.PublishAsync(_stateTopic, body, BusDelivery.AtLeastOnce, retain: true, cancellationToken: cancellationToken)
            : Task.FromResult(false);
    }

    /// <summary>
    /// Writes <paramref name="deviceEvent"/> to the outbox at once (durable before this returns) and wakes the sender,
    /// which publishes it at QoS 1 and deletes it on PUBACK.
    /// </summary>
    /// <exception cref="IOException">The outbox could not be written (the event is not stored).</exception>
    public Task PublishEventAsync(DeviceEvent deviceEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deviceEvent);
        cancellationToken.ThrowIfCancellationRequested();
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(deviceEvent, TelemetryJsonContext.Default.DeviceEvent);
        _outbox.AppendEvent(deviceEvent.Ts, body);
        Wake();
        return Task.CompletedTask;
    }

    /// <summary>Publishes the Home Assistant discovery message (retained, QoS 1). Returns whether it was acknowledged.</summary>
    public Task<bool> PublishDiscoveryAsync(CancellationToken cancellationToken = default)
    {
        byte[] payload = HomeAssistantDiscovery.Build(_bus.Topics, _bus.DeviceId, _options.GatewayId, _options.Device);
        return _bus.PublishAsync(_bus.Topics.HaDiscovery(_bus.DeviceId), payload, BusDelivery.AtLeastOnce, retain: true, cancellationToken: cancellationToken);
    }

    /// <summary>Clears the retained discovery message (an empty retained payload), which removes the device from Home Assistant.</summary>
    public Task<bool> ClearDiscoveryAsync(CancellationToken cancellationToken = default) =>
        _bus.PublishAsync(_bus.Topics.HaDiscovery(_bus.DeviceId), ReadOnlyMemory<byte>.Empty, BusDelivery.AtLeastOnce, retain: true, cancellationToken: cancellationToken);

    /// <summary>
    /// Appends the RAM ring to the outbox in one batched write (and drops samples past the age limit). Called by
    /// <see cref="RunAsync"/> every <see cref="DeviceTelemetryOptions.FlushInterval"/>, at its end, and after each birth;
    /// call it yourself only for an extra durable point. Returns how many samples were written.
    /// </summary>
    /// <exception cref="IOException">The outbox could not be written; the samples stay in the ring.</exception>
    public int Flush()
    {
        lock (_ringLock)
        {
            if (_ring.Count == 0)
            {
                return 0;
            }

            OutboxEntry[] batch = [.. _ring];
            int dropped = _outbox.AppendSamples(batch, CutoffMs());
            _ring.Clear();
            Log.Flushed(_logger, batch.Length, dropped);
            Flushed?.Invoke(batch.Length);
            return batch.Length;
        }
    }

    /// <summary>
    /// Runs the flush timer and the outbox sender until <paramref name="cancellationToken"/> is cancelled, then flushes the
    /// ring one last time and returns (it does not throw for the cancellation).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        TimeSpan nextFlush = _clock.Elapsed + _options.FlushInterval;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (_bus.IsConnected)
                {
                    await SendPendingAsync(cancellationToken).ConfigureAwait(false);
                }

                TimeSpan untilFlush = nextFlush - _clock.Elapsed;
                if (untilFlush > TimeSpan.Zero)
                {
                    using CancellationTokenSource wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    Task timer = _clock.DelayAsync(untilFlush, wait.Token);
                    Task woken = _wake.WaitAsync(wait.Token);
                    await Task.WhenAny(timer, woken).ConfigureAwait(false);
                    await wait.CancelAsync().ConfigureAwait(false);
                    await Task.WhenAll(timer, woken).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (_clock.Elapsed >= nextFlush)
                {
                    nextFlush = _clock.Elapsed + _options.FlushInterval;
                    FlushLogged();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        FlushLogged();
    }

    /// <summary>Flushes the ring once more and closes the outbox.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        FlushLogged();
        _outbox.Dispose();
        _wake.Dispose();
    }

    /// <summary>Raised when the sender found the outbox empty while connected.</summary>
    internal event Action? Drained;

    /// <summary>Raised after the ring was appended to the outbox, with the number of samples.</summary>
    internal event Action<int>? Flushed;

    /// <summary>Raised when the sender waits for the rate limit, after the delay is registered on the clock.</summary>
    internal event Action<TimeSpan>? RateLimited;

    private long CutoffMs() => (_clock.UtcNow - _options.MaxSampleAge).ToUnixTimeMilliseconds();

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void FlushLogged()
    {
        try
        {
            Flush();
        }
        catch (Exception ex) when (ex is IOException or LiteDB.LiteException or UnauthorizedAccessException)
        {
            Log.FlushFailed(_logger, ex);
        }
    }

    private async Task OnPublishHookAsync(BusPublishTrigger trigger, CancellationToken cancellationToken)
    {
        await PublishDiscoveryAsync(cancellationToken).ConfigureAwait(false);
        if (trigger == BusPublishTrigger.HomeAssistantOnline)
        {
            return;
        }

        if (Volatile.Read(ref _lastState) is { } state)
        {
            await _bus.PublishAsync(_stateTopic, state, BusDelivery.AtLeastOnce, retain: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (trigger == BusPublishTrigger.Connected)
        {
            // Whatever the ring holds goes to the outbox now, so the backfill has one source and one delete path.
            FlushLogged();
            Wake();
        }
    }

    /// <summary>Sends outbox events, then samples, oldest first, until the outbox is empty or a send fails.</summary>
    private async Task SendPendingAsync(CancellationToken cancellationToken)
    {
        int sentEvents = 0;
        int sentSamples = 0;
        while (_bus.IsConnected && !cancellationToken.IsCancellationRequested)
        {
            List<OutboxEntry> events = _outbox.OldestEvents(1);
            if (events.Count > 0)
            {
                await RateLimitAsync(cancellationToken).ConfigureAwait(false);
                if (!await _bus.PublishAsync(_eventTopic, events[0].Body, BusDelivery.AtLeastOnce, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    break;
                }

                _outbox.DeleteEvents(events);
                sentEvents++;
                continue;
            }

            _outbox.DropOldSamples(CutoffMs());
            List<OutboxEntry> samples = _outbox.OldestSamples(_options.BackfillBatch);
            if (samples.Count == 0)
            {
                Drained?.Invoke();
                break;
            }

            await RateLimitAsync(cancellationToken).ConfigureAwait(false);
            if (!await _bus.PublishAsync(_backfillTopic, JsonArray(samples), BusDelivery.AtLeastOnce, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            _outbox.DeleteSamples(samples);
            sentSamples += samples.Count;
        }

        if (sentEvents + sentSamples > 0)
        {
            Log.Backfilled(_logger, sentEvents, sentSamples);
        }
    }

    /// <summary>At most <see cref="DeviceTelemetryOptions.MessagesPerSecond"/> sends in any second of the clock.</summary>
    private async Task RateLimitAsync(CancellationToken cancellationToken)
    {
        TimeSpan now = _clock.Elapsed;
        while (_sendTimes.Count > 0 && now - _sendTimes.Peek() >= TimeSpan.FromSeconds(1))
        {
            _sendTimes.Dequeue();
        }

        if (_sendTimes.Count >= _options.MessagesPerSecond)
        {
            TimeSpan wait = _sendTimes.Peek() + TimeSpan.FromSeconds(1) - now;
            Task delay = _clock.DelayAsync(wait, cancellationToken);
            RateLimited?.Invoke(wait);
            await delay.ConfigureAwait(false);
            _sendTimes.Dequeue();
        }

        _sendTimes.Enqueue(_clock.Elapsed);
    }

    private static byte[] JsonArray(List<OutboxEntry> entries)
    {
        int length = 2 + entries.Count - 1;
        foreach (OutboxEntry entry in entries)
        {
            length += entry.Body.Length;
        }

        byte[] payload = new byte[length];
        int at = 0;
        payload[at++] = (byte)'[';
        for (int i = 0; i < entries.Count; i++)
        {
            if (i > 0)
            {
                payload[at++] = (byte)',';
            }

            entries[i].Body.CopyTo(payload, at);
            at += entries[i].Body.Length;
        }

        payload[at] = (byte)']';
        return payload;
    }
}
