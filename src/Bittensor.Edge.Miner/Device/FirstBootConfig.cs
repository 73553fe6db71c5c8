// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Miner.Settings;
using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Miner.Device;

/// <summary>
/// <c>firstboot.json</c> (fleet.md §3): the fleet this device joins. <c>bte-firstboot</c> copies it from the boot
/// partition to the state folder (0600); the miner reads that copy, and after a successful join removes
/// <c>joinToken</c> from it (<see cref="FirstBootFile.RemoveJoinToken"/>). Members the miner does not use (<c>wifi</c>,
/// <c>sshAuthorizedKeys</c>, <c>hostname</c>) are kept untouched.
/// </summary>
/// <param name="FleetId">The fleet id; the bus base topic is <c>bte/{fleetId}</c>.</param>
/// <param name="Gateway">Where the gateway is and which key it must prove.</param>
/// <param name="JoinToken">The one-time token (<c>btejt_…</c>); absent once used or for a preauthorized device.</param>
/// <param name="TelemetryPeriodS">Seconds between telemetry samples, or absent for 60.</param>
/// <param name="HaDiscoveryPrefix">The Home Assistant discovery prefix, or absent for <c>homeassistant</c>.</param>
public sealed record FirstBootConfig(string FleetId, FirstBootGateway Gateway, string? JoinToken = null, int? TelemetryPeriodS = null, string? HaDiscoveryPrefix = null)
{
    /// <summary>The gateway's pinned bus key, decoded from <see cref="FirstBootGateway.PublicKey"/> (valid after <see cref="FirstBootFile.TryLoad"/>).</summary>
    /// <remarks>A method, not a property, so the JSON source generator never describes the key's span members.</remarks>
    public PublicKey GetGatewayKey() => Ss58.Decode(Gateway.PublicKey);
}

/// <summary>The <c>gateway</c> member of <see cref="FirstBootConfig"/>.</summary>
/// <param name="Mqtt">The broker URI: <c>mqtt://host:1883</c> or <c>mqtts://host:8883</c>.</param>
/// <param name="PublicKey">The gateway's bus key as SS58: the device refuses any gateway that cannot prove it.</param>
/// <param name="TlsSha256">The SHA-256 (hex) of the gateway's self-signed certificate for <c>mqtts</c>, or null.</param>
/// <param name="GatewayId">
/// The gateway's id in topics (its <c>gateway:gatewayId</c>), which the Home Assistant buttons publish under
/// (<c>{base}/gw/{gatewayId}/ha/cmd</c>); absent for <c>gw1</c>, the gateway's default.
/// </param>
public sealed record FirstBootGateway(string Mqtt, string PublicKey, string? TlsSha256 = null, string? GatewayId = null)
{
    /// <summary>The gateway id when none is given, the same default as the gateway's.</summary>
    public const string DefaultGatewayId = "gw1";

    /// <summary><see cref="GatewayId"/>, or <see cref="DefaultGatewayId"/>.</summary>
    public string GatewayIdOrDefault() => GatewayId ?? DefaultGatewayId;
}

/// <summary>Reads and rewrites the state folder's <c>firstboot.json</c>.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class FirstBootFile
{
    /// <summary>Largest accepted file: the spec's fields with room for many SSH keys.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>
    /// Reads and checks <paramref name="path"/>. False with a message that names the bad member (and never echoes the
    /// token) when the file is missing, unreadable or invalid.
    /// </summary>
    public static bool TryLoad(string path, [NotNullWhen(true)] out FirstBootConfig? config, [NotNullWhen(false)] out string? error)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        config = null;
        byte[] bytes;
        try
        {
            FileInfo info = new(path);
            if (!info.Exists)
            {
                error = $"{path} does not exist: the device does not know its fleet. bte-firstboot copies it from bte-firstboot.json on the boot partition.";
                return false;
            }

            if (info.Length > MaxBytes)
            {
                error = $"{path} is {info.Length} bytes; a first-boot file is at most {MaxBytes}.";
                return false;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{path} cannot be read: {e.Message}";
            return false;
        }

        FirstBootConfig? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(bytes, FirstBootJsonContext.Default.FirstBootConfig);
        }
        catch (JsonException e)
        {
            error = $"{path} is not a valid first-boot file: {e.Message}";
            return false;
        }

        if (parsed is null)
        {
            error = $"{path} is not a valid first-boot file: it is null.";
            return false;
        }

        error = Validate(parsed);
        if (error is not null)
        {
            error = $"{path}: {error}";
            return false;
        }

        config = parsed;
        return true;
    }

    /// <summary>The first problem of <paramref name="config"/>, naming its member, or null.</summary>
    public static string? Validate(FirstBootConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrEmpty(config.FleetId) || config.FleetId.AsSpan().IndexOfAny("/+#\0 ") >= 0)
        {
            return $"fleetId '{config.FleetId}' is not usable in an MQTT topic (empty, or contains '/', '+', '#', a space or NUL).";
        }

        if (!Uri.TryCreate(config.Gateway.Mqtt, UriKind.Absolute, out Uri? broker) || broker.Scheme is not ("mqtt" or "mqtts") || string.IsNullOrEmpty(broker.Host))
        {
            return $"gateway.mqtt '{config.Gateway.Mqtt}' is not a broker address (mqtt://host:1883 or mqtts://host:8883).";
        }

        if (!Ss58.TryDecode(config.Gateway.PublicKey, out _))
        {
            return $"gateway.publicKey '{config.Gateway.PublicKey}' is not an SS58 address.";
        }

        if (config.Gateway.TlsSha256 is { } pin && (pin.Length != 64 || !pin.All(char.IsAsciiHexDigit)))
        {
            return "gateway.tlsSha256 must be 64 hex digits (the SHA-256 of the gateway's certificate) or null.";
        }

        if (broker.Scheme == "mqtts" && config.Gateway.TlsSha256 is null)
        {
            return "gateway.tlsSha256 is required for mqtts:// (the gateway's certificate is self-signed and pinned).";
        }

        if (config.Gateway.GatewayId is { } gatewayId && (gatewayId.Length == 0 || gatewayId.AsSpan().IndexOfAny("/+#\0 ") >= 0))
        {
            return $"gateway.gatewayId '{gatewayId}' is not one MQTT topic level (empty, or contains '/', '+', '#', a space or NUL); leave it out for gw1.";
        }

        if (config.JoinToken is not null && !Protocol.Fleet.JoinToken.TryParse(config.JoinToken, out _))
        {
            return "joinToken is not a fleet token (btejt_ followed by 43 base64url characters); copy it again from 'bte fleet token create'.";
        }

        if (config.TelemetryPeriodS is { } period && period is < MinerSettingsValidator.MinTelemetryPeriodS or > MinerSettingsValidator.MaxTelemetryPeriodS)
        {
            return $"telemetryPeriodS {period} is outside {MinerSettingsValidator.MinTelemetryPeriodS}–{MinerSettingsValidator.MaxTelemetryPeriodS}.";
        }

        if (config.HaDiscoveryPrefix is { } prefix)
        {
            try
            {
                _ = new FleetTopics("bte/x", prefix);
            }
            catch (ArgumentException)
            {
                return $"haDiscoveryPrefix '{prefix}' is not a valid MQTT topic prefix.";
            }
        }

        return null;
    }

    /// <summary>
    /// Rewrites <paramref name="path"/> without its <c>joinToken</c> member (temp → fsync → rename, 0600), keeping every
    /// other member as it was. Returns false when the file had no token.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read or written.</exception>
    /// <exception cref="JsonException">The file is not a JSON object.</exception>
    public static bool RemoveJoinToken(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        JsonNode? node = JsonNode.Parse(File.ReadAllBytes(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (node is not JsonObject root)
        {
            throw new JsonException($"{path} is not a JSON object.");
        }

        if (!root.Remove("joinToken"))
        {
            return false;
        }

        using MemoryStream buffer = new();
        using (Utf8JsonWriter writer = new(buffer, new JsonWriterOptions { Indented = true }))
        {
            root.WriteTo(writer);
        }

        buffer.WriteByte((byte)'\n');
        DurableFile.Write(path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        return true;
    }
}
