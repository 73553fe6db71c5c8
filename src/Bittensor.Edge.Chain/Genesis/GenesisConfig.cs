// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Immutable;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Serialization;

namespace Bittensor.Edge.Chain.Genesis;

/// <summary>A free balance at genesis.</summary>
/// <param name="Account">The account.</param>
/// <param name="Amount">Its free balance.</param>
public readonly record struct GenesisBalance(PublicKey Account, Rao Amount);

/// <summary>A subnet that exists at genesis, as if register_network had run at no cost (§2.9).</summary>
/// <param name="Netuid">Its netuid, 1..32.</param>
/// <param name="Owner">The owner coldkey.</param>
/// <param name="OwnerHotkey">The owner hotkey, uid 0.</param>
/// <param name="Hyperparameters">Every hyperparameter, defaults included; values may lie outside the set_hyperparameter bounds.</param>
public sealed record GenesisSubnet(Netuid Netuid, PublicKey Owner, PublicKey OwnerHotkey, Hyperparameters Hyperparameters);

/// <summary>
/// A network's genesis (specs/protocol.md §2.9): its parameters, initial balances and preset subnets, with the
/// canonical encoding and <see cref="Hash"/> that every signature covers.
/// </summary>
/// <remarks>
/// Immutable after construction and thread-safe. The constructor validates (throwing
/// <see cref="ArgumentException"/>); <see cref="GenesisParser"/> turns a file into one with error messages
/// that name the bad key. Canonical encoding:
/// <code>
/// string chain_id ‖ u64 genesis_time_ms ‖ u64 block_time_ms ‖ Vec&lt;[32]&gt; authorities ‖
/// Vec&lt;[32] account ‖ u64 rao&gt; balances (sorted by account) ‖ u64 network_cost ‖ Option&lt;[32]&gt; sudo ‖
/// Vec&lt;u16 netuid ‖ [32] owner ‖ [32] owner_hotkey ‖ Vec&lt;u16 id ‖ u64 value&gt; (all 25 ids)&gt; subnets (sorted by netuid) ‖
/// u64 dev_flags (bit 0: allow_loopback_axons)
/// genesis_hash = H("bte/genesis/v1" ‖ encoding)
/// </code>
/// </remarks>
public sealed class GenesisConfig
{
    // Total stake must stay below 2^63 for the epoch (consensus.md §1); 2^62 leaves room for centuries of emission.
    private const ulong MaxGenesisIssuance = 1UL << 62;

    /// <summary>Validates and builds a genesis; balances and subnets are sorted into canonical order.</summary>
    /// <exception cref="ArgumentException">A rule of §2.9 is broken; the message says which.</exception>
    public GenesisConfig(
        string chainId,
        ulong genesisTimeMs,
        ulong blockTimeMs,
        IEnumerable<PublicKey> authorities,
        IEnumerable<GenesisBalance> balances,
        Rao networkCost,
        PublicKey? sudo,
        IEnumerable<GenesisSubnet> subnets,
        bool allowLoopbackAxons)
    {
        ArgumentNullException.ThrowIfNull(chainId);
        ArgumentNullException.ThrowIfNull(authorities);
        ArgumentNullException.ThrowIfNull(balances);
        ArgumentNullException.ThrowIfNull(subnets);
        if (chainId.Length == 0)
        {
            ThrowHelper.ThrowArgument(nameof(chainId), "chain_id must not be empty.");
        }

        if (blockTimeMs == 0)
        {
            ThrowHelper.ThrowArgument(nameof(blockTimeMs), "block_time_ms must be above 0.");
        }

        ImmutableArray<PublicKey> authorityList = [.. authorities];
        if (authorityList.IsEmpty)
        {
            ThrowHelper.ThrowArgument(nameof(authorities), "authorities needs at least one key.");
        }

        HashSet<PublicKey> seen = [];
        foreach (PublicKey authority in authorityList)
        {
            if (!seen.Add(authority))
            {
                ThrowHelper.ThrowArgument(nameof(authorities), $"authorities lists {authority.ToSs58()} twice.");
            }
        }

        GenesisBalance[] balanceList = [.. balances];
        Array.Sort(balanceList, static (a, b) => a.Account.CompareTo(b.Account));
        Rao total = Rao.Zero;
        for (int i = 0; i < balanceList.Length; i++)
        {
            if (i > 0 && balanceList[i].Account == balanceList[i - 1].Account)
            {
                ThrowHelper.ThrowArgument(nameof(balances), $"balances lists {balanceList[i].Account.ToSs58()} twice.");
            }

            if (!Rao.TryAdd(total, balanceList[i].Amount, out total) || total.Value >= MaxGenesisIssuance)
            {
                ThrowHelper.ThrowArgument(nameof(balances), "The balances sum to 2^62 rao or more; the epoch needs total stake below 2^63.");
            }
        }

        GenesisSubnet[] subnetList = [.. subnets];
        Array.Sort(subnetList, static (a, b) => a.Netuid.CompareTo(b.Netuid));
        Dictionary<PublicKey, PublicKey> hotkeyOwners = [];
        for (int i = 0; i < subnetList.Length; i++)
        {
            GenesisSubnet subnet = subnetList[i];
            ArgumentNullException.ThrowIfNull(subnet);
            if (subnet.Netuid.Value is 0 or > ChainConstants.MaxSubnets)
            {
                ThrowHelper.ThrowArgument(nameof(subnets), $"subnets: netuid {subnet.Netuid} is outside 1..{ChainConstants.MaxSubnets}.");
            }

            if (i > 0 && subnetList[i - 1].Netuid == subnet.Netuid)
            {
                ThrowHelper.ThrowArgument(nameof(subnets), $"subnets: netuid {subnet.Netuid} appears twice.");
            }

            if (hotkeyOwners.TryGetValue(subnet.OwnerHotkey, out PublicKey owner) && owner != subnet.Owner)
            {
                ThrowHelper.ThrowArgument(nameof(subnets), $"subnets: owner_hotkey {subnet.OwnerHotkey.ToSs58()} belongs to two coldkeys.");
            }

            hotkeyOwners[subnet.OwnerHotkey] = subnet.Owner;
        }

        ChainId = chainId;
        GenesisTimeMs = genesisTimeMs;
        BlockTimeMs = blockTimeMs;
        Authorities = authorityList;
        Balances = [.. balanceList];
        NetworkCost = networkCost;
        Sudo = sudo;
        Subnets = [.. subnetList];
        AllowLoopbackAxons = allowLoopbackAxons;
        Encoded = Encode();
        Hash = ComputeHash(Encoded.AsSpan());
    }

    /// <summary>The chain id (<c>system_info.chain</c>).</summary>
    public string ChainId { get; }

    /// <summary>Unix milliseconds; the first block's timestamp must be later.</summary>
    public ulong GenesisTimeMs { get; }

    /// <summary>The slot length in milliseconds.</summary>
    public ulong BlockTimeMs { get; }

    /// <summary>Block authors in slot order.</summary>
    public ImmutableArray<PublicKey> Authorities { get; }

    /// <summary>Free balances at genesis, sorted by account.</summary>
    public ImmutableArray<GenesisBalance> Balances { get; }

    /// <summary>The burn of register_network.</summary>
    public Rao NetworkCost { get; }

    /// <summary>The key allowed to call sudo_set_hyperparameter, if any.</summary>
    public PublicKey? Sudo { get; }

    /// <summary>Preset subnets, sorted by netuid.</summary>
    public ImmutableArray<GenesisSubnet> Subnets { get; }

    /// <summary>Whether serve_axon accepts 127.0.0.1 and ::1 (dev networks).</summary>
    public bool AllowLoopbackAxons { get; }

    /// <summary>The canonical encoding.</summary>
    public ImmutableArray<byte> Encoded { get; }

    /// <summary><c>H("bte/genesis/v1" ‖ encoding)</c>: the parent of block 1, covered by every signature.</summary>
    public Hash256 Hash { get; }

    /// <summary>The author of <paramref name="slot"/>: <c>authorities[slot % len]</c>.</summary>
    public PublicKey AuthorForSlot(ulong slot) => Authorities[(int)(slot % (ulong)Authorities.Length)];

    private ImmutableArray<byte> Encode()
    {
        using PooledBufferWriter buffer = new(1024);
        SpanWriter writer = new(buffer);
        writer.WriteString(ChainId);
        writer.WriteU64(GenesisTimeMs);
        writer.WriteU64(BlockTimeMs);
        writer.WriteCount(Authorities.Length);
        foreach (PublicKey authority in Authorities)
        {
            writer.Write(authority);
        }

        writer.WriteCount(Balances.Length);
        foreach (GenesisBalance balance in Balances)
        {
            writer.Write(balance.Account);
            writer.WriteU64(balance.Amount.Value);
        }

        writer.WriteU64(NetworkCost.Value);
        writer.WriteOptionTag(Sudo.HasValue);
        if (Sudo.HasValue)
        {
            writer.Write(Sudo.Value);
        }

        writer.WriteCount(Subnets.Length);
        foreach (GenesisSubnet subnet in Subnets)
        {
            writer.WriteU16(subnet.Netuid.Value);
            writer.Write(subnet.Owner);
            writer.Write(subnet.OwnerHotkey);
            writer.WriteCount(Hyperparameters.Count);
            for (ushort id = 0; id < Hyperparameters.Count; id++)
            {
                writer.WriteU16(id);
                writer.WriteU64(subnet.Hyperparameters[(HyperparameterId)id]);
            }
        }

        writer.WriteU64(AllowLoopbackAxons ? 1UL : 0UL);
        return [.. buffer.WrittenSpan];
    }

    private static Hash256 ComputeHash(ReadOnlySpan<byte> encoded)
    {
        IncrementalBlake2b256 hash = IncrementalBlake2b256.Create();
        hash.Append(ChainConstants.GenesisTag);
        hash.Append(encoded);
        return hash.Finish();
    }
}
