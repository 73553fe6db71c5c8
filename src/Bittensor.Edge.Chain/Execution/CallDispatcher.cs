// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Immutable;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Execution;

/// <summary>
/// Dispatches the calls of specs/protocol.md §2.5 against a transaction's own overlay, checking in the order
/// the spec lists. The caller discards the overlay unless the result is <see cref="DispatchError.None"/>, so a
/// check may fail after earlier writes without leaving a trace.
/// </summary>
internal sealed class CallDispatcher
{
    private readonly GenesisConfig _genesis;

    public CallDispatcher(GenesisConfig genesis)
    {
        _genesis = genesis;
    }

    public DispatchError Dispatch(ChainState state, ulong block, in PublicKey signer, RuntimeCall call) => call switch
    {
        TransferCall c => Transfer(state, signer, c),
        RegisterNetworkCall c => RegisterNetwork(state, block, signer, c),
        BurnedRegisterCall c => BurnedRegister(state, block, signer, c),
        ServeAxonCall c => ServeAxon(state, block, signer, c),
        AddStakeCall c => AddStake(state, signer, c),
        RemoveStakeCall c => RemoveStake(state, signer, c),
        SetWeightsCall c => SetWeights(state, block, signer, c),
        CommitWeightsCall c => CommitWeights(state, block, signer, c),
        RevealWeightsCall c => RevealWeights(state, block, signer, c),
        SetHyperparameterCall c => SetHyperparameter(state, signer, c.Netuid, c.ParameterId, c.Value, ownerOnly: true),
        SudoSetHyperparameterCall c => SudoSetHyperparameter(state, signer, c),
        _ => throw new InvalidOperationException($"No dispatch for {call.GetType().Name}."),
    };

    private static DispatchError Transfer(ChainState state, in PublicKey signer, TransferCall call)
    {
        AccountInfo source = state.GetAccount(signer);
        if (source.Free < call.Amount)
        {
            return DispatchError.InsufficientBalance;
        }

        if (call.Dest == signer || call.Amount.IsZero)
        {
            return DispatchError.None;
        }

        state.SetAccount(signer, source with { Free = source.Free - call.Amount });
        AccountInfo to = state.GetAccount(call.Dest);
        state.SetAccount(call.Dest, to with { Free = to.Free + call.Amount });
        return DispatchError.None;
    }

    private DispatchError RegisterNetwork(ChainState state, ulong block, in PublicKey signer, RegisterNetworkCall call)
    {
        Netuid? free = null;
        for (ushort i = 1; i <= ChainConstants.MaxSubnets; i++)
        {
            if (!state.SubnetExists(new Netuid(i)))
            {
                free = new Netuid(i);
                break;
            }
        }

        if (free is null)
        {
            return DispatchError.TooManySubnets;
        }

        if (state.TryGetHotkey(call.OwnerHotkey, out HotkeyInfo hotkey) && hotkey.Owner != signer)
        {
            return DispatchError.HotkeyOwnedByOther;
        }

        AccountInfo account = state.GetAccount(signer);
        if (account.Free < _genesis.NetworkCost)
        {
            return DispatchError.InsufficientBalance;
        }

        state.SetAccount(signer, account with { Free = account.Free - _genesis.NetworkCost });
        state.TotalIssuance -= _genesis.NetworkCost;
        Registration.CreateSubnet(state, free.Value, signer, call.OwnerHotkey, new Hyperparameters(), block);
        return DispatchError.None;
    }

    private static DispatchError BurnedRegister(ChainState state, ulong block, in PublicKey signer, BurnedRegisterCall call)
    {
        if (!state.TryGetSubnet(call.Netuid, out SubnetInfo? subnet))
        {
            return DispatchError.SubnetNotFound;
        }

        if (subnet.Hyperparameters[HyperparameterId.RegistrationAllowed] == 0)
        {
            return DispatchError.RegistrationDisabled;
        }

        if (state.TryGetUid(call.Netuid, call.Hotkey, out _))
        {
            return DispatchError.AlreadyRegistered;
        }

        if (state.TryGetHotkey(call.Hotkey, out HotkeyInfo hotkey) && hotkey.Owner != signer)
        {
            return DispatchError.HotkeyOwnedByOther;
        }

        if (subnet.RegistrationsThisBlock >= ChainConstants.MaxRegistrationsPerBlock)
        {
            return DispatchError.TooManyRegistrationsThisBlock;
        }

        AccountInfo account = state.GetAccount(signer);
        if (account.Free < subnet.Burn)
        {
            return DispatchError.InsufficientBalance;
        }

        Uid uid;
        bool replace = subnet.N >= subnet.Hyperparameters.MaxAllowedUids;
        if (replace)
        {
            if (!Registration.TryFindPruneCandidate(state, call.Netuid, subnet, block, out uid))
            {
                return DispatchError.NoNeuronToPrune;
            }
        }
        else
        {
            uid = new Uid(subnet.N);
        }

        state.SetAccount(signer, account with { Free = account.Free - subnet.Burn });
        state.TotalIssuance -= subnet.Burn;
        subnet.Burn = new Rao(WeightsMath.RaiseBurn(subnet.Burn.Value, subnet.Hyperparameters[HyperparameterId.MaxBurn]));
        subnet.RegistrationsThisBlock++;
        if (replace)
        {
            Registration.ReplaceNeuron(state, call.Netuid, subnet, uid, signer, call.Hotkey, block);
        }
        else
        {
            Registration.AppendNeuron(state, call.Netuid, subnet, signer, call.Hotkey, block);
        }

        state.SetSubnet(call.Netuid, subnet);
        return DispatchError.None;
    }

    private DispatchError ServeAxon(ChainState state, ulong block, in PublicKey signer, ServeAxonCall call)
    {
        if (!state.TryGetUid(call.Netuid, signer, out Uid uid) || !state.TryGetSubnet(call.Netuid, out SubnetInfo? subnet))
        {
            return DispatchError.NotRegistered;
        }

        bool clear = call.Ip == UInt128.Zero;
        if (!clear)
        {
            if (call.IpType is not (4 or 6))
            {
                return DispatchError.InvalidIpType;
            }

            bool loopback = call.IpType == 4 ? call.Ip == 0x7F00_0001 : call.Ip == UInt128.One;
            if ((loopback && !_genesis.AllowLoopbackAxons) || (call.IpType == 4 && call.Ip > uint.MaxValue))
            {
                return DispatchError.InvalidIp;
            }

            if (call.Port == 0)
            {
                return DispatchError.InvalidPort;
            }
        }

        NeuronInfo neuron = state.GetNeuron(call.Netuid, uid);
        ulong limit = subnet.Hyperparameters[HyperparameterId.ServingRateLimit];
        if (neuron.LastServeBlock is ulong last && block - last < limit)
        {
            return DispatchError.ServingRateLimit;
        }

        neuron.Axon = clear ? default : new AxonInfo(call.Version, call.Ip, call.Port, call.IpType, call.Protocol);
        neuron.LastServeBlock = block;
        state.SetNeuron(call.Netuid, uid, neuron);
        return DispatchError.None;
    }

    private static DispatchError AddStake(ChainState state, in PublicKey signer, AddStakeCall call)
    {
        if (!state.TryGetUid(call.Netuid, call.Hotkey, out _))
        {
            return DispatchError.NotRegistered;
        }

        AccountInfo account = state.GetAccount(signer);
        if (account.Free < call.Amount)
        {
            return DispatchError.InsufficientBalance;
        }

        state.SetAccount(signer, account with { Free = account.Free - call.Amount });
        state.IncreaseStake(signer, call.Hotkey, call.Netuid, call.Amount);
        return DispatchError.None;
    }

    private static DispatchError RemoveStake(ChainState state, in PublicKey signer, RemoveStakeCall call)
    {
        Rao stake = state.GetStake(signer, call.Hotkey, call.Netuid);

        // Stake left on a pruned hotkey stays removable (§2.5.5): an existing entry counts as registration.
        if (stake.IsZero && !state.TryGetUid(call.Netuid, call.Hotkey, out _))
        {
            return DispatchError.NotRegistered;
        }

        if (!state.TryDecreaseStake(signer, call.Hotkey, call.Netuid, call.Amount))
        {
            return DispatchError.InsufficientStake;
        }

        AccountInfo account = state.GetAccount(signer);
        state.SetAccount(signer, account with { Free = account.Free + call.Amount });
        return DispatchError.None;
    }

    private static DispatchError SetWeights(ChainState state, ulong block, in PublicKey signer, SetWeightsCall call)
    {
        if (!state.TryGetSubnet(call.Netuid, out SubnetInfo? subnet))
        {
            return DispatchError.SubnetNotFound;
        }

        if (call.Uids.Length != call.Weights.Length)
        {
            return DispatchError.LengthMismatch;
        }

        if (!state.TryGetUid(call.Netuid, signer, out Uid uid))
        {
            return DispatchError.NotRegistered;
        }

        Hyperparameters hp = subnet.Hyperparameters;
        if (hp[HyperparameterId.CommitRevealEnabled] != 0)
        {
            return DispatchError.CommitRevealEnabled;
        }

        if (call.VersionKey < hp[HyperparameterId.WeightsVersionKey])
        {
            return DispatchError.IncorrectVersionKey;
        }

        NeuronInfo neuron = state.GetNeuron(call.Netuid, uid);
        if (neuron.HasSetWeights && block - neuron.LastUpdate < hp[HyperparameterId.WeightsSetRateLimit])
        {
            return DispatchError.SettingWeightsTooFast;
        }

        DispatchError error = CheckRow(neuron, uid, subnet, call.Uids, call.Weights);
        if (error != DispatchError.None)
        {
            return error;
        }

        StoreRow(state, call.Netuid, uid, neuron, call.Uids, call.Weights, block);
        return DispatchError.None;
    }

    private static DispatchError CommitWeights(ChainState state, ulong block, in PublicKey signer, CommitWeightsCall call)
    {
        if (!state.TryGetSubnet(call.Netuid, out SubnetInfo? subnet))
        {
            return DispatchError.SubnetNotFound;
        }

        Hyperparameters hp = subnet.Hyperparameters;
        if (hp[HyperparameterId.CommitRevealEnabled] == 0)
        {
            return DispatchError.CommitRevealDisabled;
        }

        if (!state.TryGetUid(call.Netuid, signer, out Uid uid))
        {
            return DispatchError.NotRegistered;
        }

        List<WeightCommit> commits = state.GetCommits(call.Netuid);
        int pending = 0;
        foreach (WeightCommit commit in commits)
        {
            if (commit.Hotkey == signer)
            {
                pending++;
            }
        }

        if (pending >= ChainConstants.MaxUnrevealedCommits)
        {
            return DispatchError.TooManyUnrevealedCommits;
        }

        NeuronInfo neuron = state.GetNeuron(call.Netuid, uid);
        if (neuron.LastCommitBlock is ulong last && block - last < hp[HyperparameterId.WeightsSetRateLimit])
        {
            return DispatchError.SettingWeightsTooFast;
        }

        commits.Add(new WeightCommit(signer, call.Commit, block));
        state.SetCommits(call.Netuid, commits);
        neuron.LastCommitBlock = block;
        state.SetNeuron(call.Netuid, uid, neuron);
        return DispatchError.None;
    }

    private static DispatchError RevealWeights(ChainState state, ulong block, in PublicKey signer, RevealWeightsCall call)
    {
        if (!state.TryGetSubnet(call.Netuid, out SubnetInfo? subnet))
        {
            return DispatchError.SubnetNotFound;
        }

        if (call.Uids.Length != call.Values.Length)
        {
            return DispatchError.LengthMismatch;
        }

        if (!state.TryGetUid(call.Netuid, signer, out Uid uid))
        {
            return DispatchError.NotRegistered;
        }

        Hyperparameters hp = subnet.Hyperparameters;
        Hash256 expected = WeightCommitHash.Compute(signer, call.Netuid, call.Uids.AsSpan(), call.Values.AsSpan(), call.Salt, call.VersionKey);
        List<WeightCommit> commits = state.GetCommits(call.Netuid);
        ulong now = WeightsMath.EpochIndex(block, call.Netuid.Value, hp.Tempo);
        ulong period = hp[HyperparameterId.RevealPeriodEpochs];
        int match = -1;
        bool tooEarly = false;
        for (int i = 0; i < commits.Count; i++)
        {
            if (commits[i].Hotkey != signer || commits[i].Commit != expected)
            {
                continue;
            }

            ulong revealEpoch = WeightsMath.EpochIndex(commits[i].Block, call.Netuid.Value, hp.Tempo) + period;
            if (now == revealEpoch)
            {
                match = i;
                break;
            }

            tooEarly |= now < revealEpoch;
        }

        if (match < 0)
        {
            return tooEarly ? DispatchError.RevealTooEarly : DispatchError.NoMatchingCommit;
        }

        if (call.VersionKey < hp[HyperparameterId.WeightsVersionKey])
        {
            return DispatchError.IncorrectVersionKey;
        }

        NeuronInfo neuron = state.GetNeuron(call.Netuid, uid);
        DispatchError error = CheckRow(neuron, uid, subnet, call.Uids, call.Values);
        if (error != DispatchError.None)
        {
            return error;
        }

        ulong commitBlock = commits[match].Block;
        commits.RemoveAt(match);
        state.SetCommits(call.Netuid, commits);
        StoreRow(state, call.Netuid, uid, neuron, call.Uids, call.Values, commitBlock);
        return DispatchError.None;
    }

    // The set_weights checks from NoValidatorPermit on (§2.5.6), shared with reveal_weights.
    private static DispatchError CheckRow(NeuronInfo neuron, Uid own, SubnetInfo subnet, ImmutableArray<ushort> uids, ImmutableArray<ushort> weights)
    {
        bool selfWeight = uids.Length == 1 && uids[0] == own.Value;
        if (!neuron.ValidatorPermit && !selfWeight)
        {
            return DispatchError.NoValidatorPermit;
        }

        foreach (ushort uid in uids)
        {
            if (uid >= subnet.N)
            {
                return DispatchError.UidOutOfRange;
            }
        }

        Span<bool> seen = subnet.N <= 1024 ? stackalloc bool[subnet.N] : new bool[subnet.N];
        foreach (ushort uid in uids)
        {
            if (seen[uid])
            {
                return DispatchError.DuplicateUids;
            }

            seen[uid] = true;
        }

        if (selfWeight)
        {
            return DispatchError.None;
        }

        ulong minWeights = Math.Min(subnet.Hyperparameters[HyperparameterId.MinAllowedWeights], subnet.N);
        if ((ulong)uids.Length < minWeights)
        {
            return DispatchError.TooFewWeights;
        }

        ulong limit = subnet.Hyperparameters[HyperparameterId.MaxWeightLimit];
        ulong sum = 0;
        foreach (ushort weight in weights)
        {
            sum += weight;
        }

        foreach (ushort weight in weights)
        {
            if ((UInt128)weight * 65535 > (UInt128)limit * sum)
            {
                return DispatchError.MaxWeightExceeded;
            }
        }

        return DispatchError.None;
    }

    private static void StoreRow(ChainState state, Netuid netuid, Uid uid, NeuronInfo neuron, ImmutableArray<ushort> uids, ImmutableArray<ushort> values, ulong lastUpdate)
    {
        ushort[] scaled = values.ToArray();
        WeightsMath.MaxUpscale(scaled);
        RowEntry[] row = new RowEntry[scaled.Length];
        for (int i = 0; i < row.Length; i++)
        {
            row[i] = new RowEntry(uids[i], scaled[i]);
        }

        Array.Sort(row, static (a, b) => a.Uid.CompareTo(b.Uid));
        state.SetWeights(netuid, uid, row);
        neuron.LastUpdate = lastUpdate;
        neuron.HasSetWeights = true;
        state.SetNeuron(netuid, uid, neuron);
    }

    private DispatchError SudoSetHyperparameter(ChainState state, in PublicKey signer, SudoSetHyperparameterCall call)
    {
        if (_genesis.Sudo is not PublicKey sudo)
        {
            return DispatchError.SudoDisabled;
        }

        if (sudo != signer)
        {
            return DispatchError.NotSudo;
        }

        return SetHyperparameter(state, signer, call.Netuid, call.ParameterId, call.Value, ownerOnly: false);
    }

    private static DispatchError SetHyperparameter(ChainState state, in PublicKey signer, Netuid netuid, ushort id, ulong value, bool ownerOnly)
    {
        if (!state.TryGetSubnet(netuid, out SubnetInfo? subnet))
        {
            return DispatchError.SubnetNotFound;
        }

        if (ownerOnly && subnet.Owner != signer)
        {
            return DispatchError.NotSubnetOwner;
        }

        if (!Hyperparameters.IsKnown(id))
        {
            return DispatchError.UnknownParameter;
        }

        HyperparameterId parameter = (HyperparameterId)id;
        if (!subnet.Hyperparameters.IsWithinBounds(parameter, value, subnet.N))
        {
            return DispatchError.InvalidParameterValue;
        }

        subnet.Hyperparameters[parameter] = value;
        if (parameter == HyperparameterId.MinBurn || parameter == HyperparameterId.MaxBurn)
        {
            ulong burn = Math.Clamp(subnet.Burn.Value, subnet.Hyperparameters[HyperparameterId.MinBurn], subnet.Hyperparameters[HyperparameterId.MaxBurn]);
            subnet.Burn = new Rao(burn);
        }

        state.SetSubnet(netuid, subnet);
        return DispatchError.None;
    }
}
