// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Execution;

/// <summary>Subnet creation, uid assignment and pruning (specs/protocol.md §2.5.2, §2.5.3, §2.6; consensus.md §5).</summary>
internal static class Registration
{
    public static void CreateSubnet(ChainState state, Netuid netuid, in PublicKey owner, in PublicKey ownerHotkey, Hyperparameters hyperparameters, ulong block)
    {
        SubnetInfo subnet = new()
        {
            Owner = owner,
            OwnerHotkey = ownerHotkey,
            Burn = new Rao(ChainConstants.InitialBurn),
            RegisteredAt = block,
            Hyperparameters = hyperparameters,
        };
        AppendNeuron(state, netuid, subnet, owner, ownerHotkey, block);
        state.SetSubnet(netuid, subnet);
    }

    /// <summary>Gives <paramref name="hotkey"/> uid n; the caller writes <paramref name="subnet"/>.</summary>
    public static void AppendNeuron(ChainState state, Netuid netuid, SubnetInfo subnet, in PublicKey coldkey, in PublicKey hotkey, ulong block)
    {
        Uid uid = new(subnet.N);
        subnet.N++;
        state.SetNeuron(netuid, uid, NeuronInfo.Registered(hotkey, block));
        Claim(state, netuid, uid, coldkey, hotkey);
    }

    /// <summary>
    /// Replaces the neuron at <paramref name="uid"/> (consensus.md §5): new registration block and last_update,
    /// its weights and bonds rows deleted, other rows keep their entry for it at 0; the old hotkey loses the uid
    /// but keeps its stake entries.
    /// </summary>
    public static void ReplaceNeuron(ChainState state, Netuid netuid, SubnetInfo subnet, Uid uid, in PublicKey coldkey, in PublicKey hotkey, ulong block)
    {
        NeuronInfo old = state.GetNeuron(netuid, uid);
        state.DeleteUid(netuid, old.Hotkey);
        if (state.TryGetHotkey(old.Hotkey, out HotkeyInfo oldInfo))
        {
            state.SetHotkey(old.Hotkey, oldInfo with { NetuidMask = oldInfo.NetuidMask & ~(1UL << netuid.Value) });
        }

        state.SetNeuron(netuid, uid, NeuronInfo.Registered(hotkey, block));
        state.SetWeights(netuid, uid, []);
        state.SetBonds(netuid, uid, []);
        for (ushort k = 0; k < subnet.N; k++)
        {
            if (k == uid.Value)
            {
                continue;
            }

            RowEntry[] row = state.GetWeights(netuid, new Uid(k));
            for (int i = 0; i < row.Length; i++)
            {
                if (row[i].Uid == uid.Value && row[i].Value != 0)
                {
                    row[i] = row[i] with { Value = 0 };
                    state.SetWeights(netuid, new Uid(k), row);
                    break;
                }
            }
        }

        Claim(state, netuid, uid, coldkey, hotkey);
    }

    /// <summary>
    /// The uid a registration into a full subnet replaces: the lowest pruning score (last epoch's emission),
    /// ties to the earlier registration, then the lower uid; immune uids and the owner's uid 0 are never candidates.
    /// </summary>
    public static bool TryFindPruneCandidate(ChainState state, Netuid netuid, SubnetInfo subnet, ulong block, out Uid uid)
    {
        ulong immunity = subnet.Hyperparameters[HyperparameterId.ImmunityPeriod];
        bool found = false;
        uid = default;
        Rao bestScore = default;
        ulong bestRegistration = 0;
        for (ushort k = 1; k < subnet.N; k++)
        {
            NeuronInfo neuron = state.GetNeuron(netuid, new Uid(k));
            if (neuron.Hotkey == subnet.OwnerHotkey || block - neuron.BlockAtRegistration < immunity)
            {
                continue;
            }

            if (!found || neuron.Emission < bestScore || (neuron.Emission == bestScore && neuron.BlockAtRegistration < bestRegistration))
            {
                found = true;
                uid = new Uid(k);
                bestScore = neuron.Emission;
                bestRegistration = neuron.BlockAtRegistration;
            }
        }

        return found;
    }

    private static void Claim(ChainState state, Netuid netuid, Uid uid, in PublicKey coldkey, in PublicKey hotkey)
    {
        state.SetUid(netuid, hotkey, uid);
        ulong bit = 1UL << netuid.Value;
        HotkeyInfo info = state.TryGetHotkey(hotkey, out HotkeyInfo existing) ? existing with { NetuidMask = existing.NetuidMask | bit } : new HotkeyInfo(coldkey, bit);
        state.SetHotkey(hotkey, info);
    }
}
