// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Protocol.Fleet;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Gateway.Settings;

/// <summary>The one check of <see cref="GatewaySettings"/> at start-up; each problem names its key.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class GatewaySettingsValidator
{
    /// <summary>Every problem as <c>section:key: what is wrong</c>; empty when the settings are usable.</summary>
    public static List<string> Validate(GatewaySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        List<string> errors = [];
        GatewaySection gateway = settings.Gateway;
        if (string.IsNullOrWhiteSpace(gateway.DataDir))
        {
            errors.Add("gateway:dataDir: must name a folder.");
        }

        CheckLevel(gateway.FleetId, "gateway:fleetId", errors);
        CheckLevel(gateway.GatewayId, "gateway:gatewayId", errors);
        CheckPath(gateway.BaseTopic, "gateway:baseTopic", allowEmpty: true, errors);
        CheckPath(gateway.HaPrefix, "gateway:haPrefix", allowEmpty: false, errors);
        if (!FileUris.IsWellFormed(gateway.BusKeyUri, out string? problem))
        {
            errors.Add($"gateway:busKeyUri: {problem}");
        }

        if (!TryParseLogLevel(gateway.LogLevel, out _))
        {
            errors.Add($"gateway:logLevel: '{gateway.LogLevel}' is not one of Trace, Debug, Information, Warning, Error, Critical, None.");
        }

        CheckAddress(settings.Mqtt.ListenAddress, "mqtt:listenAddress", errors);
        CheckPort(settings.Mqtt.Port, "mqtt:port", errors);
        CheckPort(settings.Mqtt.TlsPort, "mqtt:tlsPort", errors);
        if (settings.Mqtt.TlsEnabled && settings.Mqtt.TlsPort != 0 && settings.Mqtt.TlsPort == settings.Mqtt.Port)
        {
            errors.Add($"mqtt:tlsPort: {settings.Mqtt.TlsPort} is also mqtt:port; the plain and TLS listeners need different ports.");
        }

        if (settings.Mqtt.JoinConnectsPerMinute is < 1 or > 10_000)
        {
            errors.Add($"mqtt:joinConnectsPerMinute: {settings.Mqtt.JoinConnectsPerMinute} is outside 1–10000.");
        }

        if (!FileUris.IsWellFormed(settings.Mqtt.HomeAssistantPasswordUri, out problem))
        {
            errors.Add($"mqtt:homeAssistantPasswordUri: {problem}");
        }

        CheckAddress(settings.Admin.ListenAddress, "admin:listenAddress", errors);
        CheckPort(settings.Admin.Port, "admin:port", errors);
        if (!BundledModels.IsBundled(settings.Probe.Model))
        {
            errors.Add($"probe:model: '{settings.Probe.Model}' is not a bundled model ({string.Join(", ", BundledModels.Ids)}).");
        }

        if (settings.Probe.Leaves is < 1 or > 64)
        {
            errors.Add($"probe:leaves: {settings.Probe.Leaves} is outside 1–64.");
        }

        if (settings.Probe.TimeoutS is < 1 or > 300)
        {
            errors.Add($"probe:timeoutS: {settings.Probe.TimeoutS} is outside 1–300.");
        }

        return errors;
    }

    /// <summary>Parses a level name (case-insensitive), refusing numbers.</summary>
    public static bool TryParseLogLevel(string? text, out LogLevel level)
    {
        level = LogLevel.Information;
        return !string.IsNullOrWhiteSpace(text) && !char.IsAsciiDigit(text[0]) && Enum.TryParse(text, ignoreCase: true, out level) && Enum.IsDefined(level);
    }

    /// <summary>The topic layout of these settings (valid settings only).</summary>
    public static FleetTopics Topics(GatewaySection gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        return string.IsNullOrEmpty(gateway.BaseTopic)
            ? FleetTopics.ForFleet(gateway.FleetId, gateway.HaPrefix)
            : new FleetTopics(gateway.BaseTopic, gateway.HaPrefix);
    }

    private static void CheckLevel(string value, string key, List<string> errors)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64 || value.AsSpan().IndexOfAny("/+#\0 ") >= 0)
        {
            errors.Add($"{key}: '{value}' must be 1–64 characters without '/', '+', '#' or spaces (it is one MQTT topic level).");
        }
    }

    private static void CheckPath(string value, string key, bool allowEmpty, List<string> errors)
    {
        if (allowEmpty && string.IsNullOrEmpty(value))
        {
            return;
        }

        if (string.IsNullOrEmpty(value) || value.Split('/').Any(level => level.Length == 0 || level.AsSpan().IndexOfAny("+#\0") >= 0))
        {
            errors.Add($"{key}: '{value}' is not a topic path (levels separated by '/', none empty, no '+' or '#').");
        }
    }

    private static void CheckAddress(string value, string key, List<string> errors)
    {
        if (!IPAddress.TryParse(value, out _))
        {
            errors.Add($"{key}: '{value}' is not an IP address (use 127.0.0.1, 0.0.0.0 or ::).");
        }
    }

    private static void CheckPort(int port, string key, List<string> errors)
    {
        if (port is < 0 or > 65535)
        {
            errors.Add($"{key}: {port} is not a TCP port (0–65535; 0 picks a free one).");
        }
    }
}
