// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

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
    }

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
