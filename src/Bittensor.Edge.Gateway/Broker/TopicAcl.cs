// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Gateway.Broker;

/// <summary>Who an authenticated MQTT connection is; decided by its username at CONNECT.</summary>
public enum ClientRole
{
    /// <summary>Not one of the known users; never admitted.</summary>
    Unknown,

    /// <summary>The gateway's own bus client: everything.</summary>
    Internal,

    /// <summary>A device joining (user <c>join</c>): only its own join topics.</summary>
    Join,

    /// <summary>An enrolled device (username = device id): its own topics and the shared ones of fleet.md §4.</summary>
    Device,

    /// <summary>Home Assistant: reads everything of the fleet, writes its status and the gateway's HA command topic.</summary>
    HomeAssistant,
}

/// <summary>
/// The broker's topic ACL (fleet.md §4, "Broker ACL"), as MQTT topic filters per role. A publish is allowed when one
/// allowed filter matches its topic; a subscription when one allowed filter covers the whole requested filter (every
/// topic the request could match is allowed), so <c>dev/+/cmd/#</c> or <c>#</c> is refused to a device even though
/// some of what it matches is its own.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class TopicAcl
{
    private readonly FleetTopics _topics;
    private readonly string _gatewayId;

    /// <summary>The ACL of one fleet's layout and gateway.</summary>
    public TopicAcl(FleetTopics topics, string gatewayId)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentException.ThrowIfNullOrEmpty(gatewayId);
        _topics = topics;
        _gatewayId = gatewayId;
    }

    /// <summary>The role of a connection by its username (already authenticated).</summary>
    public static ClientRole RoleOf(string? userName) => userName switch
    {
        GatewayConstants.InternalUser => ClientRole.Internal,
        GatewayConstants.JoinUser => ClientRole.Join,
        GatewayConstants.HomeAssistantUser => ClientRole.HomeAssistant,
        not null when DeviceIds.IsValid(userName) => ClientRole.Device,
        _ => ClientRole.Unknown,
    };

    /// <summary>
    /// Whether <paramref name="userName"/> (as <paramref name="clientId"/>) may publish to <paramref name="topic"/>
    /// (with the retain flag <paramref name="retain"/>: Home Assistant's button presses are never retained).
    /// </summary>
    public bool MayPublish(string? userName, string? clientId, string topic, bool retain = false)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (topic.Length == 0 || topic.AsSpan().IndexOfAny("+#\0") >= 0)
        {
            return false;
        }

        return RoleOf(userName) switch
        {
            ClientRole.Internal => true,
            ClientRole.Join => IsJoinClientId(clientId) && topic == _topics.JoinRequest(clientId!),
            ClientRole.Device => AnyCovers(DevicePublish(userName!), topic),
            ClientRole.HomeAssistant => topic == _topics.HaStatus || (topic == _topics.GatewayHaCommand(_gatewayId) && !retain),
            _ => false,
        };
    }

    /// <summary>Whether <paramref name="userName"/> (as <paramref name="clientId"/>) may subscribe to <paramref name="filter"/>.</summary>
    public bool MaySubscribe(string? userName, string? clientId, string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Length == 0 || filter.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        return RoleOf(userName) switch
        {
            ClientRole.Internal => true,
            ClientRole.Join => IsJoinClientId(clientId) && filter == _topics.JoinResponse(clientId!),
            ClientRole.Device => AnyCovers(DeviceSubscribe(userName!), filter),
            ClientRole.HomeAssistant => AnyCovers([_topics.HaPrefix + "/#", _topics.Base + "/#"], filter),
            _ => false,
        };
    }

    /// <summary>
    /// Why the last will of a CONNECT by <paramref name="userName"/> is refused, or null when it is allowed. A device's
    /// will may only be its own <c>{base}/dev/{id}/status</c>, QoS 1, retained, with an <c>offline</c>
    /// <see cref="StatusMessage"/> payload (fleet.md §4); Home Assistant's only <c>{haPrefix}/status</c> at QoS 0 or 1;
    /// a join client may set none; the gateway's own client any. Unknown users are left to authentication.
    /// </summary>
    /// <param name="userName">The CONNECT's username.</param>
    /// <param name="topic">The will topic.</param>
    /// <param name="qos">The will QoS (0–2).</param>
    /// <param name="retain">The will retain flag.</param>
    /// <param name="payload">The will payload.</param>
    public string? WillProblem(string? userName, string? topic, int qos, bool retain, ReadOnlySpan<byte> payload)
    {
        switch (RoleOf(userName))
        {
            case ClientRole.Internal:
            case ClientRole.Unknown:
                return null;

            case ClientRole.Join:
                return "a join client may not set a last will";

            case ClientRole.HomeAssistant:
                return topic == _topics.HaStatus && qos <= 1
                    ? null
                    : $"Home Assistant's last will may only be {_topics.HaStatus} at QoS 0 or 1 (was '{topic}', QoS {qos})";

            default:
                string own = _topics.Status(userName!);
                if (topic != own)
                {
                    return $"a device's last will may only be its own status topic {own} (was '{topic}')";
                }

                if (qos != 1 || !retain)
                {
                    return $"a device's last will must be QoS 1 and retained (was QoS {qos}, retain {retain}; fleet.md §4)";
                }

                return StatusMessage.TryDecode(payload, out StatusMessage? status) && status!.State == StatusMessage.Offline
                    ? null
                    : "a device's last will must be an offline status message {state: offline, bdSeq, ts, clean}";
        }
    }

    /// <summary>Whether <paramref name="clientId"/> has the form <c>join-</c> and 16 lowercase hex digits.</summary>
    public static bool IsJoinClientId(string? clientId)
    {
        if (clientId is null || clientId.Length != GatewayConstants.JoinClientPrefix.Length + 16 || !clientId.StartsWith(GatewayConstants.JoinClientPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in clientId.AsSpan(GatewayConstants.JoinClientPrefix.Length))
        {
            if (!char.IsAsciiDigit(c) && c is < 'a' or > 'f')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether every topic matched by <paramref name="requested"/> is matched by <paramref name="allowed"/> (MQTT
    /// filter semantics; a topic name is a filter without wildcards). Conservative: a <c>+</c> is covered only by
    /// <c>+</c> or <c>#</c>, a <c>#</c> only by <c>#</c>.
    /// </summary>
    public static bool Covers(string allowed, string requested)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        ArgumentNullException.ThrowIfNull(requested);
        string[] a = allowed.Split('/');
        string[] r = requested.Split('/');
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] == "#")
            {
                // '#' also matches its parent level ("a/#" matches "a"), and wildcards never match a leading '$' level.
                return !(i == 0 && r[0].StartsWith('$'));
            }

            if (i >= r.Length || r[i] == "#")
            {
                return false;
            }

            if (a[i] == "+")
            {
                if (i == 0 && r[0].StartsWith('$'))
                {
                    return false;
                }

                continue;
            }

            if (r[i] == "+" || !string.Equals(a[i], r[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return r.Length == a.Length;
    }

    private string[] DevicePublish(string deviceId)
    {
        string device = _topics.Device(deviceId);
        return
        [
            device + "/status",
            device + "/state",
            device + "/telemetry/#",
            device + "/event",
            device + "/rpc/resp",
            _topics.Base + "/gw/+/blob/req",
            _topics.HaDiscovery(deviceId),
        ];
    }

    private string[] DeviceSubscribe(string deviceId)
    {
        string device = _topics.Device(deviceId);
        return
        [
            device + "/cmd/#",
            device + "/rpc/req",
            device + "/blob/resp",
            device + "/share",
            _topics.Base + "/gw/+/registry",
            _topics.HaStatus,
        ];
    }

    private static bool AnyCovers(string[] allowed, string requested)
    {
        foreach (string filter in allowed)
        {
            if (Covers(filter, requested))
            {
                return true;
            }
        }

        return false;
    }
}
