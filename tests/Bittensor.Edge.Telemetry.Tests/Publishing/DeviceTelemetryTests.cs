// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Telemetry.Publishing;
using Bittensor.Edge.Telemetry.Tests.Infrastructure;

namespace Bittensor.Edge.Telemetry.Tests.Publishing;

public sealed class DeviceTelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DeviceState State(string minerState) => new(1, "miner", minerState, "normal", true, "a", "0.3.0", ["mnist"], 4096, 1 << 30, 1);

    [Fact]
    public async Task After_birth_discovery_then_state_are_published_retained_under_the_configured_prefix()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using TelemetryHarness h = new(broker.Uri, bus: b => b.Topics = FleetTopics.ForFleet("lab1", "ha-test"));
        await h.Telemetry.PublishStateAsync(State("starting"), Ct);
        await using TestClient observer = await TestClient.ConnectAsync(broker.Uri, "observer", "bte/lab1/#", "ha-test/#");
        await h.StartAsync();

        Received state = await observer.WaitForTopicAsync(h.Device.Topics.State(h.Id));
        List<string> order = [.. observer.Messages.Select(m => m.Topic)];
        Assert.Equal([h.Device.Topics.Status(h.Id), $"ha-test/device/{h.Id}/config", h.Device.Topics.State(h.Id)], order);
        Assert.Equal("starting", JsonDocument.Parse(state.Payload).RootElement.GetProperty("minerState").GetString());
        Assert.NotNull(await broker.Server.GetRetainedMessageAsync($"ha-test/device/{h.Id}/config"));
        Assert.NotNull(await broker.Server.GetRetainedMessageAsync(h.Device.Topics.State(h.Id)));
    }

    [Fact]
    public async Task Discovery_is_republished_when_home_assistant_comes_online_and_on_rebirth_and_cleared_by_an_empty_retained_payload()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using TelemetryHarness h = new(broker.Uri);
        await h.StartAsync();
        await h.Device.Connection.WaitConnectedAsync(Ct);
        string discovery = h.Device.Topics.HaDiscovery(h.Id);
        await using TestClient ha = await TestClient.ConnectAsync(broker.Uri, "homeassistant", discovery);
        await ha.WaitForAsync(l => l.Count(m => m.Topic == discovery) == 1);

        await ha.PublishAsync(h.Device.Topics.HaStatus, "online"u8.ToArray(), retain: true);
        await ha.WaitForAsync(l => l.Count(m => m.Topic == discovery) == 2);
        Assert.True(await h.Device.Connection.RebirthAsync(Ct));
        await ha.WaitForAsync(l => l.Count(m => m.Topic == discovery) == 3);

        Assert.True(await h.Telemetry.ClearDiscoveryAsync(Ct));
        await ha.WaitForAsync(l => l.Count(m => m.Topic == discovery) == 4);
        Assert.Empty(ha.Messages[^1].Payload);
        Assert.Null(await broker.Server.GetRetainedMessageAsync(discovery));
    }

    [Fact]
    public async Task Live_samples_go_out_at_qos_0_and_are_not_stored()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using TelemetryHarness h = new(broker.Uri);
        await h.StartAsync();
        await h.Device.Connection.WaitConnectedAsync(Ct);
        await using TestClient observer = await TestClient.ConnectAsync(broker.Uri, "observer", h.Device.Topics.Telemetry(h.Id));

        Assert.True(await h.Telemetry.PublishSampleAsync(TelemetryHarness.Sample(1234, 61.5), Ct));
        Received r = await observer.WaitForTopicAsync(h.Device.Topics.Telemetry(h.Id));
        Assert.False(r.Retain);
        using JsonDocument doc = JsonDocument.Parse(r.Payload);
        Assert.Equal(1234, doc.RootElement.GetProperty("ts").GetInt64());
        Assert.Equal(61.5, doc.RootElement.GetProperty("socTempC").GetDouble());
        Assert.False(doc.RootElement.TryGetProperty("gpuTempC", out _));
        Assert.Equal(0, h.Telemetry.RingCount);
        Assert.Equal(0, h.Telemetry.OutboxSamples);
    }

    [Fact]
    public async Task Offline_samples_stay_in_ram_until_the_15_minute_flush_writes_them_in_one_batch()
    {
        TestBroker down = TestBroker.NotStarted();
        await using TelemetryHarness h = new(down.Uri, autoAdvance: false);
        await h.StartRunAsync();
        for (int i = 0; i < 10; i++)
        {
            Assert.False(await h.Telemetry.PublishSampleAsync(TelemetryHarness.Sample(h.Device.Clock.UtcNow.ToUnixTimeMilliseconds() + i), Ct));
        }

        Assert.Equal(10, h.Telemetry.RingCount);
        Assert.Equal(0, h.Telemetry.OutboxSamples);
        h.Device.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(10, h.Telemetry.RingCount);

        TaskCompletionSource<int> flushed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Telemetry.Flushed += n => flushed.TrySetResult(n);
        h.Device.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(10, await flushed.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct));
        Assert.Equal(10, h.Telemetry.OutboxSamples);
        Assert.Equal(0, h.Telemetry.RingCount);
    }

    [Fact]
    public async Task The_ring_keeps_the_newest_samples_when_full()
    {
        TestBroker down = TestBroker.NotStarted();
        await using TelemetryHarness h = new(down.Uri, autoAdvance: false, configure: o => new DeviceTelemetryOptions
        {
            OutboxPath = o.OutboxPath, GatewayId = o.GatewayId, Device = o.Device, RingCapacity = 10,
        });
        for (int i = 0; i < 15; i++)
        {
            await h.Telemetry.PublishSampleAsync(TelemetryHarness.Sample(h.Device.Clock.UtcNow.ToUnixTimeMilliseconds() + i), Ct);
        }

        Assert.Equal(10, h.Telemetry.RingCount);
        Assert.Equal(5, h.Telemetry.RingDropped);
        Assert.Equal(10, h.Telemetry.Flush());
        Assert.Equal(10, h.Telemetry.OutboxSamples);
    }

    [Fact]
    public async Task The_outbox_is_bounded_and_drops_samples_older_than_seven_days()
    {
        TestBroker down = TestBroker.NotStarted();
        await using TelemetryHarness h = new(down.Uri, autoAdvance: false, configure: o => new DeviceTelemetryOptions
        {
            OutboxPath = o.OutboxPath, GatewayId = o.GatewayId, Device = o.Device, MaxOutboxSamples = 100, MaxOutboxEvents = 3,
        });
        long now = h.Device.Clock.UtcNow.ToUnixTimeMilliseconds();
        long eightDaysAgo = now - (long)TimeSpan.FromDays(8).TotalMilliseconds;
        for (int i = 0; i < 20; i++)
        {
            await h.Telemetry.PublishSampleAsync(TelemetryHarness.Sample(eightDaysAgo + i), Ct);
        }

        for (int i = 0; i < 150; i++)
        {
            await h.Telemetry.PublishSampleAsync(TelemetryHarness.Sample(now + i), Ct);
        }

        h.Telemetry.Flush();
        Assert.Equal(100, h.Telemetry.OutboxSamples);
        for (int i = 0; i < 5; i++)
        {
            await h.Telemetry.PublishEventAsync(new DeviceEvent(now + i, "error", $"e{i}"), Ct);
        }

        Assert.Equal(3, h.Telemetry.OutboxEvents);
    }
}
