// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Telemetry.Publishing;
using Bittensor.Edge.Telemetry.Tests.Infrastructure;
using Bittensor.Edge.Tests.Shared;

namespace Bittensor.Edge.Telemetry.Tests.Interop;

/// <summary>The device's connection against a real mosquitto, observed by a plain <c>mosquitto_sub</c> process.</summary>
public sealed class MosquittoInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (string Topic, string Payload) Split(string line)
    {
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (line, "") : (line[..space], line[(space + 1)..]);
    }

    [Fact]
    public async Task Mosquitto_sub_sees_the_birth_discovery_and_state_and_then_the_clean_offline()
    {
        await using Mosquitto mosquitto = await Mosquitto.StartAsync();
        await using TelemetryHarness h = new(mosquitto.Uri);
        await h.Telemetry.PublishStateAsync(new DeviceState(1, "miner", "working", "warm", true, "a", "0.3.0", ["mnist-small"], 4096, 1 << 30, 1, 12.5), Ct);
        await h.StartAsync();
        await h.Device.Connection.WaitConnectedAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await h.Telemetry.PublishEventAsync(new DeviceEvent(1, "thermal", "warm"), Ct);
        await h.WaitForDrainsAsync(1);   // discovery, state and the event were acknowledged by mosquitto

        // Retained: a subscriber that arrives later still sees birth, discovery and state.
        List<string> lines = await mosquitto.SubscribeAsync(3, "homeassistant/#", "bte/lab1/#");
        Dictionary<string, string> byTopic = lines.Select(Split).ToDictionary(p => p.Topic, p => p.Payload);
        Assert.True(StatusMessage.TryDecode(System.Text.Encoding.UTF8.GetBytes(byTopic[h.Device.Topics.Status(h.Id)]), out StatusMessage? birth));
        Assert.Equal(StatusMessage.Online, birth!.State);
        using JsonDocument discovery = JsonDocument.Parse(byTopic[$"homeassistant/device/{h.Id}/config"]);
        Assert.Equal(h.Id, discovery.RootElement.GetProperty("dev").GetProperty("ids")[0].GetString());
        Assert.Equal($"{h.Id}_soc_temp", discovery.RootElement.GetProperty("cmps").GetProperty("soc_temp").GetProperty("unique_id").GetString());
        using JsonDocument state = JsonDocument.Parse(byTopic[h.Device.Topics.State(h.Id)]);
        Assert.Equal("warm", state.RootElement.GetProperty("thermalState").GetString());

        await h.Device.Connection.StopAsync(Ct);
        List<string> after = await mosquitto.SubscribeAsync(1, h.Device.Topics.Status(h.Id));
        Assert.True(StatusMessage.TryDecode(System.Text.Encoding.UTF8.GetBytes(Split(Assert.Single(after)).Payload), out StatusMessage? offline));
        Assert.Equal(new StatusMessage(StatusMessage.Offline, birth.BdSeq, 0, Clean: true), offline! with { Ts = 0 });
    }

    [Fact]
    public async Task Backfill_and_events_flow_through_mosquitto_once()
    {
        await using Mosquitto mosquitto = await Mosquitto.StartAsync();
        await using TestClient gateway = await TestClient.ConnectAsync(mosquitto.Uri, "gateway", "bte/lab1/dev/+/telemetry/backfill", "bte/lab1/dev/+/event");
        await using TelemetryHarness h = new(mosquitto.Uri, autoAdvance: false);
        long t0 = h.Device.Clock.UtcNow.ToUnixTimeMilliseconds();
        for (int i = 0; i < 75; i++)
        {
            await h.Telemetry.PublishSampleAsync(TelemetryHarness.Sample(t0 + i), Ct);
        }

        await h.Telemetry.PublishEventAsync(new DeviceEvent(t0, "error", "queued"), Ct);
        await h.StartAsync();
        await h.WaitForDrainsAsync(1);
        await gateway.WaitForAsync(l => l.Count == 3);
        Assert.Equal(Enumerable.Range(0, 75).Select(i => t0 + i), Publishing.StoreAndForwardTests.BackfilledTs(gateway, h.Id));
        Assert.Equal(["queued"], Publishing.StoreAndForwardTests.Events(gateway, h.Id));
    }
}
