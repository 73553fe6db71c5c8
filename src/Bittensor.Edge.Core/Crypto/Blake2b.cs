// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using NSec.Cryptography;

namespace Bittensor.Edge.Core.Crypto;

/// <summary>
/// Unkeyed BLAKE2b (RFC 7693) through NSec: the 256-bit form is the chain hash <c>H</c> of protocol.md §1,
/// the 512-bit form feeds the SS58 checksum.
/// </summary>
/// <remarks>All members are thread-safe.</remarks>
public static class Blake2b
{
    /// <summary>BLAKE2b-256 of <paramref name="data"/>.</summary>
    public static Hash256 Hash256(ReadOnlySpan<byte> data)
    {
        Bytes32 hash = default;
        HashAlgorithm.Blake2b_256.Hash(data, hash);
        return new Hash256(hash);
    }

    /// <summary>Writes BLAKE2b-256 of <paramref name="data"/> to <paramref name="destination"/> (exactly 32 bytes).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not 32 bytes long.</exception>
    public static void Hash256(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length != Crypto.Hash256.Size)
        {
            ThrowHelper.ThrowArgumentLength(nameof(destination), Crypto.Hash256.Size, destination.Length);
        }

        HashAlgorithm.Blake2b_256.Hash(data, destination);
    }

    /// <summary>BLAKE2b-512 of <paramref name="data"/> as a new 64-byte array.</summary>
    public static byte[] Hash512(ReadOnlySpan<byte> data)
    {
        byte[] hash = new byte[Constants.Hash512Size];
        Hash512(data, hash);
        return hash;
    }

    /// <summary>Writes BLAKE2b-512 of <paramref name="data"/> to <paramref name="destination"/> (exactly 64 bytes).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not 64 bytes long.</exception>
    public static void Hash512(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length != Constants.Hash512Size)
        {
            ThrowHelper.ThrowArgumentLength(nameof(destination), Constants.Hash512Size, destination.Length);
        }

        HashAlgorithm.Blake2b_512.Hash(data, destination);
    }
}
