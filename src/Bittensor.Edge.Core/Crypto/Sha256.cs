// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Core.Crypto;

/// <summary>SHA-256 (FIPS 180-4) through .NET's <see cref="System.Security.Cryptography.SHA256"/>.</summary>
/// <remarks>All members are thread-safe.</remarks>
public static class Sha256
{
    /// <summary>SHA-256 of <paramref name="data"/>.</summary>
    public static Hash256 Hash(ReadOnlySpan<byte> data)
    {
        Bytes32 hash = default;
        System.Security.Cryptography.SHA256.HashData(data, hash);
        return new Hash256(hash);
    }

    /// <summary>Writes SHA-256 of <paramref name="data"/> to <paramref name="destination"/> (exactly 32 bytes).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not 32 bytes long.</exception>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length != Hash256.Size)
        {
            ThrowHelper.ThrowArgumentLength(nameof(destination), Hash256.Size, destination.Length);
        }

        System.Security.Cryptography.SHA256.HashData(data, destination);
    }
}
