// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Telemetry.Publishing;
using Bittensor.Edge.Telemetry.Tests.Infrastructure;

namespace Bittensor.Edge.Telemetry.Tests.Publishing;

/// <summary>
/// fleet.md §7 against real brokers and a real outbox file: whatever was queued while the device could not reach its
/// broker arrives once, oldest first, after the next birth, and the outbox is empty afterwards.
/// </summary>
public sealed class StoreAndForwardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static DeviceTelemetryOptions Batch(DeviceTelemetryOptions o, int batch) => new()
    {
        OutboxPath = o.OutboxPath, GatewayId = o.GatewayId, Device = o.Device, BackfillBatch = batch,
    };

    /// <summary>Sample timestamps in the backfill arrays, in arrival order.</summary>
    internal static List<long> BackfilledTs(TestClient subscriber, string id) =>
        [.. subscriber.Messages.Where(m => m.Topic == $"bte/lab1/dev/{id}/telemetry/backfill")
            .SelectMany(m => JsonDocument.Parse(m.Payload).RootElement.EnumerateArray().Select(e => e.GetProperty("ts").GetInt64()))];

    internal static List<string> Events(TestClient subscriber, string id) =>
        [.. subscriber.Messages.Where(m => m.Topic == $"bte/lab1/dev/{id}/event")
            .Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("message").GetString()!)];

    private static async Task<List<long>> QueueAsync(TelemetryHarness h, int samples, long start)
    {
        List<long> ts = [];
        for (int i = 0; i < samples; i++)
        {
            ts.Add(start + i);
            Assert.False(await h.Telemetry.PublishSampleAsync(TelemetryHarness.Sample(start + i), Ct));
        }

        return ts;
    }

    [Fact]
    public async Task Broker_down_at_start_everything_queued_arrives_once_oldest_first_after_the_birth()
    {
        TestBroker broker = TestBroker.NotStarted();
        await using (broker)
        {
            await using TelemetryHarness h = new(broker.Uri, autoAdvance: false);
            await h.StartAsync();
            TimeSpan retry = await h.Device.NextRetryAsync();

            long t0 = h.Device.Clock.UtcNow.ToUnixTimeMilliseconds();
            List<long> expected = await QueueAsync(h, 130, t0);
            for (int i = 0; i < 3; i++)
            {
                await h.Telemetry.PublishEventAsync(new DeviceEvent(t0 + i, "thermal", $"event-{i}"), Ct);
            }

            Assert.Equal(3, h.Telemetry.OutboxEvents);
            await broker.RestartAsync();
            await using TestClient gateway = await TestClient.ConnectAsync(broker.Uri, "gateway", "bte/lab1/dev/+/telemetry/backfill", "bte/lab1/dev/+/event");
            h.Device.Clock.Advance(retry);

            await h.WaitForDrainsAsync(1);
            await gateway.WaitForAsync(l => l.Count == 6);
            Assert.Equal(expected, BackfilledTs(gateway, h.Id));
            Assert.Equal(["event-0", "event-1", "event-2"], Events(gateway, h.Id));
            Assert.Equal([60, 60, 10], gateway.Messages.Where(m => m.Topic.EndsWith("/backfill", StringComparison.Ordinal)).Select(m => JsonDocument.Parse(m.Payload).RootElement.GetArrayLength()));
            Assert.All(gateway.Messages, m => Assert.Equal(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, m.Qos));
            Assert.Equal(0, h.Telemetry.OutboxSamples);
            Assert.Equal(0, h.Telemetry.OutboxEvents);
            Assert.Equal(0, h.Telemetry.RingCount);
        }
    }

    [Fact]
    public async Task Broker_restart_mid_run_keeps_the_outbox_and_delivers_it_once_to_the_new_broker()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using TelemetryHarness h = new(broker.Uri, autoAdvance: false);
        await h.Telemetry.PublishStateAsync(new DeviceState(1, "miner", "working", "normal", true, "a", "0.3.0", [], 0, 0, 0), Ct);
        await h.StartAsync();
        await h.Device.Connection.WaitConnectedAsync(Ct);
        Assert.True(await h.Telemetry.PublishSampleAsync(TelemetryHarness.Sample(1), Ct));

        await broker.StopAsync();
        await h.Device.ReconnectNowAsync();   // one failed attempt while the broker is down
        long t0 = h.Device.Clock.UtcNow.ToUnixTimeMilliseconds();
        List<long> expected = await QueueAsync(h, 70, t0);
        Assert.Equal(70, h.Telemetry.Flush());   // the 15-minute write, while down
        expected.AddRange(await QueueAsync(h, 20, t0 + 1000));   // still in RAM at reconnect
        await h.Telemetry.PublishEventAsync(new DeviceEvent(t0, "error", "while-down"), Ct);
        Assert.Equal(70, h.Telemetry.OutboxSamples);
        Assert.Equal(20, h.Telemetry.RingCount);

        await broker.RestartAsync();
        await using TestClient gateway = await TestClient.ConnectAsync(broker.Uri, "gateway", "bte/lab1/dev/+/telemetry/backfill", "bte/lab1/dev/+/event");
        int drains = h.Drains;
        await h.Device.ReconnectNowAsync();
        await h.WaitForDrainsAsync(drains + 1);
        await gateway.WaitForAsync(l => BackfilledTs(gateway, h.Id).Count == 90 && l.Any(m => m.Topic.EndsWith("/event", StringComparison.Ordinal)));

        Assert.Equal(expected, BackfilledTs(gateway, h.Id));
        Assert.Equal(["while-down"], Events(gateway, h.Id));
        Assert.Equal(0, h.Telemetry.OutboxSamples + h.Telemetry.OutboxEvents + h.Telemetry.RingCount);
        // The new broker lost its retained messages; the device published them again after its birth.
        Assert.NotNull(await broker.Server.GetRetainedMessageAsync(h.Device.Topics.State(h.Id)));
        Assert.NotNull(await broker.Server.GetRetainedMessageAsync(h.Device.Topics.HaDiscovery(h.Id)));
        Assert.NotNull(await broker.Server.GetRetainedMessageAsync(h.Device.Topics.Status(h.Id)));
    }

    [Fact]
    public async Task Network_flaps_before_and_during_backfill_lose_nothing_and_duplicate_nothing()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using TcpProxy network = await TcpProxy.StartAsync(broker.Port);
        await using TelemetryHarness h = new(network.Uri, autoAdvance: false, configure: o => Batch(o, 10));
        await using TestClient gateway = await TestClient.ConnectAsync(broker.Uri, "gateway", "bte/lab1/dev/+/telemetry/backfill", "bte/lab1/dev/+/event");
        await h.StartAsync();
        await h.Device.Connection.WaitConnectedAsync(Ct);

        // Flap 1: the link drops and stays down for a while; the device retries into a dead network.
        network.Refusing = true;
        network.Cut();
        await h.Device.ReconnectNowAsync();
        TimeSpan nextRetry = await h.Device.NextRetryAsync();
        Assert.InRange(nextRetry.TotalSeconds, 1.6, 2.4);
        long t0 = h.Device.Clock.UtcNow.ToUnixTimeMilliseconds();
        List<long> expected = await QueueAsync(h, 200, t0);
        await h.Telemetry.PublishEventAsync(new DeviceEvent(t0, "thermal", "hot"), Ct);
        await h.Telemetry.PublishEventAsync(new DeviceEvent(t0 + 1, "thermal", "warm"), Ct);

        // Flap 2: the link comes back, and drops again in the middle of the backfill (after the first 5 messages).
        int flaps = 0;
        h.OnRateLimited = _ =>
        {
            if (flaps++ == 0)
            {
                network.Refusing = true;
                network.Cut();
            }
        };
        network.Refusing = false;
        h.Device.Clock.Advance(nextRetry);
        TimeSpan afterSecondDrop = await h.Device.NextRetryAsync();
        await gateway.WaitForAsync(l => l.Count == 5);
        Assert.Equal(0, h.Telemetry.OutboxEvents);     // both events and 3 backfill messages went out before the cut
        Assert.Equal(170, h.Telemetry.OutboxSamples);

        network.Refusing = false;
        int drains = h.Drains;
        h.Device.Clock.Advance(afterSecondDrop);
        await h.WaitForDrainsAsync(drains + 1);
        await gateway.WaitForAsync(l => BackfilledTs(gateway, h.Id).Count >= 200);

        Assert.Equal(expected, BackfilledTs(gateway, h.Id));
        Assert.Equal(["hot", "warm"], Events(gateway, h.Id));
        Assert.Equal(0, h.Telemetry.OutboxSamples + h.Telemetry.OutboxEvents);
    }

    [Fact]
    public async Task Backfill_sends_at_most_five_messages_per_second_on_the_clock()
    {
        TestBroker broker = TestBroker.NotStarted();
        await using (broker)
        {
            await using TelemetryHarness h = new(broker.Uri, autoAdvance: false, configure: o => Batch(o, 10));
            await h.StartAsync();
            TimeSpan retry = await h.Device.NextRetryAsync();
            await QueueAsync(h, 200, h.Device.Clock.UtcNow.ToUnixTimeMilliseconds());
            await broker.RestartAsync();
            await using TestClient gateway = await TestClient.ConnectAsync(broker.Uri, "gateway", "bte/lab1/dev/+/telemetry/backfill");
            h.Device.Clock.Advance(retry);
            await h.WaitForDrainsAsync(1);
            await gateway.WaitForAsync(l => l.Count == 20);

            // 20 messages: 5 at once, then a wait of a full second before each further 5.
            Assert.Equal([(TimeSpan.FromSeconds(1), 150), (TimeSpan.FromSeconds(1), 100), (TimeSpan.FromSeconds(1), 50)], h.RateLimits);
        }
    }
}
