// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Gateway.Bus;

/// <summary>
/// A Home Assistant button press on <c>{base}/gw/{gw}/ha/cmd</c> (fleet.md §8): <c>{"device": id, "command": name}</c>.
/// Home Assistant cannot sign, so the gateway signs and forwards it, and only for the three harmless commands
/// <c>identify</c>, <c>restart</c> and <c>rebirth</c>.
/// </summary>
/// <param name="DeviceId">The target device id.</param>
/// <param name="Command">One of <see cref="Allowed"/>.</param>
public sealed record HomeAssistantCommand(string DeviceId, string Command)
{
    /// <summary>The largest payload read; a button press is well under 100 bytes.</summary>
    public const int MaxPayloadBytes = 1024;

    /// <summary>The only commands Home Assistant may have the gateway send.</summary>
    public static IReadOnlyList<string> Allowed { get; } = [BusMethods.Identify, BusMethods.Restart, BusMethods.Rebirth];

    /// <summary>
    /// Parses a button press; <paramref name="problem"/> says why it is refused (malformed JSON, missing members, not a
    /// device id, a command that is not allowed). Whether the device is enrolled is the caller's check.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> payload, [NotNullWhen(true)] out HomeAssistantCommand? command, [NotNullWhen(false)] out string? problem)
    {
        command = null;
        if (payload.Length > MaxPayloadBytes)
        {
            problem = $"payload of {payload.Length} bytes is larger than {MaxPayloadBytes}";
            return false;
        }

        string? device;
        string? name;
        try
        {
            using JsonDocument document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = "not a JSON object {\"device\": id, \"command\": name}";
                return false;
            }

            device = StringMember(document.RootElement, "device");
            name = StringMember(document.RootElement, "command");
        }
        catch (JsonException e)
        {
            problem = "malformed JSON: " + e.Message;
            return false;
        }

        if (device is null || name is null)
        {
            problem = "needs string members \"device\" and \"command\"";
            return false;
        }

        if (!DeviceIds.IsValid(device))
        {
            problem = $"'{Printable(device)}' is not a device id";
            return false;
        }

        if (!Allowed.Contains(name, StringComparer.Ordinal))
        {
            problem = $"command '{Printable(name)}' is not one Home Assistant may send ({string.Join(", ", Allowed)})";
            return false;
        }

        command = new HomeAssistantCommand(device, name);
        problem = null;
        return true;
    }

    private static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // Names come from the network and go into a log line: short and without control characters.
    private static string Printable(string text)
    {
        string cut = text.Length > 64 ? text[..64] + "…" : text;
        return string.Create(cut.Length, cut, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
