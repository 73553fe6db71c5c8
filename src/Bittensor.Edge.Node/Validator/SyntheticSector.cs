// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Bittensor.Edge.Storage;

namespace Bittensor.Edge.Node.Validator;

/// <summary>
/// Sector data a validator can regenerate instead of keeping (specs/storage-proofs.md §3.1):
/// <c>key = SHA-256("bte/synthetic/v1" ‖ secret[32] ‖ u64 counter)</c> and
/// <c>data = AES-256-ECB_key(u128 BE block counter 0..262 143)</c>, a CTR keystream.
/// </summary>
/// <remarks>
/// Layout of the key input: [0, 16) ASCII tag; [16, 48) validator secret; [48, 56) counter. The spec writes
/// <c>u64 counter</c> without an endianness; little-endian is the project's encoding (SCALE). Stateless, thread-safe.
/// </remarks>
public static class SyntheticSector
{
    /// <summary>The key derivation's domain tag.</summary>
    public const string KeyTag = "bte/synthetic/v1";

    /// <summary>Fills <paramref name="destination"/> (4 194 304 bytes) with sector <paramref name="counter"/> of <paramref name="secret"/>.</summary>
    /// <exception cref="ArgumentException">The secret is not 32 bytes or the destination is not one sector.</exception>
    public static void Generate(ReadOnlySpan<byte> secret, ulong counter, Span<byte> destination)
    {
        if (secret.Length != 32)
        {
            throw new ArgumentException("The validator secret is 32 bytes.", nameof(secret));
        }

        if (destination.Length != StorageConstants.SectorSize)
        {
            throw new ArgumentException($"A sector is {StorageConstants.SectorSize} bytes.", nameof(destination));
        }

        Span<byte> input = stackalloc byte[16 + 32 + 8];
        Encoding.ASCII.GetBytes(KeyTag, input);
        secret.CopyTo(input.Slice(16));
        BinaryPrimitives.WriteUInt64LittleEndian(input.Slice(48), counter);
        Span<byte> key = stackalloc byte[32];
        SHA256.HashData(input, key);

        // The plaintext is the block counters themselves, written in place and then encrypted in place.
        for (int block = 0; block < destination.Length / 16; block++)
        {
            BinaryPrimitives.WriteUInt128BigEndian(destination.Slice(block * 16, 16), (UInt128)block);
        }

        using Aes aes = Aes.Create();
        aes.Key = key.ToArray();
        aes.EncryptEcb(destination, destination, PaddingMode.None);
        CryptographicOperations.ZeroMemory(key);
    }

    /// <summary>Allocates and returns sector <paramref name="counter"/> of <paramref name="secret"/>.</summary>
    public static byte[] Generate(ReadOnlySpan<byte> secret, ulong counter)
    {
        byte[] data = new byte[StorageConstants.SectorSize];
        Generate(secret, counter, data);
        return data;
    }
}
