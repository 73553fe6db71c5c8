// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Telemetry.Bus;
using Bittensor.Edge.Telemetry.Publishing;

// usage: Bittensor.Edge.Telemetry.CrashHost DIR BROKER_URI EVENTS SAMPLES T0_MS
// Queues EVENTS events (durable at once) and SAMPLES samples (flushed in one write) into DIR/outbox.db while the broker
// is unreachable, prints "written", and then waits to be killed, so nothing after the outbox write ever runs.
string dir = args[0];
Uri broker = new(args[1]);
int events = int.Parse(args[2], CultureInfo.InvariantCulture);
int samples = int.Parse(args[3], CultureInfo.InvariantCulture);
long t0 = long.Parse(args[4], CultureInfo.InvariantCulture);

DeviceBusConnection bus = new(
    new DeviceBusOptions
    {
        BrokerUri = broker,
        DeviceId = "dev-abcdefgh234567ab",
        Topics = FleetTopics.ForFleet("lab1"),
        BdSeqPath = Path.Combine(dir, "bdseq"),
        PasswordFactory = _ => ValueTask.FromResult("pw"),
    },
    SystemClock.Instance);
DeviceTelemetry telemetry = new(
    bus,
    new DeviceTelemetryOptions
    {
        OutboxPath = Path.Combine(dir, "outbox.db"),
        GatewayId = "gw1",
        Device = new DeviceDescription("crash", "x64-sim", "x64 simulator", null, "0.0.0"),
    },
    SystemClock.Instance);
await bus.StartAsync();
for (int i = 0; i < samples; i++)
{
    await telemetry.PublishSampleAsync(new TelemetrySample(t0 + i, SocTempC: 40));
}

telemetry.Flush();
for (int i = 0; i < events; i++)
{
    await telemetry.PublishEventAsync(new DeviceEvent(t0 + i, "error", $"crash-{i}"));
}

Console.WriteLine("written");
Console.Out.Flush();
await Task.Delay(Timeout.Infinite);
