// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Telemetry.Publishing;
using Bittensor.Edge.Telemetry.Tests.Infrastructure;

namespace Bittensor.Edge.Telemetry.Tests.Publishing;

public sealed class HomeAssistantDiscoveryTests
{
    private const string Id = TestDevice.Id;

    private static JsonElement Build(bool gpu = false, string prefix = "homeassistant")
    {
        FleetTopics topics = FleetTopics.ForFleet("lab1", prefix);
        byte[] payload = HomeAssistantDiscovery.Build(topics, Id, "gw1", TelemetryHarness.Description with { HasGpuTemperature = gpu });
        return JsonDocument.Parse(payload).RootElement.Clone();
    }

    [Fact]
    public void Device_origin_and_availability_are_as_the_spec_lists()
    {
        JsonElement root = Build();
        JsonElement dev = root.GetProperty("dev");
        Assert.Equal([Id], dev.GetProperty("ids").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("bte-1a2b3c4d", dev.GetProperty("name").GetString());
        Assert.Equal("Bittensor.Edge", dev.GetProperty("mf").GetString());
        Assert.Equal("Raspberry Pi 4 Model B", dev.GetProperty("mdl").GetString());
        Assert.Equal("0.3.0", dev.GetProperty("sw").GetString());
        Assert.Equal("rpi4", dev.GetProperty("hw").GetString());
        Assert.Equal("10000000abcdef01", dev.GetProperty("sn").GetString());
        Assert.Equal("bittensor-edge", root.GetProperty("o").GetProperty("name").GetString());
        Assert.Equal("0.3.0", root.GetProperty("o").GetProperty("sw").GetString());
        JsonElement availability = Assert.Single(root.GetProperty("availability").EnumerateArray());
        Assert.Equal($"bte/lab1/dev/{Id}/status", availability.GetProperty("topic").GetString());
        Assert.Equal("{{ value_json.state }}", availability.GetProperty("value_template").GetString());
        Assert.Equal("online", availability.GetProperty("payload_available").GetString());
        Assert.Equal("offline", availability.GetProperty("payload_not_available").GetString());
    }

    [Fact]
    public void Components_cover_every_listed_entity_with_platform_and_unique_id()
    {
        JsonElement cmps = Build().GetProperty("cmps");
        Dictionary<string, string> platforms = cmps.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("p").GetString()!);
        string[] sensors = ["soc_temp", "cpu_load", "mem_used", "thermal_state", "miner_state", "store_bytes", "sectors", "challenge_pass_rate", "inference_rps", "inference_p95_ms", "reward_share", "bytes_written_today", "uptime", "version"];
        Dictionary<string, string> expected = sensors.ToDictionary(k => k, _ => "sensor");
        expected["throttled"] = expected["under_voltage"] = "binary_sensor";
        expected["identify"] = expected["restart"] = expected["rebirth"] = "button";
        Assert.Equal(expected.OrderBy(p => p.Key), platforms.OrderBy(p => p.Key));
        foreach (JsonProperty c in cmps.EnumerateObject())
        {
            Assert.Equal($"{Id}_{c.Name}", c.Value.GetProperty("unique_id").GetString());
        }

        Assert.False(cmps.TryGetProperty("gpu_temp", out _));
        Assert.Equal("temperature", cmps.GetProperty("soc_temp").GetProperty("device_class").GetString());
        Assert.Equal("°C", cmps.GetProperty("soc_temp").GetProperty("unit_of_measurement").GetString());
        Assert.Equal("measurement", cmps.GetProperty("soc_temp").GetProperty("state_class").GetString());
        Assert.Equal("%", cmps.GetProperty("cpu_load").GetProperty("unit_of_measurement").GetString());
        Assert.Equal("enum", cmps.GetProperty("thermal_state").GetProperty("device_class").GetString());
        Assert.Equal(DeviceStates.ThermalStates, cmps.GetProperty("thermal_state").GetProperty("options").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("enum", cmps.GetProperty("miner_state").GetProperty("device_class").GetString());
        Assert.Equal("data_size", cmps.GetProperty("store_bytes").GetProperty("device_class").GetString());
        Assert.Equal("B", cmps.GetProperty("store_bytes").GetProperty("unit_of_measurement").GetString());
        Assert.Equal("problem", cmps.GetProperty("throttled").GetProperty("device_class").GetString());
        Assert.Equal("problem", cmps.GetProperty("under_voltage").GetProperty("device_class").GetString());
        Assert.Equal("duration", cmps.GetProperty("uptime").GetProperty("device_class").GetString());
        Assert.Equal("s", cmps.GetProperty("uptime").GetProperty("unit_of_measurement").GetString());
        foreach (string diagnostic in new[] { "bytes_written_today", "uptime", "version" })
        {
            Assert.Equal("diagnostic", cmps.GetProperty(diagnostic).GetProperty("entity_category").GetString());
        }
    }

    [Fact]
    public void Buttons_publish_device_and_command_to_the_gateway_ha_cmd_topic()
    {
        JsonElement cmps = Build().GetProperty("cmps");
        foreach (string button in new[] { "identify", "restart", "rebirth" })
        {
            JsonElement b = cmps.GetProperty(button);
            Assert.Equal("bte/lab1/gw/gw1/ha/cmd", b.GetProperty("command_topic").GetString());
            using JsonDocument press = JsonDocument.Parse(b.GetProperty("payload_press").GetString()!);
            Assert.Equal(Id, press.RootElement.GetProperty("device").GetString());
            Assert.Equal(button, press.RootElement.GetProperty("command").GetString());
        }
    }

    [Fact]
    public void Sensors_read_fields_that_the_payload_records_actually_write()
    {
        JsonElement cmps = Build(gpu: true).GetProperty("cmps");
        Assert.True(cmps.TryGetProperty("gpu_temp", out _));
        TelemetrySample sample = new(1, 1, 2, 3, 4, 5, true, true, 6, 7, 8, 9, 10, 11, 12, 13);
        DeviceState state = new(1, "miner", "working", "normal", true, "a", "0.3.0", ["m"], 1, 2, 3, 4);
        using JsonDocument t = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(sample, TelemetryJsonContext.Default.TelemetrySample));
        using JsonDocument s = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(state, TelemetryJsonContext.Default.DeviceState));
        foreach (JsonProperty c in cmps.EnumerateObject())
        {
            if (!c.Value.TryGetProperty("state_topic", out JsonElement topic))
            {
                continue;
            }

            string template = c.Value.GetProperty("value_template").GetString()!;
            string field = template.Split("value_json.")[1].Split(' ')[0];
            JsonDocument source = topic.GetString()!.EndsWith("/telemetry", StringComparison.Ordinal) ? t : s;
            Assert.True(source.RootElement.TryGetProperty(field, out _), $"{c.Name} reads {field}, which {topic} does not carry");
        }
    }

    [Fact]
    public void The_prefix_is_configurable()
    {
        FleetTopics topics = FleetTopics.ForFleet("lab1", "ha-test");
        Assert.Equal($"ha-test/device/{Id}/config", topics.HaDiscovery(Id));
        Assert.Equal("bte/lab1/gw/gw1/ha/cmd", Build(prefix: "ha-test").GetProperty("cmps").GetProperty("restart").GetProperty("command_topic").GetString());
    }
}
