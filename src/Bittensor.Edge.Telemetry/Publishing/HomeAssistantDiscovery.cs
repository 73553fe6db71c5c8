// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Text.Json;
using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Telemetry.Publishing;

/// <summary>
/// Home Assistant device-based discovery (fleet.md §8): one retained QoS 1 message on <c>{prefix}/device/{id}/config</c>
/// with <c>dev</c>, <c>o</c>, <c>availability</c> (the device's status topic, <c>{{ value_json.state }}</c>,
/// <c>online</c>/<c>offline</c>) and <c>cmps</c>, one component per entity keyed and <c>unique_id</c>'d
/// <c>&lt;deviceId&gt;_&lt;key&gt;</c>. Written with <see cref="Utf8JsonWriter"/> (no reflection), in a fixed order.
/// </summary>
/// <remarks>
/// Sensors read the telemetry topic (<see cref="TelemetrySample"/>) or the retained state topic (<see cref="DeviceState"/>);
/// the buttons publish <c>{"device":id,"command":name}</c> to <c>{base}/gw/{gw}/ha/cmd</c>, which the gateway signs and
/// forwards as a normal command. Thread-safe (stateless).
/// </remarks>
public static class HomeAssistantDiscovery
{
    /// <summary>The manufacturer shown for every device.</summary>
    public const string Manufacturer = "Bittensor.Edge";

    /// <summary>The origin (<c>o.name</c>) of the discovery messages.</summary>
    public const string OriginName = "bittensor-edge";

    /// <summary>The buttons and the command each one sends.</summary>
    public static IReadOnlyList<string> Buttons { get; } = ["identify", "restart", "rebirth"];

    /// <summary>Builds the discovery payload for <paramref name="deviceId"/>.</summary>
    /// <param name="topics">The fleet's topic layout (base and prefix).</param>
    /// <param name="deviceId">The device id.</param>
    /// <param name="gatewayId">The gateway whose <c>ha/cmd</c> topic the buttons publish to.</param>
    /// <param name="device">What Home Assistant shows about the device.</param>
    public static byte[] Build(FleetTopics topics, string deviceId, string gatewayId, DeviceDescription device)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(device);
        string state = topics.State(deviceId);
        string telemetry = topics.Telemetry(deviceId);
        string command = topics.GatewayHaCommand(gatewayId);
        ArrayBufferWriter<byte> buffer = new(4096);
        using (Utf8JsonWriter w = new(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("dev");
            w.WriteStartArray("ids");
            w.WriteStringValue(deviceId);
            w.WriteEndArray();
            w.WriteString("name", device.Name);
            w.WriteString("mf", Manufacturer);
            w.WriteString("mdl", device.BoardName);
            w.WriteString("sw", device.SoftwareVersion);
            w.WriteString("hw", device.BoardId);
            if (device.Serial is not null)
            {
                w.WriteString("sn", device.Serial);
            }

            w.WriteEndObject();
            w.WriteStartObject("o");
            w.WriteString("name", OriginName);
            w.WriteString("sw", device.SoftwareVersion);
            w.WriteEndObject();
            w.WriteStartArray("availability");
            w.WriteStartObject();
            w.WriteString("topic", topics.Status(deviceId));
            w.WriteString("value_template", "{{ value_json.state }}");
            w.WriteString("payload_available", StatusMessage.Online);
            w.WriteString("payload_not_available", StatusMessage.Offline);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteNumber("qos", 1);
            w.WriteStartObject("cmps");

            Sensor(w, deviceId, "soc_temp", "SoC temperature", telemetry, "socTempC", "temperature", "°C", "measurement");
            if (device.HasGpuTemperature)
            {
                Sensor(w, deviceId, "gpu_temp", "GPU temperature", telemetry, "gpuTempC", "temperature", "°C", "measurement");
            }

            Sensor(w, deviceId, "cpu_load", "CPU load", telemetry, "cpuLoadPct", null, "%", "measurement");
            Sensor(w, deviceId, "mem_used", "Memory used", telemetry, "memUsedPct", null, "%", "measurement");
            Sensor(w, deviceId, "thermal_state", "Thermal state", state, "thermalState", "enum", null, null, options: DeviceStates.ThermalStates);
            Sensor(w, deviceId, "miner_state", "Miner state", state, "minerState", "enum", null, null, options: DeviceStates.MinerStates);
            Sensor(w, deviceId, "store_bytes", "Stored", state, "storeBytes", "data_size", "B", "measurement");
            Sensor(w, deviceId, "sectors", "Sectors", state, "sectors", null, null, "measurement");
            Sensor(w, deviceId, "challenge_pass_rate", "Challenge pass rate", telemetry, "challengePassRatePct", null, "%", "measurement");
            Sensor(w, deviceId, "inference_rps", "Inference rate", telemetry, "inferenceRps", null, "req/s", "measurement");
            Sensor(w, deviceId, "inference_p95_ms", "Inference p95 latency", telemetry, "inferenceP95Ms", "duration", "ms", "measurement");
            Sensor(w, deviceId, "reward_share", "Reward share", state, "rewardSharePct", null, "%", "measurement");

            BinarySensor(w, deviceId, "throttled", "Throttled", telemetry, "throttled");
            BinarySensor(w, deviceId, "under_voltage", "Under-voltage", telemetry, "underVoltage");

            Sensor(w, deviceId, "bytes_written_today", "Bytes written today", telemetry, "bytesWrittenToday", "data_size", "B", "total_increasing", diagnostic: true);
            Sensor(w, deviceId, "uptime", "Uptime", telemetry, "uptimeS", "duration", "s", "measurement", diagnostic: true);
            Sensor(w, deviceId, "version", "Version", state, "version", null, null, null, diagnostic: true);

            foreach (string button in Buttons)
            {
                Button(w, deviceId, button, command);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Component(Utf8JsonWriter w, string deviceId, string key, string platform, string name)
    {
        w.WriteStartObject(key);
        w.WriteString("p", platform);
        w.WriteString("unique_id", deviceId + "_" + key);
        w.WriteString("name", name);
    }

    private static void Sensor(
        Utf8JsonWriter w,
        string deviceId,
        string key,
        string name,
        string stateTopic,
        string field,
        string? deviceClass,
        string? unit,
        string? stateClass,
        IReadOnlyList<string>? options = null,
        bool diagnostic = false)
    {
        Component(w, deviceId, key, "sensor", name);
        w.WriteString("state_topic", stateTopic);
        w.WriteString("value_template", "{{ value_json." + field + " }}");
        if (deviceClass is not null)
        {
            w.WriteString("device_class", deviceClass);
        }

        if (unit is not null)
        {
            w.WriteString("unit_of_measurement", unit);
        }

        if (stateClass is not null)
        {
            w.WriteString("state_class", stateClass);
        }

        if (options is not null)
        {
            w.WriteStartArray("options");
            foreach (string option in options)
            {
                w.WriteStringValue(option);
            }

            w.WriteEndArray();
        }

        if (diagnostic)
        {
            w.WriteString("entity_category", "diagnostic");
        }

        w.WriteEndObject();
    }

    private static void BinarySensor(Utf8JsonWriter w, string deviceId, string key, string name, string stateTopic, string field)
    {
        Component(w, deviceId, key, "binary_sensor", name);
        w.WriteString("state_topic", stateTopic);
        w.WriteString("value_template", "{{ 'ON' if value_json." + field + " else 'OFF' }}");
        w.WriteString("payload_on", "ON");
        w.WriteString("payload_off", "OFF");
        w.WriteString("device_class", "problem");
        w.WriteEndObject();
    }

    private static void Button(Utf8JsonWriter w, string deviceId, string command, string commandTopic)
    {
        Component(w, deviceId, command, "button", char.ToUpperInvariant(command[0]) + command[1..]);
        w.WriteString("command_topic", commandTopic);
        ArrayBufferWriter<byte> press = new(96);
        using (Utf8JsonWriter p = new(press))
        {
            p.WriteStartObject();
            p.WriteString("device", deviceId);
            p.WriteString("command", command);
            p.WriteEndObject();
        }

        w.WriteString("payload_press", press.WrittenSpan);
        if (command is "identify" or "restart")
        {
            w.WriteString("device_class", command);
        }

        if (command == "rebirth")
        {
            w.WriteString("entity_category", "diagnostic");
        }
        else
        {
            w.WriteString("entity_category", "config");
        }

        w.WriteEndObject();
    }
}
