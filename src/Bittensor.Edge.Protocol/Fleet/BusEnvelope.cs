// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Fleet;

/// <summary>Why <see cref="BusEnvelope.TryOpen"/> refused a payload.</summary>
public enum BusEnvelopeError
{
    /// <summary>Accepted.</summary>
    None,

    /// <summary>The correlation id is not exactly 16 bytes (it travels as MQTT 5 CorrelationData).</summary>
    BadCorrelationId,

    /// <summary>Shorter than the length prefix and a signature, or the header length points past the end.</summary>
    Truncated,

    /// <summary>The header exceeds <see cref="BusEnvelope.MaxHeaderBytes"/> or the payload <see cref="BusEnvelope.MaxPayloadBytes"/>.</summary>
    TooLarge,

    /// <summary>The signature does not verify against the expected sender key.</summary>
    BadSignature,
}

/// <summary>
/// The signed envelope of every <c>cmd</c>, <c>rpc</c> and <c>blob</c> message on the device bus (fleet.md §5):
/// <c>u32 LE headerLen ‖ header (UTF-8 JSON) ‖ body ‖ [64] sig</c> with
/// <c>sig = Ed25519(sender, "bte/bus/v1" ‖ correlationId(16) ‖ header ‖ SHA-256(body))</c>.
/// </summary>
/// <remarks>
/// The signature binds the correlation id, so a captured envelope cannot be replayed under another id; replays under
/// the same id are caught by the receiver's correlation cache and the header's <c>deadlineUnixMs</c>.
/// </remarks>
public readonly struct BusEnvelope
{
    /// <summary>The domain tag of the signed bytes.</summary>
    public static ReadOnlySpan<byte> DomainTag => "bte/bus/v1"u8;

    /// <summary>The size of a correlation id.</summary>
    public const int CorrelationIdSize = 16;

    /// <summary>The largest header accepted (64 KiB).</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>The largest payload accepted: the bus's MQTT maximum packet size, 8 MiB (fleet.md §4).</summary>
    public const int MaxPayloadBytes = 8 * 1024 * 1024;

    /// <summary>The bytes around header and body: the length prefix and the signature.</summary>
    public const int Overhead = sizeof(uint) + Signature.Size;

    private BusEnvelope(ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> body)
    {
        Header = header;
        Body = body;
    }

    /// <summary>The UTF-8 JSON header (a slice of the payload).</summary>
    public ReadOnlyMemory<byte> Header { get; }

    /// <summary>The bulk bytes (a slice of the payload).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Builds a signed envelope around <paramref name="header"/> and <paramref name="body"/>.</summary>
    /// <exception cref="ArgumentException">The correlation id is not 16 bytes, or the header or payload is too large.</exception>
    public static byte[] Seal(ReadOnlySpan<byte> correlationId, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, Ed25519KeyPair sender)
    {
        ArgumentNullException.ThrowIfNull(sender);
        if (correlationId.Length != CorrelationIdSize)
        {
            ThrowHelper.ThrowArgument(nameof(correlationId), $"A correlation id is {CorrelationIdSize} bytes, not {correlationId.Length}.");
        }

        if (header.Length > MaxHeaderBytes)
        {
            ThrowHelper.ThrowArgument(nameof(header), $"The header is {header.Length} bytes; at most {MaxHeaderBytes} are allowed.");
        }

        long total = (long)Overhead + header.Length + body.Length;
        if (total > MaxPayloadBytes)
        {
            ThrowHelper.ThrowArgument(nameof(body), $"The envelope would be {total} bytes; at most {MaxPayloadBytes} are allowed.");
        }

        byte[] payload = new byte[total];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)header.Length);
        header.CopyTo(payload.AsSpan(sizeof(uint)));
        body.CopyTo(payload.AsSpan(sizeof(uint) + header.Length));
        byte[] message = SignedBytes(correlationId, header, body);
        sender.Sign(message, payload.AsSpan(payload.Length - Signature.Size));
        return payload;
    }

    /// <summary>Builds a signed envelope whose header is <paramref name="headerJson"/> encoded as UTF-8.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> correlationId, string headerJson, ReadOnlySpan<byte> body, Ed25519KeyPair sender)
    {
        ArgumentNullException.ThrowIfNull(headerJson);
        return Seal(correlationId, Encoding.UTF8.GetBytes(headerJson), body, sender);
    }

    /// <summary>
    /// Parses <paramref name="payload"/> and checks its signature against <paramref name="sender"/>. Never throws for bad
    /// input: a refusal comes back as <paramref name="error"/>, and the caller drops and logs the message.
    /// </summary>
    public static bool TryOpen(ReadOnlyMemory<byte> payload, ReadOnlySpan<byte> correlationId, in PublicKey sender, out BusEnvelope envelope, out BusEnvelopeError error)
    {
        envelope = default;
        if (correlationId.Length != CorrelationIdSize)
        {
            error = BusEnvelopeError.BadCorrelationId;
            return false;
        }

        if (payload.Length > MaxPayloadBytes)
        {
            error = BusEnvelopeError.TooLarge;
            return false;
        }

        ReadOnlySpan<byte> span = payload.Span;
        if (span.Length < Overhead)
        {
            error = BusEnvelopeError.Truncated;
            return false;
        }

        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(span);
        if (headerLength > MaxHeaderBytes)
        {
            error = BusEnvelopeError.TooLarge;
            return false;
        }

        if (headerLength > (uint)(span.Length - Overhead))
        {
            error = BusEnvelopeError.Truncated;
            return false;
        }

        int bodyStart = sizeof(uint) + (int)headerLength;
        int bodyLength = span.Length - Overhead - (int)headerLength;
        ReadOnlyMemory<byte> header = payload.Slice(sizeof(uint), (int)headerLength);
        ReadOnlyMemory<byte> body = payload.Slice(bodyStart, bodyLength);
        byte[] message = SignedBytes(correlationId, header.Span, body.Span);
        if (!Ed25519.Verify(sender, message, span[^Signature.Size..]))
        {
            error = BusEnvelopeError.BadSignature;
            return false;
        }

        envelope = new BusEnvelope(header, body);
        error = BusEnvelopeError.None;
        return true;
    }

    /// <summary>A fresh random correlation id.</summary>
    public static byte[] NewCorrelationId() => RandomNumberGenerator.GetBytes(CorrelationIdSize);

    private static byte[] SignedBytes(ReadOnlySpan<byte> correlationId, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        // Small (≤ 64 KiB + 58 bytes): the body enters only through its SHA-256.
        byte[] message = new byte[DomainTag.Length + CorrelationIdSize + header.Length + 32];
        Span<byte> cursor = message;
        DomainTag.CopyTo(cursor);
        cursor = cursor[DomainTag.Length..];
        correlationId.CopyTo(cursor);
        cursor = cursor[CorrelationIdSize..];
        header.CopyTo(cursor);
        cursor = cursor[header.Length..];
        SHA256.HashData(body, cursor);
        return message;
    }
}
