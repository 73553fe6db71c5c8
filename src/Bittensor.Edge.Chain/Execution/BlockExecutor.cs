// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Execution;

/// <summary>
/// Executes a block over a state overlay in the order of specs/protocol.md §2.2: <see cref="BeginBlock"/> (burn
/// decay, expired commits, the mint and its split, the due epochs and their payouts), then
/// <see cref="ApplyExtrinsic"/> per transaction. The caller then commits the overlay and computes the state root.
/// </summary>
/// <remarks>Stateless apart from the genesis; thread-safe as long as each overlay has one user.</remarks>
public sealed class BlockExecutor
{
    private readonly CallDispatcher _dispatcher;
    private readonly IEpochRunner _epoch;

    /// <summary>An executor for the network of <paramref name="genesis"/>.</summary>
    public BlockExecutor(GenesisConfig genesis)
        : this(genesis, new YumaEpochRunner())
    {
    }

    internal BlockExecutor(GenesisConfig genesis, IEpochRunner epoch)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        Genesis = genesis;
        _dispatcher = new CallDispatcher(genesis);
        _epoch = epoch;
    }

    /// <summary>The network.</summary>
    public GenesisConfig Genesis { get; }

    /// <summary>
    /// The block-level steps before transactions: per subnet burn decay, registration counter reset and deletion of
    /// expired commits; the mint of 1 TAO shared over subnets into their pending pools; then the epoch of every
    /// subnet due in <paramref name="number"/>, with payouts added as stake.
    /// </summary>
    /// <returns>The netuids whose epoch ran, ascending.</returns>
    public List<Netuid> BeginBlock(StateOverlay block, ulong number)
    {
        ChainState state = new(block);
        List<Netuid> subnets = state.GetSubnets();
        foreach (Netuid netuid in subnets)
        {
            state.TryGetSubnet(netuid, out SubnetInfo? subnet);
            subnet!.Burn = new Rao(WeightsMath.DecayBurn(subnet.Burn.Value, subnet.Hyperparameters[HyperparameterId.MinBurn]));
            subnet.RegistrationsThisBlock = 0;
            state.SetSubnet(netuid, subnet);
            ExpireCommits(state, netuid, subnet, number);
        }

        if (subnets.Count > 0)
        {
            (Rao share, Rao firstShare) = EmissionSplit.ShareBlockEmission(subnets.Count);
            for (int i = 0; i < subnets.Count; i++)
            {
                state.TryGetSubnet(subnets[i], out SubnetInfo? subnet);
                (Rao owner, Rao server, Rao validator) = EmissionSplit.SplitBlockEmission(i == 0 ? firstShare : share);
                subnet!.PendingOwner += owner;
                subnet.PendingServer += server;
                subnet.PendingValidator += validator;
                state.SetSubnet(subnets[i], subnet);
            }

            state.TotalIssuance += new Rao(ChainConstants.BlockEmission);
        }

        List<Netuid> epochs = [];
        foreach (Netuid netuid in subnets)
        {
            state.TryGetSubnet(netuid, out SubnetInfo? subnet);
            if (WeightsMath.IsEpochBlock(number, netuid.Value, subnet!.Hyperparameters.Tempo))
            {
                RunEpoch(state, netuid, subnet, number);
                epochs.Add(netuid);
            }
        }

        return epochs;
    }

    /// <summary>
    /// Checks and applies one transaction in block <paramref name="number"/>. If it is not valid nothing changes;
    /// otherwise the nonce goes up and a paid call's fee is burned, then the call runs in its own overlay that is
    /// kept only on success.
    /// </summary>
    /// <param name="block">The block's overlay.</param>
    /// <param name="number">The block number.</param>
    /// <param name="extrinsic">The transaction.</param>
    /// <param name="verifySignature">Whether to check the signature (false only when the pool already did).</param>
    public ApplyOutcome ApplyExtrinsic(StateOverlay block, ulong number, Extrinsic extrinsic, bool verifySignature = true)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(extrinsic);
        ChainState state = new(block);
        TransactionValidity validity = Validate(state, number, extrinsic, verifySignature);
        if (validity != TransactionValidity.Valid)
        {
            return new ApplyOutcome(validity, DispatchError.None);
        }

        PublicKey signer = extrinsic.Signer;
        AccountInfo account = state.GetAccount(signer);
        account = account with { Nonce = account.Nonce + 1 };
        if (!extrinsic.Call.IsFree)
        {
            account = account with { Free = account.Free - new Rao(ChainConstants.TransactionFee) };
            state.TotalIssuance -= new Rao(ChainConstants.TransactionFee);
        }

        state.SetAccount(signer, account);
        StateOverlay transaction = new(block);
        DispatchError error = _dispatcher.Dispatch(new ChainState(transaction), number, signer, extrinsic.Call);
        if (error == DispatchError.None)
        {
            transaction.CommitTo(block);
        }

        return new ApplyOutcome(TransactionValidity.Valid, error);
    }

    /// <summary>Whether the transaction may be applied in block <paramref name="number"/> (§2.4).</summary>
    public TransactionValidity Validate(ChainState state, ulong number, Extrinsic extrinsic, bool verifySignature = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(extrinsic);
        if (verifySignature && !extrinsic.VerifySignature(Genesis.Hash))
        {
            return TransactionValidity.BadSignature;
        }

        if (extrinsic.ValidUntil < number)
        {
            return TransactionValidity.Expired;
        }

        AccountInfo account = state.GetAccount(extrinsic.Signer);
        if (extrinsic.Nonce != account.Nonce)
        {
            return extrinsic.Nonce < account.Nonce ? TransactionValidity.StaleNonce : TransactionValidity.FutureNonce;
        }

        if (extrinsic.Call.IsFree)
        {
            return state.IsRegisteredAnywhere(extrinsic.Signer) ? TransactionValidity.Valid : TransactionValidity.NotRegisteredHotkey;
        }

        return account.Free.Value >= ChainConstants.TransactionFee ? TransactionValidity.Valid : TransactionValidity.CannotPayFee;
    }

    private static void ExpireCommits(ChainState state, Netuid netuid, SubnetInfo subnet, ulong number)
    {
        List<WeightCommit> commits = state.GetCommits(netuid);
        if (commits.Count == 0)
        {
            return;
        }

        ulong now = WeightsMath.EpochIndex(number, netuid.Value, subnet.Hyperparameters.Tempo);
        ulong period = subnet.Hyperparameters[HyperparameterId.RevealPeriodEpochs];
        int removed = commits.RemoveAll(c => now > WeightsMath.EpochIndex(c.Block, netuid.Value, subnet.Hyperparameters.Tempo) + period);
        if (removed > 0)
        {
            state.SetCommits(netuid, commits);
        }
    }

    private void RunEpoch(ChainState state, Netuid netuid, SubnetInfo subnet, ulong number)
    {
        int n = subnet.N;
        NeuronInfo[] neurons = new NeuronInfo[n];
        ulong[] stake = new ulong[n];
        ulong[] registered = new ulong[n];
        ulong[] lastUpdate = new ulong[n];
        bool[] permits = new bool[n];
        RowEntry[][] weights = new RowEntry[n][];
        RowEntry[][] bonds = new RowEntry[n][];
        ulong?[] commitBlocks = new ulong?[n];
        List<WeightCommit> commits = state.GetCommits(netuid);
        for (ushort i = 0; i < n; i++)
        {
            Uid uid = new(i);
            NeuronInfo neuron = state.GetNeuron(netuid, uid);
            neurons[i] = neuron;
            stake[i] = state.GetHotkeyStake(netuid, neuron.Hotkey).Value;
            registered[i] = neuron.BlockAtRegistration;
            lastUpdate[i] = neuron.LastUpdate;
            permits[i] = neuron.ValidatorPermit;
            weights[i] = state.GetWeights(netuid, uid);
            bonds[i] = state.GetBonds(netuid, uid);
            foreach (WeightCommit commit in commits)
            {
                if (commit.Hotkey == neuron.Hotkey && (commitBlocks[i] is null || commit.Block < commitBlocks[i]))
                {
                    commitBlocks[i] = commit.Block;
                }
            }
        }

        Rao pool = subnet.PendingServer + subnet.PendingValidator;
        EpochInput input = new(number, subnet.Hyperparameters, SubnetInfo.OwnerUid.Value, stake, registered, lastUpdate, permits, weights, bonds, commitBlocks, pool.Value);
        EpochOutput output = _epoch.Run(input);

        // Payouts (consensus.md §8): miners get server_emission, validators share what the miners leave, the
        // rounding remainder is carried, and the owner's pool goes to the owner hotkey in full.
        Rao minersPaid = Rao.Zero;
        for (int i = 0; i < n; i++)
        {
            minersPaid += new Rao(output.ServerEmission[i]);
        }

        if (minersPaid > pool)
        {
            ThrowHelper.ThrowInvalidOperation($"The epoch of subnet {netuid} paid miners {minersPaid} of a pool of {pool}.");
        }

        Rao[] validatorAmounts = EmissionSplit.SplitValidatorPool(pool - minersPaid, output.ValidatorShare, out Rao carried);
        for (int i = 0; i < n; i++)
        {
            PayAsStake(state, netuid, neurons[i].Hotkey, new Rao(output.ServerEmission[i]) + validatorAmounts[i]);
        }

        PayAsStake(state, netuid, subnet.OwnerHotkey, subnet.PendingOwner);
        subnet.PendingOwner = Rao.Zero;
        subnet.PendingServer = Rao.Zero;
        subnet.PendingValidator = carried;
        state.SetSubnet(netuid, subnet);

        for (ushort i = 0; i < n; i++)
        {
            NeuronInfo neuron = neurons[i];
            neuron.Active = output.Active[i];
            neuron.StakeWeight = output.StakeWeight[i];
            neuron.Consensus = output.Consensus[i];
            neuron.Incentive = output.Incentive[i];
            neuron.Dividends = output.Dividends[i];
            neuron.ValidatorTrust = output.ValidatorTrust[i];
            neuron.Emission = new Rao(output.Emission[i]);
            neuron.ValidatorPermit = output.NewValidatorPermit[i];
            state.SetNeuron(netuid, new Uid(i), neuron);
            state.SetBonds(netuid, new Uid(i), output.NewValidatorPermit[i] ? output.NewBonds[i] : []);
        }
    }

    private static void PayAsStake(ChainState state, Netuid netuid, in PublicKey hotkey, Rao amount)
    {
        if (amount.IsZero)
        {
            return;
        }

        if (!state.TryGetHotkey(hotkey, out HotkeyInfo info))
        {
            ThrowHelper.ThrowCorruptState($"hotkey {hotkey} on subnet {netuid} has no owner.");
        }

        state.IncreaseStake(info.Owner, hotkey, netuid, amount);
    }
}
