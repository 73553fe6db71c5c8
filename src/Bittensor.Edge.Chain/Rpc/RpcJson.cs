// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using System.Text.Json;
using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Rpc;

/// <summary>JSON shapes shared by the handler (writing) and the client (reading).</summary>
internal static class RpcJson
{
    /// <summary>
    /// Hyperparameters whose value is an amount of rao, written as decimal strings like every amount (§2.8); the
    /// others are JSON numbers.
    /// </summary>
    public static bool IsRaoParameter(HyperparameterId id) =>
        id is HyperparameterId.MinBurn or HyperparameterId.MaxBurn or HyperparameterId.StakeThreshold;

    public static string Hex(ReadOnlySpan<byte> bytes) => string.Concat("0x", Convert.ToHexStringLower(bytes));

    /// <summary><c>{number, hash, parent, timestampMs, extrinsicsRoot, stateRoot, author, signature}</c>.</summary>
    public static void WriteHeader(Utf8JsonWriter writer, BlockHeader header)
    {
        writer.WriteStartObject();
        writer.WriteNumber("number"u8, header.Number);
        writer.WriteString("hash"u8, header.Hash.ToString());
        writer.WriteString("parent"u8, header.Parent.ToString());
        writer.WriteNumber("timestampMs"u8, header.TimestampMs);
        writer.WriteString("extrinsicsRoot"u8, header.ExtrinsicsRoot.ToString());
        writer.WriteString("stateRoot"u8, header.StateRoot.ToString());
        writer.WriteString("author"u8, header.Author.ToSs58());
        writer.WriteString("signature"u8, header.Signature.ToString());
        writer.WriteEndObject();
    }

    /// <summary>A sparse row as <c>[[uid, value], ...]</c>.</summary>
    public static void WriteRow(Utf8JsonWriter writer, ReadOnlySpan<RowEntry> row)
    {
        writer.WriteStartArray();
        foreach (RowEntry entry in row)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(entry.Uid);
            writer.WriteNumberValue(entry.Value);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    /// <summary><c>{ip, port, ipType, version, protocol}</c>, or null when no axon is served.</summary>
    public static void WriteAxon(Utf8JsonWriter writer, AxonInfo axon)
    {
        if (!axon.IsServing)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("ip"u8, FormatIp(axon.Ip, axon.IpType));
        writer.WriteNumber("port"u8, axon.Port);
        writer.WriteNumber("ipType"u8, axon.IpType);
        writer.WriteNumber("version"u8, axon.Version);
        writer.WriteNumber("protocol"u8, axon.Protocol);
        writer.WriteEndObject();
    }

    /// <summary>IPv4 from the low 32 bits, IPv6 from all 128 (big-endian, as the SDK stores it).</summary>
    public static string FormatIp(UInt128 ip, byte ipType)
    {
        if (ipType == 4)
        {
            // The chain refuses IPv4 values above u32 (§2.5.4); the truncation is only a guard.
            uint v4 = unchecked((uint)ip);
            return new IPAddress([unchecked((byte)(v4 >> 24)), unchecked((byte)(v4 >> 16)), unchecked((byte)(v4 >> 8)), unchecked((byte)v4)]).ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, ip);
        return new IPAddress(bytes).ToString();
    }
}

/// <summary>
/// SS58 strings by public key, so a metagraph of thousands of uids does not re-encode base58 on every call.
/// Used under the chain lock only; cleared when it grows past its bound.
/// </summary>
internal sealed class AddressCache
{
    private const int Capacity = 200_000;
    private readonly Dictionary<PublicKey, string> _addresses = [];

    public string Get(in PublicKey key)
    {
        if (_addresses.TryGetValue(key, out string? address))
        {
            return address;
        }

        if (_addresses.Count >= Capacity)
        {
            _addresses.Clear();
        }

        address = key.ToSs58();
        _addresses[key] = address;
        return address;
    }
}
