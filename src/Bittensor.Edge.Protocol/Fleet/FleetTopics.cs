// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Protocol.Fleet;

/// <summary>
/// The MQTT topic layout of fleet.md §4: everything under a base (<c>bte/{fleetId}</c> unless configured) plus the
/// Home Assistant discovery prefix. One instance per fleet; immutable and thread-safe.
/// </summary>
public sealed class FleetTopics
{
    /// <summary>The Home Assistant discovery prefix used when none is configured.</summary>
    public const string DefaultHaPrefix = "homeassistant";

    /// <summary>Creates the layout for <paramref name="baseTopic"/> and <paramref name="haPrefix"/>.</summary>
    /// <param name="baseTopic">The base, e.g. <c>bte/lab1</c>; no wildcards, no leading or trailing <c>/</c>.</param>
    /// <param name="haPrefix">The Home Assistant discovery prefix.</param>
    public FleetTopics(string baseTopic, string haPrefix = DefaultHaPrefix)
    {
        ValidateLevelPath(baseTopic, nameof(baseTopic));
        ValidateLevelPath(haPrefix, nameof(haPrefix));
        Base = baseTopic;
        HaPrefix = haPrefix;
    }

    /// <summary>The base topic, e.g. <c>bte/lab1</c>.</summary>
    public string Base { get; }

    /// <summary>The Home Assistant discovery prefix.</summary>
    public string HaPrefix { get; }

    /// <summary>The default layout for a fleet: base <c>bte/{fleetId}</c>.</summary>
    public static FleetTopics ForFleet(string fleetId, string haPrefix = DefaultHaPrefix)
    {
        ValidateLevel(fleetId, nameof(fleetId));
        return new FleetTopics("bte/" + fleetId, haPrefix);
    }

    /// <summary><c>{base}/dev/{id}</c>, the root of one device's topics.</summary>
    public string Device(string deviceId) => $"{Base}/dev/{Checked(deviceId)}";

    /// <summary>Retained birth and last will.</summary>
    public string Status(string deviceId) => Device(deviceId) + "/status";

    /// <summary>Retained full state document.</summary>
    public string State(string deviceId) => Device(deviceId) + "/state";

    /// <summary>One telemetry sample (QoS 0).</summary>
    public string Telemetry(string deviceId) => Device(deviceId) + "/telemetry";

    /// <summary>Buffered telemetry sent after a reconnect.</summary>
    public string TelemetryBackfill(string deviceId) => Device(deviceId) + "/telemetry/backfill";

    /// <summary>Thermal transitions, update results, errors.</summary>
    public string Event(string deviceId) => Device(deviceId) + "/event";

    /// <summary>A signed command from the gateway; never retained.</summary>
    public string Command(string deviceId, string name)
    {
        ValidateLevel(name, nameof(name));
        return Device(deviceId) + "/cmd/" + name;
    }

    /// <summary>The filter a device subscribes to for its commands.</summary>
    public string CommandFilter(string deviceId) => Device(deviceId) + "/cmd/#";

    /// <summary>Storage and inference requests from the gateway.</summary>
    public string RpcRequest(string deviceId) => Device(deviceId) + "/rpc/req";

    /// <summary>The device's responses (the usual MQTT 5 ResponseTopic of its requests).</summary>
    public string RpcResponse(string deviceId) => Device(deviceId) + "/rpc/resp";

    /// <summary>The device's share of the miner uid's reward (retained).</summary>
    public string Share(string deviceId) => Device(deviceId) + "/share";

    /// <summary>Blob pieces for this device.</summary>
    public string BlobResponse(string deviceId) => Device(deviceId) + "/blob/resp";

    /// <summary><c>{base}/gw/{gw}</c>.</summary>
    public string Gateway(string gatewayId)
    {
        ValidateLevel(gatewayId, nameof(gatewayId));
        return $"{Base}/gw/{gatewayId}";
    }

    /// <summary>Gateway birth and will.</summary>
    public string GatewayStatus(string gatewayId) => Gateway(gatewayId) + "/status";

    /// <summary>Fleet totals.</summary>
    public string GatewayFleet(string gatewayId) => Gateway(gatewayId) + "/fleet";

    /// <summary>Signed model registry.</summary>
    public string GatewayRegistry(string gatewayId) => Gateway(gatewayId) + "/registry";

    /// <summary>Where devices ask for blob pieces.</summary>
    public string GatewayBlobRequest(string gatewayId) => Gateway(gatewayId) + "/blob/req";

    /// <summary>Home Assistant button presses.</summary>
    public string GatewayHaCommand(string gatewayId) => Gateway(gatewayId) + "/ha/cmd";

    /// <summary>The device-based discovery topic <c>{haPrefix}/device/{id}/config</c>.</summary>
    public string HaDiscovery(string deviceId) => $"{HaPrefix}/device/{Checked(deviceId)}/config";

    /// <summary>Home Assistant's own birth topic.</summary>
    public string HaStatus => HaPrefix + "/status";

    /// <summary>The join request topic of one join client (fleet.md §3).</summary>
    public string JoinRequest(string clientId)
    {
        ValidateLevel(clientId, nameof(clientId));
        return $"{Base}/join/{clientId}/req";
    }

    /// <summary>The join response topic of one join client.</summary>
    public string JoinResponse(string clientId)
    {
        ValidateLevel(clientId, nameof(clientId));
        return $"{Base}/join/{clientId}/resp";
    }

    /// <summary>
    /// Splits <c>{base}/dev/{id}/{rest}</c> into the device id and <c>rest</c> (e.g. <c>state</c>, <c>cmd/restart</c>).
    /// False for any other topic, including one whose id is not a well-formed device id.
    /// </summary>
    public bool TryParseDeviceTopic(string topic, out string deviceId, out string rest)
    {
        ArgumentNullException.ThrowIfNull(topic);
        deviceId = "";
        rest = "";
        string prefix = Base + "/dev/";
        if (!topic.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        int idEnd = topic.IndexOf('/', prefix.Length);
        if (idEnd < 0 || idEnd == topic.Length - 1)
        {
            return false;
        }

        ReadOnlySpan<char> id = topic.AsSpan(prefix.Length, idEnd - prefix.Length);
        if (!DeviceIds.IsValid(id))
        {
            return false;
        }

        deviceId = id.ToString();
        rest = topic[(idEnd + 1)..];
        return true;
    }

    private static string Checked(string deviceId)
    {
        if (!DeviceIds.IsValid(deviceId))
        {
            ThrowHelper.ThrowArgument(nameof(deviceId), $"'{deviceId}' is not a device id (dev- and 16 base32 characters).");
        }

        return deviceId;
    }

    private static void ValidateLevelPath(string value, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, paramName);
        foreach (string level in value.Split('/'))
        {
            ValidateLevel(level, paramName);
        }
    }

    private static void ValidateLevel(string value, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, paramName);
        if (value.AsSpan().IndexOfAny("/+#\0") >= 0)
        {
            ThrowHelper.ThrowArgument(paramName, $"'{value}' is not a valid MQTT topic level (empty, or contains '/', '+', '#' or NUL).");
        }
    }
}
