// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Fleet;

/// <summary>
/// Device ids (fleet.md §3): <c>dev-</c> followed by the lowercase unpadded base32 (RFC 4648 alphabet) of the first
/// 10 bytes of SHA-256 of the device's Ed25519 public key: 16 characters, safe in MQTT topics and Home Assistant ids.
/// </summary>
public static class DeviceIds
{
    /// <summary>The prefix every device id starts with.</summary>
    public const string Prefix = "dev-";

    /// <summary>The length of a device id, prefix included.</summary>
    public const int Length = 20;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>The device id of <paramref name="devicePublicKey"/>.</summary>
    public static string FromPublicKey(in PublicKey devicePublicKey)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(devicePublicKey.Bytes, digest);
        return string.Create(Length, digest[..10].ToArray(), static (chars, bytes) =>
        {
            Prefix.AsSpan().CopyTo(chars);
            // 10 bytes = 80 bits = exactly 16 base32 digits of 5 bits each.
            ulong high = ((ulong)bytes[0] << 32) | ((ulong)bytes[1] << 24) | ((ulong)bytes[2] << 16) | ((ulong)bytes[3] << 8) | bytes[4];
            ulong low = ((ulong)bytes[5] << 32) | ((ulong)bytes[6] << 24) | ((ulong)bytes[7] << 16) | ((ulong)bytes[8] << 8) | bytes[9];
            for (int i = 0; i < 8; i++)
            {
                chars[Prefix.Length + i] = Alphabet[(int)((high >> (35 - (5 * i))) & 31)];
                chars[Prefix.Length + 8 + i] = Alphabet[(int)((low >> (35 - (5 * i))) & 31)];
            }
        });
    }

    /// <summary>Whether <paramref name="value"/> has the form of a device id (prefix, length, base32 alphabet).</summary>
    public static bool IsValid(ReadOnlySpan<char> value)
    {
        if (value.Length != Length || !value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in value[Prefix.Length..])
        {
            if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')))
            {
                return false;
            }
        }

        return true;
    }
}
