// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Serialization;

namespace Bittensor.Edge.Chain.State;

// The values stored under the keys of StateKeys.cs. Each layout is part of the state root: changing one is a
// consensus change. All encodings follow specs/protocol.md §1.

/// <summary>An account (key 0x01): <c>u64 free ‖ u64 nonce</c>.</summary>
/// <param name="Free">The free balance.</param>
/// <param name="Nonce">The next nonce the account must use.</param>
public readonly record struct AccountInfo(Rao Free, ulong Nonce)
{
    internal byte[] Encode()
    {
        byte[] value = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(value, Free.Value);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(8), Nonce);
        return value;
    }

    internal static AccountInfo Decode(ReadOnlySpan<byte> value)
    {
        SpanReader reader = new(value);
        AccountInfo info = new(new Rao(reader.ReadU64()), reader.ReadU64());
        reader.EnsureEnd();
        return info;
    }
}

/// <summary>A hotkey record (key 0x02): <c>[32] owner coldkey ‖ u64 netuid mask</c>.</summary>
/// <param name="Owner">The coldkey that first registered the hotkey; it never changes.</param>
/// <param name="NetuidMask">Bit <c>netuid</c> is set while the hotkey holds a uid on that subnet.</param>
public readonly record struct HotkeyInfo(PublicKey Owner, ulong NetuidMask)
{
    /// <summary>Whether the hotkey holds a uid on some subnet.</summary>
    public bool IsRegisteredAnywhere => NetuidMask != 0;

    internal byte[] Encode()
    {
        using PooledBufferWriter buffer = new(40);
        SpanWriter writer = new(buffer);
        writer.Write(Owner);
        writer.WriteU64(NetuidMask);
        return buffer.ToArray();
    }

    internal static HotkeyInfo Decode(ReadOnlySpan<byte> value)
    {
        SpanReader reader = new(value);
        HotkeyInfo info = new(reader.ReadPublicKey(), reader.ReadU64());
        reader.EnsureEnd();
        return info;
    }
}

/// <summary>
/// A subnet (key 0x03): <c>[32] owner ‖ [32] owner_hotkey ‖ u16 n ‖ u64 burn ‖ u64 pending_owner ‖
/// u64 pending_server ‖ u64 pending_validator ‖ u16 registrations_this_block ‖ u64 registered_at ‖
/// Vec&lt;u64&gt; hyperparameters (25, by id)</c>.
/// </summary>
/// <remarks>A mutable copy: read it, change it, write it back. Not thread-safe.</remarks>
public sealed class SubnetInfo
{
    /// <summary>The owner coldkey.</summary>
    public required PublicKey Owner { get; set; }

    /// <summary>The owner's hotkey, uid 0, never pruned.</summary>
    public required PublicKey OwnerHotkey { get; set; }

    /// <summary>Neurons on the subnet, uids 0..n−1.</summary>
    public ushort N { get; set; }

    /// <summary>The burn price of the next registration.</summary>
    public Rao Burn { get; set; }

    /// <summary>Emission waiting for the owner (consensus.md §8).</summary>
    public Rao PendingOwner { get; set; }

    /// <summary>Emission waiting for miners.</summary>
    public Rao PendingServer { get; set; }

    /// <summary>Emission waiting for validators, carried remainders included.</summary>
    public Rao PendingValidator { get; set; }

    /// <summary>Registrations in the current block.</summary>
    public ushort RegistrationsThisBlock { get; set; }

    /// <summary>The block the subnet was created in (0 for genesis subnets).</summary>
    public ulong RegisteredAt { get; set; }

    /// <summary>The hyperparameters.</summary>
    public required Hyperparameters Hyperparameters { get; set; }

    /// <summary>The uid of the owner's hotkey, always 0.</summary>
    public static Uid OwnerUid => default;

    internal byte[] Encode()
    {
        using PooledBufferWriter buffer = new(320);
        SpanWriter writer = new(buffer);
        writer.Write(Owner);
        writer.Write(OwnerHotkey);
        writer.WriteU16(N);
        writer.WriteU64(Burn.Value);
        writer.WriteU64(PendingOwner.Value);
        writer.WriteU64(PendingServer.Value);
        writer.WriteU64(PendingValidator.Value);
        writer.WriteU16(RegistrationsThisBlock);
        writer.WriteU64(RegisteredAt);
        Hyperparameters.Encode(ref writer);
        return buffer.ToArray();
    }

    internal static SubnetInfo Decode(ReadOnlySpan<byte> value)
    {
        SpanReader reader = new(value);
        SubnetInfo info = new()
        {
            Owner = reader.ReadPublicKey(),
            OwnerHotkey = reader.ReadPublicKey(),
            N = reader.ReadU16(),
            Burn = new Rao(reader.ReadU64()),
            PendingOwner = new Rao(reader.ReadU64()),
            PendingServer = new Rao(reader.ReadU64()),
            PendingValidator = new Rao(reader.ReadU64()),
            RegistrationsThisBlock = reader.ReadU16(),
            RegisteredAt = reader.ReadU64(),
            Hyperparameters = Hyperparameters.Decode(ref reader),
        };
        reader.EnsureEnd();
        return info;
    }
}

/// <summary>
/// An axon record: <c>u32 version ‖ u128 ip ‖ u16 port ‖ u8 ip_type ‖ u8 protocol</c>. All zero means no axon.
/// </summary>
/// <param name="Version">The axon version.</param>
/// <param name="Ip">IPv4 in the low 32 bits, or IPv6.</param>
/// <param name="Port">The port.</param>
/// <param name="IpType">4 or 6 (0 when cleared).</param>
/// <param name="Protocol">Opaque to the chain.</param>
public readonly record struct AxonInfo(uint Version, UInt128 Ip, ushort Port, byte IpType, byte Protocol)
{
    /// <summary>Whether an axon is published.</summary>
    public bool IsServing => Ip != UInt128.Zero;
}

/// <summary>
/// A neuron (key 0x05): <c>[32] hotkey ‖ u64 block_at_registration ‖ u64 last_update ‖ bool has_set_weights ‖
/// Option&lt;u64&gt; last_commit_block ‖ Option&lt;u64&gt; last_serve_block ‖ axon ‖ bool validator_permit ‖ bool active ‖
/// u16 stake_weight ‖ u16 consensus ‖ u16 incentive ‖ u16 dividends ‖ u16 validator_trust ‖ u64 emission</c>.
/// </summary>
/// <remarks>
/// <see cref="Emission"/> is the rao the uid earned in its subnet's last epoch, which is also its
/// <c>pruningScore</c> (§2.6). A mutable copy: read it, change it, write it back. Not thread-safe.
/// </remarks>
public sealed class NeuronInfo
{
    /// <summary>The hotkey holding the uid.</summary>
    public required PublicKey Hotkey { get; set; }

    /// <summary>The block the current hotkey took the uid.</summary>
    public ulong BlockAtRegistration { get; set; }

    /// <summary>The block of the last weights (registration block until weights are set).</summary>
    public ulong LastUpdate { get; set; }

    /// <summary>Whether the neuron has set or revealed weights since registration (the rate limit skips it otherwise).</summary>
    public bool HasSetWeights { get; set; }

    /// <summary>The block of the neuron's last weight commit.</summary>
    public ulong? LastCommitBlock { get; set; }

    /// <summary>The block of the last serve_axon.</summary>
    public ulong? LastServeBlock { get; set; }

    /// <summary>The axon.</summary>
    public AxonInfo Axon { get; set; }

    /// <summary>The validator permit written by the last epoch.</summary>
    public bool ValidatorPermit { get; set; }

    /// <summary>Epoch output: active.</summary>
    public bool Active { get; set; }

    /// <summary>Epoch output: stake weight (u16 proportion).</summary>
    public ushort StakeWeight { get; set; }

    /// <summary>Epoch output: consensus (u16 proportion).</summary>
    public ushort Consensus { get; set; }

    /// <summary>Epoch output: incentive (u16 proportion).</summary>
    public ushort Incentive { get; set; }

    /// <summary>Epoch output: dividends (u16 proportion).</summary>
    public ushort Dividends { get; set; }

    /// <summary>Epoch output: validator trust (u16 proportion).</summary>
    public ushort ValidatorTrust { get; set; }

    /// <summary>Epoch output: rao earned in the last epoch; the pruning score.</summary>
    public Rao Emission { get; set; }

    /// <summary>A neuron freshly registered at <paramref name="block"/> (consensus.md §5).</summary>
    public static NeuronInfo Registered(in PublicKey hotkey, ulong block) =>
        new() { Hotkey = hotkey, BlockAtRegistration = block, LastUpdate = block };

    internal byte[] Encode()
    {
        using PooledBufferWriter buffer = new(160);
        SpanWriter writer = new(buffer);
        writer.Write(Hotkey);
        writer.WriteU64(BlockAtRegistration);
        writer.WriteU64(LastUpdate);
        writer.WriteBool(HasSetWeights);
        WriteOption(ref writer, LastCommitBlock);
        WriteOption(ref writer, LastServeBlock);
        writer.WriteU32(Axon.Version);
        writer.WriteU128(Axon.Ip);
        writer.WriteU16(Axon.Port);
        writer.WriteU8(Axon.IpType);
        writer.WriteU8(Axon.Protocol);
        writer.WriteBool(ValidatorPermit);
        writer.WriteBool(Active);
        writer.WriteU16(StakeWeight);
        writer.WriteU16(Consensus);
        writer.WriteU16(Incentive);
        writer.WriteU16(Dividends);
        writer.WriteU16(ValidatorTrust);
        writer.WriteU64(Emission.Value);
        return buffer.ToArray();
    }

    internal static NeuronInfo Decode(ReadOnlySpan<byte> value)
    {
        SpanReader reader = new(value);
        NeuronInfo info = new()
        {
            Hotkey = reader.ReadPublicKey(),
            BlockAtRegistration = reader.ReadU64(),
            LastUpdate = reader.ReadU64(),
            HasSetWeights = reader.ReadBool(),
            LastCommitBlock = ReadOption(ref reader),
            LastServeBlock = ReadOption(ref reader),
            Axon = new AxonInfo(reader.ReadU32(), reader.ReadU128(), reader.ReadU16(), reader.ReadU8(), reader.ReadU8()),
            ValidatorPermit = reader.ReadBool(),
            Active = reader.ReadBool(),
            StakeWeight = reader.ReadU16(),
            Consensus = reader.ReadU16(),
            Incentive = reader.ReadU16(),
            Dividends = reader.ReadU16(),
            ValidatorTrust = reader.ReadU16(),
            Emission = new Rao(reader.ReadU64()),
        };
        reader.EnsureEnd();
        return info;
    }

    private static void WriteOption(ref SpanWriter writer, ulong? value)
    {
        writer.WriteOptionTag(value.HasValue);
        if (value.HasValue)
        {
            writer.WriteU64(value.Value);
        }
    }

    private static ulong? ReadOption(ref SpanReader reader) => reader.ReadOptionTag() ? reader.ReadU64() : null;
}

/// <summary>One entry of a sparse weights or bonds row.</summary>
/// <param name="Uid">The column uid.</param>
/// <param name="Value">The u16 value.</param>
public readonly record struct RowEntry(ushort Uid, ushort Value);

/// <summary>An unrevealed weight commit (in key 0x0A): <c>[32] hotkey ‖ [32] commit ‖ u64 commit_block</c>.</summary>
/// <param name="Hotkey">The committing hotkey.</param>
/// <param name="Commit">The commit hash (§2.5.7).</param>
/// <param name="Block">The block of the commit.</param>
public readonly record struct WeightCommit(PublicKey Hotkey, Hash256 Commit, ulong Block);

/// <summary>Encodings of the vector values: rows (keys 0x06, 0x07) and commits (key 0x0A).</summary>
internal static class StateCodec
{
    public static byte[] EncodeRow(ReadOnlySpan<RowEntry> row)
    {
        byte[] value = new byte[4 + (4 * row.Length)];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(value, (uint)row.Length);
        for (int i = 0; i < row.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(4 + (4 * i)), row[i].Uid);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(6 + (4 * i)), row[i].Value);
        }

        return value;
    }

    public static RowEntry[] DecodeRow(ReadOnlySpan<byte> value)
    {
        SpanReader reader = new(value);
        int count = reader.ReadCount(4);
        RowEntry[] row = new RowEntry[count];
        for (int i = 0; i < count; i++)
        {
            row[i] = new RowEntry(reader.ReadU16(), reader.ReadU16());
        }

        reader.EnsureEnd();
        return row;
    }

    public static byte[] EncodeCommits(IReadOnlyList<WeightCommit> commits)
    {
        using PooledBufferWriter buffer = new(4 + (72 * commits.Count));
        SpanWriter writer = new(buffer);
        writer.WriteCount(commits.Count);
        for (int i = 0; i < commits.Count; i++)
        {
            writer.Write(commits[i].Hotkey);
            writer.Write(commits[i].Commit);
            writer.WriteU64(commits[i].Block);
        }

        return buffer.ToArray();
    }

    public static List<WeightCommit> DecodeCommits(ReadOnlySpan<byte> value)
    {
        SpanReader reader = new(value);
        int count = reader.ReadCount(72);
        List<WeightCommit> commits = new(count);
        for (int i = 0; i < count; i++)
        {
            commits.Add(new WeightCommit(reader.ReadPublicKey(), reader.ReadHash256(), reader.ReadU64()));
        }

        reader.EnsureEnd();
        return commits;
    }

    public static byte[] EncodeU64(ulong value)
    {
        byte[] bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    public static ulong DecodeU64(ReadOnlySpan<byte> value)
    {
        if (value.Length != 8)
        {
            ThrowHelper.ThrowCorruptState($"a u64 value has {value.Length} bytes.");
        }

        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(value);
    }

    public static byte[] EncodeU16(ushort value)
    {
        byte[] bytes = new byte[2];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return bytes;
    }

    public static ushort DecodeU16(ReadOnlySpan<byte> value)
    {
        if (value.Length != 2)
        {
            ThrowHelper.ThrowCorruptState($"a u16 value has {value.Length} bytes.");
        }

        return System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(value);
    }
}
