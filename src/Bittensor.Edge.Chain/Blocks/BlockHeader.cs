// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Serialization;

namespace Bittensor.Edge.Chain.Blocks;

/// <summary>
/// A block header of specs/protocol.md §2.2.
/// </summary>
/// <remarks>
/// <code>
/// offset  size  field
/// 0       1     format = 1
/// 1       8     number (u64)
/// 9       32    parent hash (block 1: the genesis hash)
/// 41      8     timestamp_ms (u64)
/// 49      32    extrinsics_root: Merkle root of the transaction hashes
/// 81      32    state_root: Merkle root of the state after the block
/// 113     32    author (Ed25519 public key)
/// 145     64    signature = Ed25519(author, "bte/block/v1" ‖ genesis_hash ‖ bytes [0, 145))
/// </code>
/// Block hash = <c>H(all 209 bytes)</c>. Immutable and thread-safe.
/// </remarks>
public sealed record BlockHeader(ulong Number, Hash256 Parent, ulong TimestampMs, Hash256 ExtrinsicsRoot, Hash256 StateRoot, PublicKey Author, Signature Signature)
{
    /// <summary>The only format byte v1 accepts.</summary>
    public const byte Format = 1;

    /// <summary>Bytes covered by the signature.</summary>
    public const int UnsignedSize = 145;

    /// <summary>Bytes in an encoded header.</summary>
    public const int Size = UnsignedSize + Signature.Size;

    /// <summary>The block hash: <c>H(full header)</c>.</summary>
    public Hash256 Hash => Blake2b.Hash256(Encode());

    /// <summary>The slot the timestamp falls in.</summary>
    public ulong Slot(ulong blockTimeMs) => TimestampMs / blockTimeMs;

    /// <summary>The 209-byte encoding.</summary>
    public byte[] Encode()
    {
        byte[] bytes = new byte[Size];
        WriteUnsigned(bytes, Number, Parent, TimestampMs, ExtrinsicsRoot, StateRoot, Author);
        Signature.CopyTo(bytes.AsSpan(UnsignedSize));
        return bytes;
    }

    /// <summary>Decodes untrusted bytes; never throws for bad input.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out BlockHeader? header)
    {
        header = null;
        if (data.Length != Size || data[0] != Format)
        {
            return false;
        }

        SpanReader reader = new(data[1..]);
        header = new BlockHeader(reader.ReadU64(), reader.ReadHash256(), reader.ReadU64(), reader.ReadHash256(), reader.ReadHash256(), reader.ReadPublicKey(), reader.ReadSignature());
        return true;
    }

    /// <summary>Builds and signs a header.</summary>
    public static BlockHeader CreateSigned(Ed25519KeyPair author, in Hash256 genesisHash, ulong number, in Hash256 parent, ulong timestampMs, in Hash256 extrinsicsRoot, in Hash256 stateRoot)
    {
        ArgumentNullException.ThrowIfNull(author);
        Span<byte> payload = stackalloc byte[ChainConstants.BlockTag.Length + Hash256.Size + UnsignedSize];
        WritePayload(payload, genesisHash, number, parent, timestampMs, extrinsicsRoot, stateRoot, author.PublicKey);
        return new BlockHeader(number, parent, timestampMs, extrinsicsRoot, stateRoot, author.PublicKey, author.Sign(payload));
    }

    /// <summary>Whether the author's signature is valid for the network <paramref name="genesisHash"/>.</summary>
    public bool VerifySignature(in Hash256 genesisHash)
    {
        Span<byte> payload = stackalloc byte[ChainConstants.BlockTag.Length + Hash256.Size + UnsignedSize];
        WritePayload(payload, genesisHash, Number, Parent, TimestampMs, ExtrinsicsRoot, StateRoot, Author);
        return Ed25519.Verify(Author, payload, Signature);
    }

    private static void WritePayload(Span<byte> payload, in Hash256 genesisHash, ulong number, in Hash256 parent, ulong timestampMs, in Hash256 extrinsicsRoot, in Hash256 stateRoot, in PublicKey author)
    {
        ReadOnlySpan<byte> tag = ChainConstants.BlockTag;
        tag.CopyTo(payload);
        genesisHash.CopyTo(payload[tag.Length..]);
        WriteUnsigned(payload[(tag.Length + Hash256.Size)..], number, parent, timestampMs, extrinsicsRoot, stateRoot, author);
    }

    private static void WriteUnsigned(Span<byte> destination, ulong number, in Hash256 parent, ulong timestampMs, in Hash256 extrinsicsRoot, in Hash256 stateRoot, in PublicKey author)
    {
        destination[0] = Format;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], number);
        parent.CopyTo(destination[9..]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(destination[41..], timestampMs);
        extrinsicsRoot.CopyTo(destination[49..]);
        stateRoot.CopyTo(destination[81..]);
        author.CopyTo(destination[113..]);
    }
}
