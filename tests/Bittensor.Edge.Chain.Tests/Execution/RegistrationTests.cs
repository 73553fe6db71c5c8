// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Chain.Transactions;

namespace Bittensor.Edge.Chain.Tests.Execution;

public sealed class RegistrationTests
{
    private static void SetEmission(TestChain t, ushort uid, ulong emission)
    {
        StateOverlay overlay = new(t.Store);
        ChainState state = new(overlay);
        NeuronInfo neuron = state.GetNeuron(TestChain.Subnet1, new Uid(uid));
        neuron.Emission = new Rao(emission);
        state.SetNeuron(TestChain.Subnet1, new Uid(uid), neuron);
        t.Store.Apply(overlay.Changes);
    }

    private static TestChain FullSubnet(ushort maxUids, ulong immunity, bool tempoOff = true)
    {
        TestChain t = new(hp =>
        {
            hp[HyperparameterId.MaxAllowedUids] = maxUids;
            hp[HyperparameterId.ImmunityPeriod] = immunity;
            if (tempoOff)
            {
                hp[HyperparameterId.Tempo] = 0;
            }
        });
        for (int i = 1; i < maxUids; i++)
        {
            t.Register(TestKeys.Alice, TestKeys.Hotkey(i));
        }

        return t;
    }

    [Fact]
    public void Registration_burns_the_price_and_raises_it_by_126_percent()
    {
        TestChain t = new();
        Rao aliceBefore = t.State.GetAccount(TestKeys.Alice.PublicKey).Free;
        Rao issuanceBefore = t.State.TotalIssuance;
        t.State.TryGetSubnet(TestChain.Subnet1, out SubnetInfo? before);
        ulong priceAtBlock = WeightsMath.DecayBurn(before!.Burn.Value, 500_000);

        Uid uid = t.Register(TestKeys.Alice, TestKeys.Hotkey(1));

        t.State.TryGetSubnet(TestChain.Subnet1, out SubnetInfo? after);
        Assert.Equal(new Uid(1), uid);
        Assert.Equal(aliceBefore - new Rao(priceAtBlock + ChainConstants.TransactionFee), t.State.GetAccount(TestKeys.Alice.PublicKey).Free);
        Assert.Equal(issuanceBefore + new Rao(ChainConstants.BlockEmission) - new Rao(priceAtBlock + ChainConstants.TransactionFee), t.State.TotalIssuance);
        Assert.Equal(priceAtBlock * 126 / 100, after!.Burn.Value);
        Assert.True(t.State.TryGetHotkey(TestKeys.Hotkey(1).PublicKey, out HotkeyInfo hotkey));
        Assert.Equal(TestKeys.Alice.PublicKey, hotkey.Owner);
    }

    [Fact]
    public void Only_one_registration_per_subnet_per_block_succeeds()
    {
        TestChain t = new();
        var first = t.Sign(TestKeys.Alice, new BurnedRegisterCall(TestChain.Subnet1, TestKeys.Hotkey(1).PublicKey));
        var second = t.Sign(TestKeys.Bob, new BurnedRegisterCall(TestChain.Subnet1, TestKeys.Hotkey(2).PublicKey));

        var receipt = t.Produce(first, second);

        Assert.Equal(DispatchError.None, receipt.Outcomes[0].Error);
        Assert.Equal(DispatchError.TooManyRegistrationsThisBlock, receipt.Outcomes[1].Error);
    }

    [Fact]
    public void Registration_checks_run_in_the_order_of_the_spec()
    {
        TestChain t = new(hp => hp[HyperparameterId.RegistrationAllowed] = 0);
        Assert.Equal(DispatchError.SubnetNotFound, t.Run(TestKeys.Alice, new BurnedRegisterCall(new Netuid(2), TestKeys.OwnerHotkey.PublicKey)).Error);
        Assert.Equal(DispatchError.RegistrationDisabled, t.Run(TestKeys.Alice, new BurnedRegisterCall(TestChain.Subnet1, TestKeys.OwnerHotkey.PublicKey)).Error);

        TestChain open = new();
        Assert.Equal(DispatchError.AlreadyRegistered, open.Run(TestKeys.Alice, new BurnedRegisterCall(TestChain.Subnet1, TestKeys.OwnerHotkey.PublicKey)).Error);
        open.Register(TestKeys.Alice, TestKeys.Hotkey(1));
        Assert.Equal(DispatchError.AlreadyRegistered, open.Run(TestKeys.Bob, new BurnedRegisterCall(TestChain.Subnet1, TestKeys.Hotkey(1).PublicKey)).Error);
    }

    [Fact]
    public void A_hotkey_owned_by_another_coldkey_cannot_be_registered()
    {
        TestChain t = new();
        t.Register(TestKeys.Alice, TestKeys.Hotkey(1));
        Assert.Equal(DispatchError.None, t.Run(TestKeys.Sudo, new RegisterNetworkCall(TestKeys.Hotkey(5).PublicKey)).Error);

        Assert.Equal(DispatchError.HotkeyOwnedByOther, t.Run(TestKeys.Bob, new BurnedRegisterCall(new Netuid(2), TestKeys.Hotkey(1).PublicKey)).Error);
    }

    [Fact]
    public void A_full_subnet_prunes_the_lowest_pruning_score()
    {
        TestChain t = FullSubnet(4, immunity: 0);
        SetEmission(t, 1, 50);
        SetEmission(t, 2, 10);
        SetEmission(t, 3, 30);

        Uid uid = t.Register(TestKeys.Bob, TestKeys.Hotkey(9));

        Assert.Equal(new Uid(2), uid);
        Assert.False(t.State.TryGetUid(TestChain.Subnet1, TestKeys.Hotkey(2).PublicKey, out _));
    }

    [Fact]
    public void Pruning_ties_go_to_the_earlier_registration_then_the_lower_uid()
    {
        TestChain t = FullSubnet(4, immunity: 0);
        SetEmission(t, 1, 7);
        SetEmission(t, 2, 7);
        SetEmission(t, 3, 7);
        Assert.Equal(new Uid(1), t.Register(TestKeys.Bob, TestKeys.Hotkey(9)));

        SetEmission(t, 1, 7);
        Assert.Equal(new Uid(2), t.Register(TestKeys.Bob, TestKeys.Hotkey(10)));
    }

    [Fact]
    public void The_owner_uid_is_never_pruned_even_with_the_lowest_score()
    {
        TestChain t = FullSubnet(3, immunity: 0);
        SetEmission(t, 0, 0);
        SetEmission(t, 1, 5);
        SetEmission(t, 2, 6);

        Assert.Equal(new Uid(1), t.Register(TestKeys.Bob, TestKeys.Hotkey(9)));
        Assert.True(t.State.TryGetUid(TestChain.Subnet1, TestKeys.OwnerHotkey.PublicKey, out Uid owner));
        Assert.Equal(new Uid(0), owner);
    }

    [Fact]
    public void When_every_candidate_is_immune_registration_fails_and_burns_only_the_fee()
    {
        TestChain t = FullSubnet(3, immunity: 1000);
        Rao before = t.State.GetAccount(TestKeys.Bob.PublicKey).Free;

        Assert.Equal(DispatchError.NoNeuronToPrune, t.Run(TestKeys.Bob, new BurnedRegisterCall(TestChain.Subnet1, TestKeys.Hotkey(9).PublicKey)).Error);
        Assert.Equal(before - new Rao(ChainConstants.TransactionFee), t.State.GetAccount(TestKeys.Bob.PublicKey).Free);
    }

    [Fact]
    public void A_replaced_uid_is_reset_and_others_keep_a_zero_weight_for_it()
    {
        TestChain t = FullSubnet(3, immunity: 0);
        BadInputTests.MakeValidator(t, TestKeys.OwnerHotkey);
        Assert.True(t.Run(TestKeys.OwnerHotkey, new SetWeightsCall(TestChain.Subnet1, [1, 2], [100, 200], 0)).IsSuccess);
        SetEmission(t, 2, 100);
        ulong block = t.Next;

        Assert.Equal(new Uid(1), t.Register(TestKeys.Bob, TestKeys.Hotkey(9)));

        NeuronInfo replaced = t.State.GetNeuron(TestChain.Subnet1, new Uid(1));
        Assert.Equal(TestKeys.Hotkey(9).PublicKey, replaced.Hotkey);
        Assert.Equal(block, replaced.BlockAtRegistration);
        Assert.Equal(block, replaced.LastUpdate);
        Assert.False(replaced.ValidatorPermit);
        Assert.Equal([new RowEntry(1, 0), new RowEntry(2, 65535)], t.State.GetWeights(TestChain.Subnet1, new Uid(0)));
    }

    [Fact]
    public void Stake_left_on_a_pruned_hotkey_stays_removable()
    {
        TestChain t = FullSubnet(3, immunity: 0);
        Assert.True(t.Run(TestKeys.Alice, new AddStakeCall(TestKeys.Hotkey(1).PublicKey, TestChain.Subnet1, Rao.FromTao(5))).IsSuccess);
        SetEmission(t, 2, 100);
        Assert.Equal(new Uid(1), t.Register(TestKeys.Bob, TestKeys.Hotkey(9)));

        Assert.True(t.Run(TestKeys.Alice, new RemoveStakeCall(TestKeys.Hotkey(1).PublicKey, TestChain.Subnet1, Rao.FromTao(5))).IsSuccess);
        Assert.Equal(Rao.Zero, t.State.GetStake(TestKeys.Alice.PublicKey, TestKeys.Hotkey(1).PublicKey, TestChain.Subnet1));
    }

    [Fact]
    public void Register_network_takes_the_lowest_free_netuid_and_burns_the_network_cost()
    {
        TestChain t = new();
        Rao before = t.State.GetAccount(TestKeys.Bob.PublicKey).Free;

        Assert.True(t.Run(TestKeys.Bob, new RegisterNetworkCall(TestKeys.Hotkey(7).PublicKey)).IsSuccess);

        Assert.True(t.State.TryGetSubnet(new Netuid(2), out SubnetInfo? subnet));
        Assert.Equal(TestKeys.Bob.PublicKey, subnet.Owner);
        Assert.Equal(ChainConstants.InitialBurn, subnet.Burn.Value);
        Assert.True(t.State.TryGetUid(new Netuid(2), TestKeys.Hotkey(7).PublicKey, out Uid uid));
        Assert.Equal(new Uid(0), uid);
        Assert.Equal(before - Rao.FromTao(10) - new Rao(ChainConstants.TransactionFee), t.State.GetAccount(TestKeys.Bob.PublicKey).Free);
    }
}
