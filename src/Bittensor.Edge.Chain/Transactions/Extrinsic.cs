// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Serialization;

namespace Bittensor.Edge.Chain.Transactions;

/// <summary>
/// A signed transaction of specs/protocol.md §2.4, kept with its exact encoding.
/// </summary>
/// <remarks>
/// <para>Layout (all integers little-endian, §1):</para>
/// <code>
/// offset        size  field
/// 0             1     format = 1
/// 1             32    signer (Ed25519 public key)
/// 33            8     nonce (u64)
/// 41            8     valid_until (u64, block number)
/// 49            2     call index (u16, <see cref="CallId"/>)
/// 51            var   call arguments (<see cref="RuntimeCall.EncodeArgs"/>)
/// len − 64      64    signature = Ed25519(signer, "bte/tx/v1" ‖ genesis_hash ‖ bytes [0, len − 64))
/// </code>
/// <para><see cref="Hash"/> = BLAKE2b-256 of the entire encoding. Immutable and thread-safe.</para>
/// </remarks>
public sealed class Extrinsic
{
    /// <summary>The only format byte v1 accepts.</summary>
    public const byte Format = 1;

    /// <summary>Bytes before the call arguments.</summary>
    public const int HeaderSize = 51;

    private readonly byte[] _encoded;

    private Extrinsic(byte[] encoded, PublicKey signer, ulong nonce, ulong validUntil, RuntimeCall call, Signature signature)
    {
        _encoded = encoded;
        Signer = signer;
        Nonce = nonce;
        ValidUntil = validUntil;
        Call = call;
        Signature = signature;
        Hash = Blake2b.Hash256(encoded);
    }

    /// <summary>The signing account.</summary>
    public PublicKey Signer { get; }

    /// <summary>The account nonce this transaction uses.</summary>
    public ulong Nonce { get; }

    /// <summary>The last block that may include this transaction.</summary>
    public ulong ValidUntil { get; }

    /// <summary>The call and its arguments.</summary>
    public RuntimeCall Call { get; }

    /// <summary>The signature over the signing payload.</summary>
    public Signature Signature { get; }

    /// <summary>The transaction hash: BLAKE2b-256 of <see cref="Encoded"/>.</summary>
    public Hash256 Hash { get; }

    /// <summary>The exact encoding.</summary>
    public ReadOnlySpan<byte> Encoded => _encoded;

    /// <summary>Bytes in the encoding.</summary>
    public int Size => _encoded.Length;

    /// <summary>
    /// Decodes untrusted bytes. Never throws for bad input: a malformed encoding (wrong format byte, unknown
    /// call, truncated data, bad bool or count, trailing bytes, over <see cref="ChainConstants.MaxExtrinsicBytes"/>)
    /// returns <see langword="false"/> with the reason. The signature is not checked here; see
    /// <see cref="VerifySignature"/>.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out Extrinsic? extrinsic, [NotNullWhen(false)] out string? error)
    {
        extrinsic = null;
        if (data.Length > ChainConstants.MaxExtrinsicBytes)
        {
            error = $"An extrinsic of {data.Length} bytes exceeds the limit of {ChainConstants.MaxExtrinsicBytes}.";
            return false;
        }

        if (data.Length < HeaderSize + Signature.Size)
        {
            error = $"An extrinsic needs at least {HeaderSize + Signature.Size} bytes, not {data.Length}.";
            return false;
        }

        try
        {
            SpanReader reader = new(data);
            byte format = reader.ReadU8();
            if (format != Format)
            {
                error = $"Unknown extrinsic format {format}; v1 is format {Format}.";
                return false;
            }

            PublicKey signer = reader.ReadPublicKey();
            ulong nonce = reader.ReadU64();
            ulong validUntil = reader.ReadU64();
            ushort callId = reader.ReadU16();
            RuntimeCall call = RuntimeCall.DecodeArgs(ref reader, callId);
            if (reader.Remaining != Signature.Size)
            {
                error = reader.Remaining < Signature.Size
                    ? "The call arguments run into the signature."
                    : $"{reader.Remaining - Signature.Size} trailing bytes after the call arguments.";
                return false;
            }

            Signature signature = reader.ReadSignature();
            reader.EnsureEnd();
            extrinsic = new Extrinsic(data.ToArray(), signer, nonce, validUntil, call, signature);
            error = null;
            return true;
        }
        catch (EncodingException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Signs and encodes a transaction.</summary>
    /// <param name="signer">The signing key; its public key is the signer.</param>
    /// <param name="genesisHash">The network's genesis hash (§2.9), which the signature covers.</param>
    /// <param name="nonce">The signer's next nonce.</param>
    /// <param name="validUntil">The last block that may include it.</param>
    /// <param name="call">The call.</param>
    public static Extrinsic Create(Ed25519KeyPair signer, in Hash256 genesisHash, ulong nonce, ulong validUntil, RuntimeCall call)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(call);
        using PooledBufferWriter buffer = new(256);
        SpanWriter writer = new(buffer);
        writer.WriteU8(Format);
        writer.Write(signer.PublicKey);
        writer.WriteU64(nonce);
        writer.WriteU64(validUntil);
        writer.WriteU16((ushort)call.Id);
        call.EncodeArgs(ref writer);
        int unsignedLength = buffer.WrittenCount;
        Signature signature = SignPayload(signer, genesisHash, buffer.WrittenSpan);
        writer.Write(signature);
        byte[] encoded = buffer.ToArray();
        if (encoded.Length > ChainConstants.MaxExtrinsicBytes)
        {
            ThrowHelper.ThrowArgument(nameof(call), $"The call encodes to {unsignedLength} bytes, over the extrinsic limit.");
        }

        return new Extrinsic(encoded, signer.PublicKey, nonce, validUntil, call, signature);
    }

    /// <summary>Whether <see cref="Signature"/> is the signer's signature for the network <paramref name="genesisHash"/>.</summary>
    public bool VerifySignature(in Hash256 genesisHash)
    {
        ReadOnlySpan<byte> unsigned = _encoded.AsSpan(0, _encoded.Length - Signature.Size);
        int length = ChainConstants.TransactionTag.Length + Hash256.Size + unsigned.Length;
        byte[]? rented = null;
        Span<byte> payload = length <= 1024 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            WritePayload(genesisHash, unsigned, payload);
            return Ed25519.Verify(Signer, payload, Signature);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The encoding as <c>0x</c> hex (the JSON-RPC form, §2.8).</summary>
    public string ToHex() => string.Concat("0x", Convert.ToHexStringLower(_encoded));

    /// <inheritdoc/>
    public override string ToString() => $"Extrinsic({Hash}, {Call.Id}, nonce {Nonce})";

    private static Signature SignPayload(Ed25519KeyPair signer, in Hash256 genesisHash, ReadOnlySpan<byte> unsigned)
    {
        int length = ChainConstants.TransactionTag.Length + Hash256.Size + unsigned.Length;
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> payload = rented.AsSpan(0, length);
            WritePayload(genesisHash, unsigned, payload);
            return signer.Sign(payload);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void WritePayload(in Hash256 genesisHash, ReadOnlySpan<byte> unsigned, Span<byte> payload)
    {
        ReadOnlySpan<byte> tag = ChainConstants.TransactionTag;
        tag.CopyTo(payload);
        genesisHash.Bytes.CopyTo(payload[tag.Length..]);
        unsigned.CopyTo(payload[(tag.Length + Hash256.Size)..]);
    }
}
