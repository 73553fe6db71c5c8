// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Tests.Execution;

public sealed class DispatchTests
{
    private const uint Localhost = 0x7F00_0001;
    private static readonly Netuid s_net = TestChain.Subnet1;

    private static DispatchError Serve(TestChain t, Ed25519KeyPair hotkey, UInt128 ip, byte ipType = 4, ushort port = 8091) =>
        t.Run(hotkey, new ServeAxonCall(s_net, 1, ip, port, ipType, 4)).Error;

    [Fact]
    public void A_transfer_moves_the_amount_and_burns_the_fee()
    {
        TestChain t = new();
        Rao alice = t.State.GetAccount(TestKeys.Alice.PublicKey).Free;
        Rao bob = t.State.GetAccount(TestKeys.Bob.PublicKey).Free;

        Assert.True(t.Run(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(3))).IsSuccess);

        Assert.Equal(alice - Rao.FromTao(3) - new Rao(ChainConstants.TransactionFee), t.State.GetAccount(TestKeys.Alice.PublicKey).Free);
        Assert.Equal(bob + Rao.FromTao(3), t.State.GetAccount(TestKeys.Bob.PublicKey).Free);
        Assert.Equal(1UL, t.State.GetAccount(TestKeys.Alice.PublicKey).Nonce);
    }

    [Fact]
    public void A_self_transfer_changes_only_nonce_and_fee()
    {
        TestChain t = new();
        Rao alice = t.State.GetAccount(TestKeys.Alice.PublicKey).Free;

        Assert.True(t.Run(TestKeys.Alice, new TransferCall(TestKeys.Alice.PublicKey, Rao.FromTao(3))).IsSuccess);

        Assert.Equal(alice - new Rao(ChainConstants.TransactionFee), t.State.GetAccount(TestKeys.Alice.PublicKey).Free);
    }

    [Fact]
    public void Transfer_needs_the_amount_plus_the_fee()
    {
        TestChain t = new();
        Rao all = t.State.GetAccount(TestKeys.Alice.PublicKey).Free;

        Assert.Equal(DispatchError.InsufficientBalance, t.Run(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, all)).Error);
        Assert.Equal(DispatchError.None, t.Run(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, all - new Rao(2 * ChainConstants.TransactionFee))).Error);
    }

    [Fact]
    public void Stake_moves_between_free_balance_and_the_stake_entry()
    {
        TestChain t = new();
        PublicKey hotkey = TestKeys.OwnerHotkey.PublicKey;

        Assert.Equal(DispatchError.NotRegistered, t.Run(TestKeys.Alice, new AddStakeCall(TestKeys.Hotkey(5).PublicKey, s_net, Rao.FromTao(1))).Error);
        Assert.Equal(DispatchError.InsufficientBalance, t.Run(TestKeys.Alice, new AddStakeCall(hotkey, s_net, Rao.FromTao(1000))).Error);
        Assert.True(t.Run(TestKeys.Alice, new AddStakeCall(hotkey, s_net, Rao.FromTao(10))).IsSuccess);
        Assert.Equal(DispatchError.InsufficientStake, t.Run(TestKeys.Alice, new RemoveStakeCall(hotkey, s_net, Rao.FromTao(11))).Error);
        Assert.True(t.Run(TestKeys.Alice, new RemoveStakeCall(hotkey, s_net, Rao.FromTao(4))).IsSuccess);

        Assert.Equal(Rao.FromTao(6), t.State.GetStake(TestKeys.Alice.PublicKey, hotkey, s_net));
        Assert.True(t.State.GetHotkeyStake(s_net, hotkey) >= Rao.FromTao(6));
    }

    [Fact]
    public void Serve_axon_checks_registration_ip_type_ip_port_and_rate_in_that_order()
    {
        TestChain t = new(allowLoopback: false);
        Assert.Equal(DispatchError.NotRegistered, t.Run(TestKeys.OwnerHotkey, new ServeAxonCall(new Netuid(2), 1, 1, 1, 4, 4)).Error);
        Assert.Equal(DispatchError.InvalidIpType, Serve(t, TestKeys.OwnerHotkey, Localhost, ipType: 5, port: 0));
        Assert.Equal(DispatchError.InvalidIp, Serve(t, TestKeys.OwnerHotkey, Localhost, port: 0));
        Assert.Equal(DispatchError.InvalidIp, Serve(t, TestKeys.OwnerHotkey, UInt128.One, ipType: 6));
        Assert.Equal(DispatchError.InvalidIp, Serve(t, TestKeys.OwnerHotkey, (UInt128)uint.MaxValue + 1));
        Assert.Equal(DispatchError.InvalidPort, Serve(t, TestKeys.OwnerHotkey, 0x0A00_0001, port: 0));
        Assert.Equal(DispatchError.None, Serve(t, TestKeys.OwnerHotkey, 0x0A00_0001));
        Assert.Equal(DispatchError.ServingRateLimit, Serve(t, TestKeys.OwnerHotkey, 0x0A00_0002));

        NeuronInfo neuron = t.State.GetNeuron(s_net, new Uid(0));
        Assert.Equal(new AxonInfo(1, 0x0A00_0001, 8091, 4, 4), neuron.Axon);
    }

    [Fact]
    public void Loopback_axons_are_accepted_when_the_genesis_allows_them()
    {
        TestChain t = new(allowLoopback: true);

        Assert.Equal(DispatchError.None, Serve(t, TestKeys.OwnerHotkey, Localhost));
    }

    [Fact]
    public void An_ip_of_zero_clears_the_axon_record()
    {
        TestChain t = new(hp => hp[HyperparameterId.ServingRateLimit] = 0);
        Assert.Equal(DispatchError.None, Serve(t, TestKeys.OwnerHotkey, 0x0A00_0001));

        Assert.Equal(DispatchError.None, Serve(t, TestKeys.OwnerHotkey, UInt128.Zero, ipType: 0, port: 0));

        Assert.False(t.State.GetNeuron(s_net, new Uid(0)).Axon.IsServing);
    }

    [Fact]
    public void Set_weights_checks_run_in_the_order_of_the_spec()
    {
        TestChain t = new(hp => hp[HyperparameterId.WeightsVersionKey] = 3);
        t.Register(TestKeys.Alice, TestKeys.Hotkey(1));
        t.Register(TestKeys.Alice, TestKeys.Hotkey(2));
        Ed25519KeyPair v = TestKeys.OwnerHotkey;

        Assert.Equal(DispatchError.SubnetNotFound, t.Run(v, new SetWeightsCall(new Netuid(2), [1], [1, 2], 0)).Error);
        Assert.Equal(DispatchError.LengthMismatch, t.Run(v, new SetWeightsCall(s_net, [1], [1, 2], 0)).Error);
        Assert.Equal(DispatchError.IncorrectVersionKey, t.Run(v, new SetWeightsCall(s_net, [9, 9], [1, 1], 2)).Error);
        Assert.Equal(DispatchError.NoValidatorPermit, t.Run(v, new SetWeightsCall(s_net, [9, 9], [1, 1], 3)).Error);
        Assert.Equal(DispatchError.None, t.Run(v, new SetWeightsCall(s_net, [0], [1], 3)).Error);

        BadInputTests.MakeValidator(t, v);
        t.ProduceUntil(t.Chain.BestNumber + 100);
        Assert.Equal(DispatchError.UidOutOfRange, t.Run(v, new SetWeightsCall(s_net, [1, 3], [1, 1], 3)).Error);
        Assert.Equal(DispatchError.DuplicateUids, t.Run(v, new SetWeightsCall(s_net, [1, 1], [1, 1], 3)).Error);
        Assert.Equal(DispatchError.None, t.Run(v, new SetWeightsCall(s_net, [2, 1], [21845, 43690], 3)).Error);

        Assert.Equal([new RowEntry(1, 65535), new RowEntry(2, 32768)], t.State.GetWeights(s_net, new Uid(0)));
        Assert.Equal(t.Chain.BestNumber, t.State.GetNeuron(s_net, new Uid(0)).LastUpdate);
    }

    [Fact]
    public void An_unregistered_hotkey_cannot_set_weights_on_a_subnet()
    {
        TestChain t = new();
        Assert.True(t.Run(TestKeys.Bob, new RegisterNetworkCall(TestKeys.Hotkey(4).PublicKey)).IsSuccess);

        Assert.Equal(DispatchError.NotRegistered, t.Run(TestKeys.Hotkey(4), new SetWeightsCall(s_net, [0], [1], 0)).Error);
    }

    [Fact]
    public void Max_weight_limit_rejects_a_weight_with_too_large_a_share()
    {
        TestChain t = new(hp => hp[HyperparameterId.MaxWeightLimit] = 40000);
        t.Register(TestKeys.Alice, TestKeys.Hotkey(1));
        t.Register(TestKeys.Alice, TestKeys.Hotkey(2));
        BadInputTests.MakeValidator(t, TestKeys.OwnerHotkey);

        Assert.Equal(DispatchError.MaxWeightExceeded, t.Run(TestKeys.OwnerHotkey, new SetWeightsCall(s_net, [1, 2], [3, 1], 0)).Error);
        Assert.Equal(DispatchError.None, t.Run(TestKeys.OwnerHotkey, new SetWeightsCall(s_net, [1, 2], [1, 1], 0)).Error);
    }

    [Fact]
    public void Set_weights_is_refused_while_commit_reveal_is_on()
    {
        TestChain t = new(hp => hp[HyperparameterId.CommitRevealEnabled] = 1);

        Assert.Equal(DispatchError.CommitRevealEnabled, t.Run(TestKeys.OwnerHotkey, new SetWeightsCall(s_net, [0], [1], 0)).Error);
    }

    [Fact]
    public void A_commit_is_revealed_in_the_next_epoch_and_stored_with_the_commit_block()
    {
        TestChain t = new(hp => hp[HyperparameterId.CommitRevealEnabled] = 1);
        t.Register(TestKeys.Alice, TestKeys.Hotkey(1));
        BadInputTests.MakeValidator(t, TestKeys.OwnerHotkey);
        Hash256 salt = Blake2b.Hash256("s"u8);
        Extrinsic commit = t.Builder.CommitWeights(TestKeys.OwnerHotkey, t.NonceOf(TestKeys.OwnerHotkey), t.Chain.BestNumber + 10, s_net, [1], [7], salt);
        Assert.True(t.Produce(commit).Outcomes[0].IsSuccess);
        ulong commitBlock = t.Chain.BestNumber;
        RevealWeightsCall reveal = new(s_net, [1], [7], salt, 0);

        Assert.Equal(DispatchError.RevealTooEarly, t.Run(TestKeys.OwnerHotkey, reveal).Error);
        t.ProduceUntil(BadInputTests.NextEpochStart(commitBlock, 1, 10) - 1);
        Assert.Equal(DispatchError.None, t.Run(TestKeys.OwnerHotkey, reveal).Error);

        Assert.Equal([new RowEntry(1, 65535)], t.State.GetWeights(s_net, new Uid(0)));
        Assert.Equal(commitBlock, t.State.GetNeuron(s_net, new Uid(0)).LastUpdate);
        Assert.Empty(t.State.GetCommits(s_net));
    }

    [Fact]
    public void Unrevealed_commits_are_deleted_at_the_first_block_of_a_later_epoch()
    {
        TestChain t = new(hp => hp[HyperparameterId.CommitRevealEnabled] = 1);
        Hash256 salt = Blake2b.Hash256("s"u8);
        Assert.True(t.Run(TestKeys.OwnerHotkey, new CommitWeightsCall(s_net, WeightCommitHash.Compute(TestKeys.OwnerHotkey.PublicKey, s_net, [0], [1], salt, 0))).IsSuccess);
        ulong commitBlock = t.Chain.BestNumber;
        ulong revealStart = BadInputTests.NextEpochStart(commitBlock, 1, 10);
        ulong expiry = BadInputTests.NextEpochStart(revealStart, 1, 10);

        t.ProduceUntil(expiry - 1);
        Assert.Single(t.State.GetCommits(s_net));
        t.Produce();
        Assert.Empty(t.State.GetCommits(s_net));
        Assert.Equal(DispatchError.NoMatchingCommit, t.Run(TestKeys.OwnerHotkey, new RevealWeightsCall(s_net, [0], [1], salt, 0)).Error);
    }

    [Fact]
    public void Commits_need_commit_reveal_on_and_respect_the_rate_limit()
    {
        TestChain off = new();
        Assert.Equal(DispatchError.CommitRevealDisabled, off.Run(TestKeys.OwnerHotkey, new CommitWeightsCall(s_net, Hash256.Zero)).Error);

        TestChain t = new(hp => hp[HyperparameterId.CommitRevealEnabled] = 1);
        Assert.True(t.Run(TestKeys.OwnerHotkey, new CommitWeightsCall(s_net, Hash256.Zero)).IsSuccess);
        Assert.Equal(DispatchError.SettingWeightsTooFast, t.Run(TestKeys.OwnerHotkey, new CommitWeightsCall(s_net, Hash256.Zero)).Error);
    }

    [Fact]
    public void A_hotkey_holds_at_most_ten_unrevealed_commits()
    {
        TestChain t = new(hp =>
        {
            hp[HyperparameterId.CommitRevealEnabled] = 1;
            hp[HyperparameterId.WeightsSetRateLimit] = 0;
            hp[HyperparameterId.Tempo] = 1000;
        });
        for (int i = 0; i < 10; i++)
        {
            Assert.True(t.Run(TestKeys.OwnerHotkey, new CommitWeightsCall(s_net, Blake2b.Hash256([(byte)i]))).IsSuccess);
        }

        Assert.Equal(DispatchError.TooManyUnrevealedCommits, t.Run(TestKeys.OwnerHotkey, new CommitWeightsCall(s_net, Hash256.Zero)).Error);
    }

    [Fact]
    public void Only_the_owner_sets_hyperparameters_within_bounds()
    {
        TestChain t = new();

        Assert.Equal(DispatchError.SubnetNotFound, t.Run(TestKeys.Owner, new SetHyperparameterCall(new Netuid(3), 0, 20)).Error);
        Assert.Equal(DispatchError.NotSubnetOwner, t.Run(TestKeys.Alice, new SetHyperparameterCall(s_net, 0, 20)).Error);
        Assert.Equal(DispatchError.UnknownParameter, t.Run(TestKeys.Owner, new SetHyperparameterCall(s_net, 25, 20)).Error);
        Assert.Equal(DispatchError.InvalidParameterValue, t.Run(TestKeys.Owner, new SetHyperparameterCall(s_net, 0, 9)).Error);
        Assert.Equal(DispatchError.InvalidParameterValue, t.Run(TestKeys.Owner, new SetHyperparameterCall(s_net, 1, 257)).Error);
        Assert.Equal(DispatchError.InvalidParameterValue, t.Run(TestKeys.Owner, new SetHyperparameterCall(s_net, 2, 257)).Error);
        Assert.Equal(DispatchError.None, t.Run(TestKeys.Owner, new SetHyperparameterCall(s_net, 0, 20)).Error);

        t.State.TryGetSubnet(s_net, out SubnetInfo? subnet);
        Assert.Equal((ushort)20, subnet!.Hyperparameters.Tempo);
    }

    [Fact]
    public void Sudo_needs_the_genesis_sudo_key_and_skips_the_owner_check()
    {
        TestChain t = new();

        Assert.Equal(DispatchError.NotSudo, t.Run(TestKeys.Owner, new SudoSetHyperparameterCall(s_net, 0, 20)).Error);
        Assert.Equal(DispatchError.None, t.Run(TestKeys.Sudo, new SudoSetHyperparameterCall(s_net, 0, 20)).Error);
    }

    [Fact]
    public void Without_a_genesis_sudo_key_sudo_is_disabled()
    {
        TestChain t = new(withSudo: false);

        Assert.Equal(DispatchError.SudoDisabled, t.Run(TestKeys.Sudo, new SudoSetHyperparameterCall(s_net, 0, 20)).Error);
    }
}
