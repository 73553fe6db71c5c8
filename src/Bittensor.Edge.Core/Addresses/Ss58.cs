// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Core.Addresses;

/// <summary>
/// SS58 addresses with prefix 42 over a 32-byte public key (protocol.md §1):
/// <c>base58(0x2A ‖ pk ‖ cs)</c> where <c>cs</c> is the first 2 bytes of
/// <c>BLAKE2b-512("SS58PRE" ‖ 0x2A ‖ pk)</c>.
/// </summary>
/// <remarks>
/// Byte layout of the decoded address (35 bytes):
/// <list type="table">
/// <item><term>[0]</term><description>prefix, 42</description></item>
/// <item><term>[1..33)</term><description>public key</description></item>
/// <item><term>[33..35)</term><description>checksum</description></item>
/// </list>
/// All members are thread-safe.
/// </remarks>
public static class Ss58
{
    private const int PrefixOffset = 0;
    private const int KeyOffset = 1;
    private const int ChecksumOffset = KeyOffset + PublicKey.Size;
    private const int ChecksumSize = 2;
    private const int AddressSize = ChecksumOffset + ChecksumSize;

    /// <summary>The address of <paramref name="publicKey"/>.</summary>
    public static string Encode(in PublicKey publicKey)
    {
        Span<byte> address = stackalloc byte[AddressSize];
        address[PrefixOffset] = Constants.Ss58Prefix;
        publicKey.Bytes.CopyTo(address[KeyOffset..]);
        Checksum(address[..ChecksumOffset], address[ChecksumOffset..]);
        return Base58.Encode(address);
    }

    /// <summary>
    /// Decodes an address with prefix 42 and a valid checksum.
    /// </summary>
    /// <returns>
    /// <see langword="false"/> for characters outside the base58 alphabet, a length other than 35 bytes, a
    /// prefix other than 42, or a bad checksum.
    /// </returns>
    public static bool TryDecode(ReadOnlySpan<char> address, out PublicKey publicKey)
    {
        publicKey = default;
        Span<byte> bytes = stackalloc byte[AddressSize + 1];
        if (!Base58.TryDecode(address, bytes, out int written) || written != AddressSize)
        {
            return false;
        }

        if (bytes[PrefixOffset] != Constants.Ss58Prefix)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[ChecksumSize];
        Checksum(bytes[..ChecksumOffset], expected);
        if (!expected.SequenceEqual(bytes.Slice(ChecksumOffset, ChecksumSize)))
        {
            return false;
        }

        publicKey = new PublicKey(bytes.Slice(KeyOffset, PublicKey.Size));
        return true;
    }

    /// <inheritdoc cref="TryDecode(ReadOnlySpan{char}, out PublicKey)"/>
    public static bool TryDecode([NotNullWhen(true)] string? address, out PublicKey publicKey) =>
        TryDecode(address.AsSpan(), out publicKey);

    /// <summary>Decodes an address, throwing for an invalid one.</summary>
    /// <exception cref="FormatException"><paramref name="address"/> is not an SS58 address with prefix 42.</exception>
    public static PublicKey Decode(ReadOnlySpan<char> address)
    {
        if (!TryDecode(address, out PublicKey publicKey))
        {
            ThrowHelper.ThrowFormat("Not an SS58 address with prefix 42 and a valid checksum.");
        }

        return publicKey;
    }

    private static void Checksum(ReadOnlySpan<byte> prefixAndKey, Span<byte> checksum)
    {
        Span<byte> input = stackalloc byte[7 + ChecksumOffset];
        "SS58PRE"u8.CopyTo(input);
        prefixAndKey.CopyTo(input[7..]);
        Span<byte> hash = stackalloc byte[Constants.Hash512Size];
        Blake2b.Hash512(input, hash);
        hash[..ChecksumSize].CopyTo(checksum);
    }
}
