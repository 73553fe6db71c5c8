// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.State;

/// <summary>
/// The key schema of the chain state (specs/protocol.md §2.1, §2.2). The state root is the Merkle root over
/// every entry sorted by key bytes, so <b>any change to this file is a consensus change</b>.
/// </summary>
/// <remarks>
/// <para>
/// A key is a one-byte prefix followed by fixed-size parts. Integers inside keys are <b>big-endian</b> (unlike
/// values, which follow §1's little-endian rule) so that byte order equals numeric order: uids and netuids sort
/// the way they count. An absent key reads as the value's default; writers delete a key rather than store a
/// default (a zero stake, an empty weights row), so the same state always has the same entries.
/// </para>
/// <code>
/// prefix  key bytes                                                      value (see the record types)
/// 0x00    [0]=0x00 [1]=0x00                       (2 bytes)             u64 total_issuance
/// 0x01    [0]=0x01 [1..33) account                (33 bytes)            AccountInfo: u64 free ‖ u64 nonce
/// 0x02    [0]=0x02 [1..33) hotkey                 (33 bytes)            HotkeyInfo: [32] owner coldkey ‖ u64 netuid mask
/// 0x03    [0]=0x03 [1..3) netuid BE               (3 bytes)             SubnetInfo
/// 0x04    [0]=0x04 [1..3) netuid BE [3..35) hotkey (35 bytes)           u16 uid of the hotkey on the subnet
/// 0x05    [0]=0x05 [1..3) netuid BE [3..5) uid BE (5 bytes)             NeuronInfo
/// 0x06    [0]=0x06 [1..3) netuid BE [3..5) uid BE (5 bytes)             weights row: Vec&lt;u16 uid ‖ u16 value&gt;, ascending uid
/// 0x07    [0]=0x07 [1..3) netuid BE [3..5) uid BE (5 bytes)             bonds row: Vec&lt;u16 uid ‖ u16 value&gt;, ascending uid
/// 0x08    [0]=0x08 [1..33) coldkey [33..65) hotkey [65..67) netuid BE (67 bytes)  u64 stake
/// 0x09    [0]=0x09 [1..3) netuid BE [3..35) hotkey (35 bytes)           u64 total stake on the hotkey (sum of its 0x08 entries)
/// 0x0A    [0]=0x0A [1..3) netuid BE               (3 bytes)             Vec&lt;WeightCommit&gt;: unrevealed commits, in commit order
/// </code>
/// <para>
/// 0x09 duplicates a sum of 0x08 entries so that the epoch and registration read a uid's stake without a
/// range scan (the store is a hash map). 0x02's netuid mask has bit <c>netuid</c> set while the hotkey holds a
/// uid there, which answers "registered on some subnet" (§2.4, free calls) with one read.
/// </para>
/// </remarks>
public static class StateKeys
{
    /// <summary>Prefix of the global singletons.</summary>
    public const byte GlobalPrefix = 0x00;

    /// <summary>Prefix of accounts.</summary>
    public const byte AccountPrefix = 0x01;

    /// <summary>Prefix of hotkey records.</summary>
    public const byte HotkeyPrefix = 0x02;

    /// <summary>Prefix of subnets.</summary>
    public const byte SubnetPrefix = 0x03;

    /// <summary>Prefix of the hotkey → uid index per subnet.</summary>
    public const byte UidPrefix = 0x04;

    /// <summary>Prefix of neurons.</summary>
    public const byte NeuronPrefix = 0x05;

    /// <summary>Prefix of weights rows.</summary>
    public const byte WeightsPrefix = 0x06;

    /// <summary>Prefix of bonds rows.</summary>
    public const byte BondsPrefix = 0x07;

    /// <summary>Prefix of stake entries.</summary>
    public const byte StakePrefix = 0x08;

    /// <summary>Prefix of per-hotkey stake totals.</summary>
    public const byte HotkeyStakePrefix = 0x09;

    /// <summary>Prefix of weight commits.</summary>
    public const byte CommitsPrefix = 0x0A;

    /// <summary>The total issuance key.</summary>
    public static byte[] TotalIssuance() => [GlobalPrefix, 0x00];

    /// <summary>The key of an account.</summary>
    public static byte[] Account(in PublicKey account) => WithKey(AccountPrefix, account);

    /// <summary>The key of a hotkey record.</summary>
    public static byte[] Hotkey(in PublicKey hotkey) => WithKey(HotkeyPrefix, hotkey);

    /// <summary>The key of a subnet.</summary>
    public static byte[] Subnet(Netuid netuid)
    {
        byte[] key = new byte[3];
        key[0] = SubnetPrefix;
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(1), netuid.Value);
        return key;
    }

    /// <summary>The key of a hotkey's uid on a subnet.</summary>
    public static byte[] Uid(Netuid netuid, in PublicKey hotkey) => NetuidAndKey(UidPrefix, netuid, hotkey);

    /// <summary>The key of a neuron.</summary>
    public static byte[] Neuron(Netuid netuid, Uid uid) => NetuidAndUid(NeuronPrefix, netuid, uid);

    /// <summary>The key of a weights row.</summary>
    public static byte[] Weights(Netuid netuid, Uid uid) => NetuidAndUid(WeightsPrefix, netuid, uid);

    /// <summary>The key of a bonds row.</summary>
    public static byte[] Bonds(Netuid netuid, Uid uid) => NetuidAndUid(BondsPrefix, netuid, uid);

    /// <summary>The key of a stake entry.</summary>
    public static byte[] Stake(in PublicKey coldkey, in PublicKey hotkey, Netuid netuid)
    {
        byte[] key = new byte[67];
        key[0] = StakePrefix;
        coldkey.Bytes.CopyTo(key.AsSpan(1));
        hotkey.Bytes.CopyTo(key.AsSpan(33));
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(65), netuid.Value);
        return key;
    }

    /// <summary>The key of a hotkey's total stake on a subnet.</summary>
    public static byte[] HotkeyStake(Netuid netuid, in PublicKey hotkey) => NetuidAndKey(HotkeyStakePrefix, netuid, hotkey);

    /// <summary>The key of a subnet's unrevealed weight commits.</summary>
    public static byte[] Commits(Netuid netuid)
    {
        byte[] key = Subnet(netuid);
        key[0] = CommitsPrefix;
        return key;
    }

    private static byte[] WithKey(byte prefix, in PublicKey publicKey)
    {
        byte[] key = new byte[1 + PublicKey.Size];
        key[0] = prefix;
        publicKey.Bytes.CopyTo(key.AsSpan(1));
        return key;
    }

    private static byte[] NetuidAndKey(byte prefix, Netuid netuid, in PublicKey publicKey)
    {
        byte[] key = new byte[3 + PublicKey.Size];
        key[0] = prefix;
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(1), netuid.Value);
        publicKey.Bytes.CopyTo(key.AsSpan(3));
        return key;
    }

    private static byte[] NetuidAndUid(byte prefix, Netuid netuid, Uid uid)
    {
        byte[] key = new byte[5];
        key[0] = prefix;
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(1), netuid.Value);
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(3), uid.Value);
        return key;
    }
}
