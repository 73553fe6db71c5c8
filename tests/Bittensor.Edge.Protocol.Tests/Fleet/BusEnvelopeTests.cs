// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Text.Json;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Protocol.Tests.Fleet;

public sealed class BusEnvelopeTests : IDisposable
{
    private readonly Ed25519KeyPair _gateway = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)3, 32).ToArray());
    private readonly Ed25519KeyPair _other = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)4, 32).ToArray());
    private readonly byte[] _correlation = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();

    public void Dispose()
    {
        _gateway.Dispose();
        _other.Dispose();
    }

    private byte[] SealProve()
    {
        byte[] header = BusRequestHeader.Encode(
            BusMethods.StorageProve,
            1_800_000_000_000,
            new StorageProveParams([new ChallengeItem(new Hex32(Sha256.Hash("x"u8)), 7)]),
            FleetJsonContext.Default.StorageProveParams);
        return BusEnvelope.Seal(_correlation, header, [1, 2, 3, 4, 5], _gateway);
    }

    [Fact]
    public void A_sealed_envelope_opens_with_its_header_and_body()
    {
        byte[] payload = SealProve();

        Assert.True(BusEnvelope.TryOpen(payload, _correlation, _gateway.PublicKey, out BusEnvelope envelope, out BusEnvelopeError error));
        Assert.Equal(BusEnvelopeError.None, error);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, envelope.Body.ToArray());
        BusRequestHeader header = BusRequestHeader.Decode(envelope.Header.Span);
        Assert.Equal(BusMethods.StorageProve, header.Method);
        Assert.Equal(1_800_000_000_000, header.DeadlineUnixMs);
        StorageProveParams parameters = header.ReadParams(FleetJsonContext.Default.StorageProveParams);
        Assert.Equal(7, Assert.Single(parameters.Items).Leaf);
    }

    [Fact]
    public void Any_flipped_bit_breaks_the_signature()
    {
        byte[] payload = SealProve();
        for (int i = sizeof(uint); i < payload.Length; i++)
        {
            byte[] copy = (byte[])payload.Clone();
            copy[i] ^= 0x01;
            Assert.False(BusEnvelope.TryOpen(copy, _correlation, _gateway.PublicKey, out _, out BusEnvelopeError error));
            Assert.Equal(BusEnvelopeError.BadSignature, error);
        }
    }

    [Fact]
    public void Another_correlation_id_or_sender_key_is_refused()
    {
        byte[] payload = SealProve();
        byte[] otherId = (byte[])_correlation.Clone();
        otherId[0] ^= 0xFF;

        Assert.False(BusEnvelope.TryOpen(payload, otherId, _gateway.PublicKey, out _, out BusEnvelopeError replayed));
        Assert.Equal(BusEnvelopeError.BadSignature, replayed);
        Assert.False(BusEnvelope.TryOpen(payload, _correlation, _other.PublicKey, out _, out BusEnvelopeError forged));
        Assert.Equal(BusEnvelopeError.BadSignature, forged);
        Assert.False(BusEnvelope.TryOpen(payload, _correlation.AsSpan(0, 8), _gateway.PublicKey, out _, out BusEnvelopeError shortId));
        Assert.Equal(BusEnvelopeError.BadCorrelationId, shortId);
    }

    [Fact]
    public void Truncated_and_lying_lengths_are_refused_without_throwing()
    {
        byte[] payload = SealProve();
        Assert.False(BusEnvelope.TryOpen(payload.AsMemory(0, 10), _correlation, _gateway.PublicKey, out _, out BusEnvelopeError tooShort));
        Assert.Equal(BusEnvelopeError.Truncated, tooShort);

        byte[] lying = (byte[])payload.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(lying, (uint)(payload.Length));
        Assert.False(BusEnvelope.TryOpen(lying, _correlation, _gateway.PublicKey, out _, out BusEnvelopeError pastEnd));
        Assert.Equal(BusEnvelopeError.Truncated, pastEnd);

        BinaryPrimitives.WriteUInt32LittleEndian(lying, uint.MaxValue);
        Assert.False(BusEnvelope.TryOpen(lying, _correlation, _gateway.PublicKey, out _, out BusEnvelopeError huge));
        Assert.Equal(BusEnvelopeError.TooLarge, huge);

        Assert.False(BusEnvelope.TryOpen(Array.Empty<byte>(), _correlation, _gateway.PublicKey, out _, out BusEnvelopeError empty));
        Assert.Equal(BusEnvelopeError.Truncated, empty);
    }

    [Fact]
    public void Oversized_envelopes_are_refused_at_both_ends()
    {
        byte[] body = new byte[BusEnvelope.MaxPayloadBytes];
        Assert.Throws<ArgumentException>(() => BusEnvelope.Seal(_correlation, "{}"u8, body, _gateway));
        Assert.False(BusEnvelope.TryOpen(new byte[BusEnvelope.MaxPayloadBytes + 1], _correlation, _gateway.PublicKey, out _, out BusEnvelopeError error));
        Assert.Equal(BusEnvelopeError.TooLarge, error);
    }

    [Fact]
    public void Response_headers_carry_results_or_errors()
    {
        byte[] ok = BusResponseHeader.Success(new StorageDeleteResult(3), FleetJsonContext.Default.StorageDeleteResult);
        BusResponseHeader decoded = BusResponseHeader.Decode(ok);
        Assert.True(decoded.Ok);
        Assert.Equal(3, decoded.ReadResult(FleetJsonContext.Default.StorageDeleteResult).Deleted);

        BusResponseHeader failed = BusResponseHeader.Decode(BusResponseHeader.Failure(BusErrors.Busy, "hot"));
        Assert.False(failed.Ok);
        Assert.Equal(BusErrors.Busy, failed.Error);
        Assert.Throws<JsonException>(() => failed.ReadResult(FleetJsonContext.Default.StorageDeleteResult));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"deadlineUnixMs\":1}")]
    [InlineData("{\"method\":\"storage.get\",\"deadlineUnixMs\":\"soon\"}")]
    public void Malformed_request_headers_throw_JsonException(string json) =>
        Assert.Throws<JsonException>(() => BusRequestHeader.Decode(System.Text.Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Params_of_the_wrong_shape_throw_JsonException()
    {
        BusRequestHeader header = BusRequestHeader.Decode("{\"method\":\"storage.get\",\"deadlineUnixMs\":1,\"params\":{\"root\":\"nothex\"}}"u8);
        Assert.Throws<JsonException>(() => header.ReadParams(FleetJsonContext.Default.StorageGetParams));
        BusRequestHeader none = BusRequestHeader.Decode("{\"method\":\"storage.get\",\"deadlineUnixMs\":1}"u8);
        Assert.Throws<JsonException>(() => none.ReadParams(FleetJsonContext.Default.StorageGetParams));
    }
}
