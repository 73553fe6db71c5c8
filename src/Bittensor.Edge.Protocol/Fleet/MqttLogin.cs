// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Fleet;

/// <summary>
/// An enrolled device's MQTT login (fleet.md §3): username = device id, password = <c>v1.&lt;unixSeconds&gt;.&lt;base64 sig&gt;</c>
/// with <c>sig = Ed25519(device key, "bte/mqtt-login/v1" ‖ deviceId ‖ u64 LE unixSeconds)</c>. The broker also checks
/// the time window (±300 s) and that the time is newer than the last accepted login; that state is the broker's.
/// </summary>
public static class MqttLogin
{
    /// <summary>The largest accepted difference between the login time and the broker's clock.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromSeconds(300);

    /// <summary>The password for <paramref name="deviceId"/> at <paramref name="unixSeconds"/>.</summary>
    public static string CreatePassword(Ed25519KeyPair deviceKey, string deviceId, long unixSeconds)
    {
        ArgumentNullException.ThrowIfNull(deviceKey);
        Signature sig = deviceKey.Sign(SignedBytes(deviceId, unixSeconds));
        return string.Create(CultureInfo.InvariantCulture, $"v1.{unixSeconds}.{Convert.ToBase64String(sig.Bytes)}");
    }

    /// <summary>
    /// Checks the form and signature of <paramref name="password"/> for <paramref name="deviceId"/> and returns its time;
    /// false for any malformed or forged password. Never throws for bad input.
    /// </summary>
    public static bool TryVerify(string? password, string deviceId, in PublicKey devicePub, out long unixSeconds)
    {
        unixSeconds = 0;
        if (password is null || !password.StartsWith("v1.", StringComparison.Ordinal) || !DeviceIds.IsValid(deviceId))
        {
            return false;
        }

        int dot = password.IndexOf('.', 3);
        if (dot < 0 || !long.TryParse(password.AsSpan(3, dot - 3), NumberStyles.None, CultureInfo.InvariantCulture, out long t))
        {
            return false;
        }

        Span<byte> sig = stackalloc byte[Signature.Size + 2];
        if (!Convert.TryFromBase64Chars(password.AsSpan(dot + 1), sig, out int written) || written != Signature.Size)
        {
            return false;
        }

        if (!Ed25519.Verify(devicePub, SignedBytes(deviceId, t), sig[..Signature.Size]))
        {
            return false;
        }

        unixSeconds = t;
        return true;
    }

    private static byte[] SignedBytes(string deviceId, long unixSeconds)
    {
        ReadOnlySpan<byte> tag = "bte/mqtt-login/v1"u8;
        int idLength = Encoding.UTF8.GetByteCount(deviceId);
        byte[] message = new byte[tag.Length + idLength + sizeof(ulong)];
        tag.CopyTo(message);
        Encoding.UTF8.GetBytes(deviceId, message.AsSpan(tag.Length));
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(tag.Length + idLength), unchecked((ulong)unixSeconds));
        return message;
    }
}
