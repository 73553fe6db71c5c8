// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Fleet;

/// <summary>
/// The signed byte strings of the join exchange (fleet.md §3). <c>F</c> is the fleet id as UTF-8 with a u32 LE
/// length prefix; everything else is raw bytes concatenated after an ASCII domain tag.
/// </summary>
public static class JoinTranscript
{
    /// <summary>The size of client and server nonces.</summary>
    public const int NonceSize = 32;

    /// <summary>The size of a token id.</summary>
    public const int TokenIdSize = 8;

    /// <summary><c>"bte/join/challenge/v1" ‖ F ‖ devicePub ‖ clientNonce ‖ serverNonce</c>, signed by the gateway.</summary>
    public static byte[] Challenge(string fleetId, in PublicKey devicePub, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce)
    {
        CheckNonces(clientNonce, serverNonce);
        using var buffer = new Builder("bte/join/challenge/v1"u8, fleetId);
        buffer.Append(devicePub.Bytes).Append(clientNonce).Append(serverNonce);
        return buffer.ToArray();
    }

    /// <summary><c>"bte/join/proof/v1" ‖ F ‖ gatewayPub ‖ devicePub ‖ clientNonce ‖ serverNonce ‖ tokenId(8)</c>.</summary>
    public static byte[] Proof(string fleetId, in PublicKey gatewayPub, in PublicKey devicePub, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce, ReadOnlySpan<byte> tokenId)
    {
        CheckNonces(clientNonce, serverNonce);
        if (tokenId.Length != TokenIdSize)
        {
            ThrowHelper.ThrowArgument(nameof(tokenId), $"A token id is {TokenIdSize} bytes.");
        }

        using var buffer = new Builder("bte/join/proof/v1"u8, fleetId);
        buffer.Append(gatewayPub.Bytes).Append(devicePub.Bytes).Append(clientNonce).Append(serverNonce).Append(tokenId);
        return buffer.ToArray();
    }

    /// <summary>
    /// <c>"bte/join/accepted/v1" ‖ F ‖ devicePub ‖ serverNonce ‖ deviceId (u32-prefixed UTF-8)</c>, signed by the gateway.
    /// The spec leaves this signature's bytes open; binding the server nonce ties the acceptance to this exchange.
    /// </summary>
    public static byte[] Accepted(string fleetId, in PublicKey devicePub, ReadOnlySpan<byte> serverNonce, string deviceId)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        if (serverNonce.Length != NonceSize)
        {
            ThrowHelper.ThrowArgument(nameof(serverNonce), $"A nonce is {NonceSize} bytes.");
        }

        using var buffer = new Builder("bte/join/accepted/v1"u8, fleetId);
        buffer.Append(devicePub.Bytes).Append(serverNonce).AppendString(deviceId);
        return buffer.ToArray();
    }

    /// <summary><c>HMAC-SHA256(key = verifier, proofTranscript)</c>.</summary>
    public static byte[] Mac(ReadOnlySpan<byte> verifier, ReadOnlySpan<byte> proofTranscript) => HMACSHA256.HashData(verifier, proofTranscript);

    /// <summary>Whether <paramref name="mac"/> is the MAC of <paramref name="proofTranscript"/> under <paramref name="verifier"/>, in constant time.</summary>
    public static bool MacMatches(ReadOnlySpan<byte> verifier, ReadOnlySpan<byte> proofTranscript, ReadOnlySpan<byte> mac)
    {
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(verifier, proofTranscript, expected);
        return mac.Length == expected.Length && CryptographicOperations.FixedTimeEquals(expected, mac);
    }

    private static void CheckNonces(ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce)
    {
        if (clientNonce.Length != NonceSize || serverNonce.Length != NonceSize)
        {
            ThrowHelper.ThrowArgument(nameof(clientNonce), $"Nonces are {NonceSize} bytes.");
        }
    }

    private sealed class Builder : IDisposable
    {
        private readonly MemoryStream _stream = new();

        public Builder(ReadOnlySpan<byte> tag, string fleetId)
        {
            ArgumentException.ThrowIfNullOrEmpty(fleetId);
            _stream.Write(tag);
            AppendString(fleetId);
        }

        public Builder Append(ReadOnlySpan<byte> bytes)
        {
            _stream.Write(bytes);
            return this;
        }

        public Builder AppendString(string value)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(value);
            Span<byte> length = stackalloc byte[sizeof(uint)];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
            _stream.Write(length);
            _stream.Write(utf8);
            return this;
        }

        public byte[] ToArray() => _stream.ToArray();

        public void Dispose() => _stream.Dispose();
    }
}
