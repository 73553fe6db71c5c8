// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Bittensor.Edge.Miner.Device;

/// <summary>
/// <c>enrollment.json</c> (fleet.md §3, step 4): written once the gateway accepted this device, and from then on the
/// sign that the device logs in as itself rather than joining.
/// </summary>
/// <param name="DeviceId">The device id the gateway confirmed.</param>
/// <param name="FleetId">The fleet joined.</param>
/// <param name="GatewayPublicKey">The gateway's bus key (SS58) that signed the acceptance.</param>
/// <param name="Mqtt">The broker the join went through.</param>
/// <param name="TokenId">The token id used (16 hex digits; all zero for a preauthorized key).</param>
/// <param name="EnrolledAtUnixMs">When the acceptance arrived.</param>
public sealed record Enrollment(string DeviceId, string FleetId, string GatewayPublicKey, string Mqtt, string TokenId, long EnrolledAtUnixMs)
{
    /// <summary>Writes the record durably (temp → fsync → rename, 0600).</summary>
    public void Write(string path) => DurableFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(this, FirstBootJsonContext.Default.Enrollment));

    /// <summary>Reads an enrollment; false with the reason when missing or unreadable (a missing file is <paramref name="error"/> null).</summary>
    public static bool TryRead(string path, [NotNullWhen(true)] out Enrollment? enrollment, out string? error)
    {
        enrollment = null;
        error = null;
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            enrollment = JsonSerializer.Deserialize(File.ReadAllBytes(path), FirstBootJsonContext.Default.Enrollment);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            error = $"{path} cannot be read: {e.Message}";
            return false;
        }

        if (enrollment is null || !Protocol.Fleet.DeviceIds.IsValid(enrollment.DeviceId))
        {
            error = $"{path} does not hold a valid enrollment.";
            enrollment = null;
            return false;
        }

        return true;
    }
}
