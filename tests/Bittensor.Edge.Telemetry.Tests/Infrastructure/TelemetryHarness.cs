// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using Bittensor.Edge.Telemetry.Publishing;

namespace Bittensor.Edge.Telemetry.Tests.Infrastructure;

/// <summary>A <see cref="TestDevice"/> with a <see cref="DeviceTelemetry"/> on it and its <see cref="DeviceTelemetry.RunAsync"/> running.</summary>
public sealed class TelemetryHarness : IAsyncDisposable
{
    public static readonly DeviceDescription Description = new("bte-1a2b3c4d", "rpi4", "Raspberry Pi 4 Model B", "10000000abcdef01", "0.3.0");

    private readonly CancellationTokenSource _run = new();
    private Task _running = Task.CompletedTask;

    public TelemetryHarness(
        Uri broker,
        bool autoAdvance = true,
        string? outboxPath = null,
        Func<DeviceTelemetryOptions, DeviceTelemetryOptions>? configure = null,
        Action<DeviceBusOptionsBuilder>? bus = null)
    {
        Device = new TestDevice(broker, bus, autoAdvance);
        OutboxPath = outboxPath ?? Path.Combine(Device.Directory, "outbox.db");
        DeviceTelemetryOptions options = new()
        {
            OutboxPath = OutboxPath,
            GatewayId = "gw1",
            Device = Description,
        };
        Telemetry = new DeviceTelemetry(Device.Connection, configure?.Invoke(options) ?? options, Device.Clock, Device.Logger);
        Telemetry.RateLimited += delay =>
        {
            RateLimits.Enqueue((delay, Telemetry.OutboxSamples));
            OnRateLimited?.Invoke(delay);
            Device.Clock.Advance(delay);
        };
        Telemetry.Drained += () =>
        {
            lock (_drainLock)
            {
                _drains++;
                _drainWaiters.RemoveAll(w =>
                {
                    if (_drains >= w.Count)
                    {
                        w.Done.TrySetResult();
                        return true;
                    }

                    return false;
                });
            }
        };
    }

    private readonly Lock _drainLock = new();
    private readonly List<(int Count, TaskCompletionSource Done)> _drainWaiters = [];
    private int _drains;

    /// <summary>How often the sender has found the outbox empty while connected.</summary>
    public int Drains
    {
        get
        {
            lock (_drainLock)
            {
                return _drains;
            }
        }
    }

    /// <summary>Completes once the sender has found the outbox empty <paramref name="count"/> times in all.</summary>
    public Task WaitForDrainsAsync(int count)
    {
        lock (_drainLock)
        {
            if (_drains >= count)
            {
                return Task.CompletedTask;
            }

            TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _drainWaiters.Add((count, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Each rate-limit wait of the sender, with the samples still in the outbox at that moment.</summary>
    public ConcurrentQueue<(TimeSpan Delay, int OutboxSamples)> RateLimits { get; } = new();

    /// <summary>Runs inside the rate-limit wait, before the clock is advanced past it (e.g. to cut the network there).</summary>
    public Action<TimeSpan>? OnRateLimited { get; set; }

    public TestDevice Device { get; }

    public DeviceTelemetry Telemetry { get; }

    public string OutboxPath { get; }

    public string Id { get; } = TestDevice.Id;

    public Task StartRunAsync()
    {
        // Called directly, so the flush timer is registered on the clock before this returns.
        _running = Telemetry.RunAsync(_run.Token);
        return Task.CompletedTask;
    }

    public async Task StartAsync()
    {
        await StartRunAsync();
        await Device.Connection.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _run.CancelAsync();
        await _running;
        await Device.Connection.StopAsync();
        Telemetry.Dispose();
        await Device.DisposeAsync();
        _run.Dispose();
    }

    public static TelemetrySample Sample(long ts, double temp = 50) => new(ts, SocTempC: temp, CpuLoadPct: 12.5, MemUsedPct: 40, UptimeS: 100);
}
