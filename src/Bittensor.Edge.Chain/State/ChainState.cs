// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.State;

/// <summary>
/// Typed access to the chain state over a <see cref="StateOverlay"/>: every read decodes the entry and every
/// write encodes it into the overlay, so the key → value view stays the only source of truth.
/// </summary>
/// <remarks>
/// Writers delete a key instead of storing its default value (zero balances with nonce 0, zero stake, empty
/// rows), so equal states have equal entries and equal roots. Not thread-safe.
/// </remarks>
public sealed class ChainState
{
    private static readonly byte[] s_totalIssuanceKey = StateKeys.TotalIssuance();

    /// <summary>Typed access over <paramref name="overlay"/>.</summary>
    public ChainState(StateOverlay overlay)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        Overlay = overlay;
    }

    /// <summary>The overlay written to.</summary>
    public StateOverlay Overlay { get; }

    /// <summary>All rao in existence: free balances, stake and pending pools.</summary>
    public Rao TotalIssuance
    {
        get => Overlay.TryGet(s_totalIssuanceKey, out byte[]? value) ? new Rao(StateCodec.DecodeU64(value)) : Rao.Zero;
        set => Overlay.Set(s_totalIssuanceKey, StateCodec.EncodeU64(value.Value));
    }

    /// <summary>The account, or an empty one.</summary>
    public AccountInfo GetAccount(in PublicKey account) =>
        Overlay.TryGet(StateKeys.Account(account), out byte[]? value) ? Decode(value, AccountInfo.Decode) : default;

    /// <summary>Writes the account (an empty one is deleted).</summary>
    public void SetAccount(in PublicKey account, AccountInfo info)
    {
        byte[] key = StateKeys.Account(account);
        if (info.Free.IsZero && info.Nonce == 0)
        {
            Overlay.Delete(key);
        }
        else
        {
            Overlay.Set(key, info.Encode());
        }
    }

    /// <summary>The hotkey record, if the hotkey was ever registered.</summary>
    public bool TryGetHotkey(in PublicKey hotkey, out HotkeyInfo info)
    {
        if (Overlay.TryGet(StateKeys.Hotkey(hotkey), out byte[]? value))
        {
            info = Decode(value, HotkeyInfo.Decode);
            return true;
        }

        info = default;
        return false;
    }

    /// <summary>Writes the hotkey record.</summary>
    public void SetHotkey(in PublicKey hotkey, HotkeyInfo info) => Overlay.Set(StateKeys.Hotkey(hotkey), info.Encode());

    /// <summary>Whether the hotkey holds a uid on some subnet (the free-call rule of §2.4).</summary>
    public bool IsRegisteredAnywhere(in PublicKey hotkey) => TryGetHotkey(hotkey, out HotkeyInfo info) && info.IsRegisteredAnywhere;

    /// <summary>Whether subnet <paramref name="netuid"/> exists.</summary>
    public bool SubnetExists(Netuid netuid) => Overlay.TryGet(StateKeys.Subnet(netuid), out _);

    /// <summary>The subnet, if it exists.</summary>
    public bool TryGetSubnet(Netuid netuid, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SubnetInfo? info)
    {
        if (Overlay.TryGet(StateKeys.Subnet(netuid), out byte[]? value))
        {
            info = Decode(value, SubnetInfo.Decode);
            return true;
        }

        info = null;
        return false;
    }

    /// <summary>Writes the subnet.</summary>
    public void SetSubnet(Netuid netuid, SubnetInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        Overlay.Set(StateKeys.Subnet(netuid), info.Encode());
    }

    /// <summary>The netuids of the existing subnets, ascending.</summary>
    public List<Netuid> GetSubnets()
    {
        List<Netuid> netuids = [];
        for (ushort i = 1; i <= ChainConstants.MaxSubnets; i++)
        {
            if (SubnetExists(new Netuid(i)))
            {
                netuids.Add(new Netuid(i));
            }
        }

        return netuids;
    }

    /// <summary>The uid <paramref name="hotkey"/> holds on the subnet.</summary>
    public bool TryGetUid(Netuid netuid, in PublicKey hotkey, out Uid uid)
    {
        if (Overlay.TryGet(StateKeys.Uid(netuid, hotkey), out byte[]? value))
        {
            uid = new Uid(StateCodec.DecodeU16(value));
            return true;
        }

        uid = default;
        return false;
    }

    /// <summary>The neuron at an occupied uid.</summary>
    /// <exception cref="InvalidDataException">The uid is not occupied (the state is corrupt).</exception>
    public NeuronInfo GetNeuron(Netuid netuid, Uid uid)
    {
        if (!Overlay.TryGet(StateKeys.Neuron(netuid, uid), out byte[]? value))
        {
            ThrowHelper.ThrowCorruptState($"subnet {netuid} has no neuron at uid {uid}.");
        }

        return Decode(value, NeuronInfo.Decode);
    }

    /// <summary>Writes a neuron.</summary>
    public void SetNeuron(Netuid netuid, Uid uid, NeuronInfo neuron)
    {
        ArgumentNullException.ThrowIfNull(neuron);
        Overlay.Set(StateKeys.Neuron(netuid, uid), neuron.Encode());
    }

    /// <summary>The weights row of a uid (empty when absent).</summary>
    public RowEntry[] GetWeights(Netuid netuid, Uid uid) => GetRow(StateKeys.Weights(netuid, uid));

    /// <summary>Writes a weights row (an empty row is deleted).</summary>
    public void SetWeights(Netuid netuid, Uid uid, ReadOnlySpan<RowEntry> row) => SetRow(StateKeys.Weights(netuid, uid), row);

    /// <summary>The bonds row of a uid (empty when absent).</summary>
    public RowEntry[] GetBonds(Netuid netuid, Uid uid) => GetRow(StateKeys.Bonds(netuid, uid));

    /// <summary>Writes a bonds row (an empty row is deleted).</summary>
    public void SetBonds(Netuid netuid, Uid uid, ReadOnlySpan<RowEntry> row) => SetRow(StateKeys.Bonds(netuid, uid), row);

    /// <summary>The stake of <paramref name="coldkey"/> on <paramref name="hotkey"/> in the subnet.</summary>
    public Rao GetStake(in PublicKey coldkey, in PublicKey hotkey, Netuid netuid) =>
        Overlay.TryGet(StateKeys.Stake(coldkey, hotkey, netuid), out byte[]? value) ? new Rao(StateCodec.DecodeU64(value)) : Rao.Zero;

    /// <summary>The hotkey's total stake on the subnet: its consensus stake (§2.1).</summary>
    public Rao GetHotkeyStake(Netuid netuid, in PublicKey hotkey) =>
        Overlay.TryGet(StateKeys.HotkeyStake(netuid, hotkey), out byte[]? value) ? new Rao(StateCodec.DecodeU64(value)) : Rao.Zero;

    /// <summary>Adds to a stake entry and the hotkey's total; issuance is the caller's business.</summary>
    public void IncreaseStake(in PublicKey coldkey, in PublicKey hotkey, Netuid netuid, Rao amount)
    {
        if (amount.IsZero)
        {
            return;
        }

        SetU64(StateKeys.Stake(coldkey, hotkey, netuid), GetStake(coldkey, hotkey, netuid) + amount);
        SetU64(StateKeys.HotkeyStake(netuid, hotkey), GetHotkeyStake(netuid, hotkey) + amount);
    }

    /// <summary>Takes from a stake entry and the hotkey's total; <see langword="false"/> (and no change) if the entry holds less.</summary>
    public bool TryDecreaseStake(in PublicKey coldkey, in PublicKey hotkey, Netuid netuid, Rao amount)
    {
        if (!Rao.TrySubtract(GetStake(coldkey, hotkey, netuid), amount, out Rao left))
        {
            return false;
        }

        if (amount.IsZero)
        {
            return true;
        }

        SetU64(StateKeys.Stake(coldkey, hotkey, netuid), left);
        SetU64(StateKeys.HotkeyStake(netuid, hotkey), GetHotkeyStake(netuid, hotkey) - amount);
        return true;
    }

    /// <summary>The subnet's unrevealed weight commits, in commit order.</summary>
    public List<WeightCommit> GetCommits(Netuid netuid) =>
        Overlay.TryGet(StateKeys.Commits(netuid), out byte[]? value) ? Decode(value, StateCodec.DecodeCommits) : [];

    /// <summary>Writes the subnet's commits (none deletes the key).</summary>
    public void SetCommits(Netuid netuid, IReadOnlyList<WeightCommit> commits)
    {
        ArgumentNullException.ThrowIfNull(commits);
        byte[] key = StateKeys.Commits(netuid);
        if (commits.Count == 0)
        {
            Overlay.Delete(key);
        }
        else
        {
            Overlay.Set(key, StateCodec.EncodeCommits(commits));
        }
    }

    /// <summary>Credits free balance and issuance (genesis funding).</summary>
    internal void Mint(in PublicKey account, Rao amount)
    {
        AccountInfo info = GetAccount(account);
        SetAccount(account, info with { Free = info.Free + amount });
        TotalIssuance += amount;
    }

    internal void SetUid(Netuid netuid, in PublicKey hotkey, Uid uid) => Overlay.Set(StateKeys.Uid(netuid, hotkey), StateCodec.EncodeU16(uid.Value));

    internal void DeleteUid(Netuid netuid, in PublicKey hotkey) => Overlay.Delete(StateKeys.Uid(netuid, hotkey));

    private RowEntry[] GetRow(byte[] key) => Overlay.TryGet(key, out byte[]? value) ? Decode(value, StateCodec.DecodeRow) : [];

    private void SetRow(byte[] key, ReadOnlySpan<RowEntry> row)
    {
        if (row.IsEmpty)
        {
            Overlay.Delete(key);
        }
        else
        {
            Overlay.Set(key, StateCodec.EncodeRow(row));
        }
    }

    private void SetU64(byte[] key, Rao value)
    {
        if (value.IsZero)
        {
            Overlay.Delete(key);
        }
        else
        {
            Overlay.Set(key, StateCodec.EncodeU64(value.Value));
        }
    }

    private delegate T SpanDecode<T>(ReadOnlySpan<byte> value);

    private static T Decode<T>(byte[] value, SpanDecode<T> decode)
    {
        try
        {
            return decode(value);
        }
        catch (Core.Serialization.EncodingException e)
        {
            throw new InvalidDataException("The chain state is corrupt: an entry does not decode.", e);
        }
    }
}
