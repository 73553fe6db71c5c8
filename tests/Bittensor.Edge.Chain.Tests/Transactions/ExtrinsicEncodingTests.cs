// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Collections.Immutable;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;
using FsCheck.Xunit;

namespace Bittensor.Edge.Chain.Tests.Transactions;

public sealed class ExtrinsicEncodingTests
{
    private static readonly Hash256 s_genesis = Blake2b.Hash256("test-genesis"u8);

    private static RuntimeCall MakeCall(int kind, ulong a, ulong b, ushort[] uids, ushort[] values, byte[] seed)
    {
        PublicKey key = new(Blake2b.Hash256(seed).Bytes);
        Hash256 hash = Blake2b.Hash256([.. seed, 1]);
        Netuid netuid = new((ushort)a);
        return (Math.Abs(kind % 11)) switch
        {
            0 => new TransferCall(key, new Rao(a)),
            1 => new RegisterNetworkCall(key),
            2 => new BurnedRegisterCall(netuid, key),
            3 => new ServeAxonCall(netuid, (uint)b, new UInt128(a, b), (ushort)b, (byte)a, (byte)b),
            4 => new AddStakeCall(key, netuid, new Rao(b)),
            5 => new RemoveStakeCall(key, netuid, new Rao(b)),
            6 => new SetWeightsCall(netuid, [.. uids], [.. values], b),
            7 => new CommitWeightsCall(netuid, hash),
            8 => new RevealWeightsCall(netuid, [.. uids], [.. values], hash, b),
            9 => new SetHyperparameterCall(netuid, (ushort)b, a),
            _ => new SudoSetHyperparameterCall(netuid, (ushort)b, a),
        };
    }

    private static byte[] EncodeCall(RuntimeCall call)
    {
        using Core.Serialization.PooledBufferWriter buffer = new();
        Core.Serialization.SpanWriter writer = new(buffer);
        writer.WriteU16((ushort)call.Id);
        call.EncodeArgs(ref writer);
        return buffer.ToArray();
    }

    [Property(MaxTest = 200)]
    public void Every_call_round_trips_through_the_extrinsic_encoding(int kind, ulong a, ulong b, ushort[] uids, ushort[] values, byte[] seed, ulong nonce, ulong validUntil)
    {
        RuntimeCall call = MakeCall(kind, a, b, uids ?? [], values ?? [], seed ?? []);
        Extrinsic built = Extrinsic.Create(TestKeys.Alice, s_genesis, nonce, validUntil, call);

        Assert.True(Extrinsic.TryDecode(built.Encoded, out Extrinsic? decoded, out string? error), error);
        Assert.Equal(built.Encoded.ToArray(), decoded.Encoded.ToArray());
        Assert.Equal(EncodeCall(call), EncodeCall(decoded.Call));
        Assert.Equal(call.Id, decoded.Call.Id);
        Assert.Equal(nonce, decoded.Nonce);
        Assert.Equal(validUntil, decoded.ValidUntil);
        Assert.Equal(TestKeys.Alice.PublicKey, decoded.Signer);
        Assert.Equal(Blake2b.Hash256(built.Encoded), decoded.Hash);
        Assert.True(decoded.VerifySignature(s_genesis));
    }

    [Property(MaxTest = 300)]
    public void Arbitrary_bytes_never_throw_on_decode(byte[] data)
    {
        bool ok = Extrinsic.TryDecode(data ?? [], out Extrinsic? extrinsic, out string? error);
        Assert.True(ok ? extrinsic is not null : error is not null);
    }

    [Fact]
    public void The_layout_is_format_signer_nonce_valid_until_call_args_signature()
    {
        Extrinsic extrinsic = Extrinsic.Create(TestKeys.Alice, s_genesis, 7, 99, new TransferCall(TestKeys.Bob.PublicKey, new Rao(5)));
        ReadOnlySpan<byte> bytes = extrinsic.Encoded;

        Assert.Equal(1 + 32 + 8 + 8 + 2 + 32 + 8 + 64, bytes.Length);
        Assert.Equal(1, bytes[0]);
        Assert.Equal(TestKeys.Alice.PublicKey.Bytes.ToArray(), bytes[1..33].ToArray());
        Assert.Equal(7UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes[33..]));
        Assert.Equal(99UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes[41..]));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(bytes[49..]));
        Assert.Equal(TestKeys.Bob.PublicKey.Bytes.ToArray(), bytes[51..83].ToArray());
        Assert.Equal(5UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes[83..]));

        byte[] payload = [.. "bte/tx/v1"u8, .. s_genesis.Bytes, .. bytes[..^64]];
        Assert.True(Ed25519.Verify(TestKeys.Alice.PublicKey, payload, bytes[^64..]));
    }

    [Fact]
    public void A_signature_for_another_network_does_not_verify()
    {
        Extrinsic extrinsic = Extrinsic.Create(TestKeys.Alice, s_genesis, 0, 10, new TransferCall(TestKeys.Bob.PublicKey, new Rao(5)));

        Assert.False(extrinsic.VerifySignature(Blake2b.Hash256("other-network"u8)));
    }

    [Fact]
    public void Every_truncation_of_a_valid_extrinsic_is_rejected()
    {
        Extrinsic extrinsic = Extrinsic.Create(TestKeys.Alice, s_genesis, 0, 10, new SetWeightsCall(new Netuid(1), [0, 1, 2], [1, 2, 3], 0));
        byte[] bytes = extrinsic.Encoded.ToArray();
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.False(Extrinsic.TryDecode(bytes.AsSpan(0, length), out _, out string? error));
            Assert.NotNull(error);
        }
    }

    [Fact]
    public void A_trailing_byte_is_rejected()
    {
        Extrinsic extrinsic = Extrinsic.Create(TestKeys.Alice, s_genesis, 0, 10, new RegisterNetworkCall(TestKeys.Bob.PublicKey));

        Assert.False(Extrinsic.TryDecode([.. extrinsic.Encoded, 0], out _, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(255)]
    public void An_unknown_format_byte_is_rejected(byte format)
    {
        byte[] bytes = Extrinsic.Create(TestKeys.Alice, s_genesis, 0, 10, new RegisterNetworkCall(TestKeys.Bob.PublicKey)).Encoded.ToArray();
        bytes[0] = format;

        Assert.False(Extrinsic.TryDecode(bytes, out _, out string? error));
        Assert.Contains("format", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(0xFFFF)]
    public void An_unknown_call_index_is_rejected(ushort callId)
    {
        byte[] bytes = Extrinsic.Create(TestKeys.Alice, s_genesis, 0, 10, new RegisterNetworkCall(TestKeys.Bob.PublicKey)).Encoded.ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(49), callId);

        Assert.False(Extrinsic.TryDecode(bytes, out _, out string? error));
        Assert.Contains("call", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_forged_vector_count_is_rejected_without_allocating_it()
    {
        byte[] bytes = Extrinsic.Create(TestKeys.Alice, s_genesis, 0, 10, new SetWeightsCall(new Netuid(1), [1], [1], 0)).Encoded.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(53), uint.MaxValue);

        Assert.False(Extrinsic.TryDecode(bytes, out _, out _));
    }

    [Fact]
    public void The_transaction_hash_is_blake2b_of_the_whole_encoding()
    {
        Extrinsic extrinsic = Extrinsic.Create(TestKeys.Alice, s_genesis, 3, 10, new TransferCall(TestKeys.Bob.PublicKey, new Rao(1)));

        Assert.Equal(Blake2b.Hash256(extrinsic.Encoded), extrinsic.Hash);
    }

    [Fact]
    public void The_commit_hash_covers_the_documented_fields_in_order()
    {
        Hash256 salt = Blake2b.Hash256("salt"u8);
        Hash256 commit = WeightCommitHash.Compute(TestKeys.Alice.PublicKey, new Netuid(3), [1, 2], [10, 20], salt, 5);
        byte[] expected =
        [
            .. "bte/commit/v1"u8, .. TestKeys.Alice.PublicKey.Bytes, 3, 0, 2, 0, 0, 0, 1, 0, 2, 0, 2, 0, 0, 0, 10, 0, 20, 0,
            .. salt.Bytes, 5, 0, 0, 0, 0, 0, 0, 0,
        ];

        Assert.Equal(Blake2b.Hash256(expected), commit);
        Assert.NotEqual(commit, WeightCommitHash.Compute(TestKeys.Alice.PublicKey, new Netuid(3), [1, 2], [10, 21], salt, 5));
    }

    [Fact]
    public void Free_and_paid_calls_are_the_ones_of_the_spec()
    {
        ImmutableArray<CallId> free = [CallId.ServeAxon, CallId.SetWeights, CallId.CommitWeights, CallId.RevealWeights];
        for (int kind = 0; kind < 11; kind++)
        {
            RuntimeCall call = MakeCall(kind, 1, 1, [], [], []);
            Assert.Equal(free.Contains(call.Id), call.IsFree);
        }
    }
}
