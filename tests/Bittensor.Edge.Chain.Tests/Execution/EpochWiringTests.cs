// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Consensus.Epoch;

namespace Bittensor.Edge.Chain.Tests.Execution;

public sealed class EpochWiringTests
{
    [Fact]
    public void Hyperparameters_map_onto_the_consensus_parameters()
    {
        Hyperparameters hp = new();
        hp[HyperparameterId.AlphaSigmoidSteepness] = 0xFC18;
        hp[HyperparameterId.Yuma3] = 0;
        hp[HyperparameterId.Kappa] = 1234;

        SubnetHyperparameters mapped = YumaEpochRunner.ToParameters(hp, 0);

        Assert.Equal((short)-1000, mapped.AlphaSigmoidSteepness);
        Assert.False(mapped.Yuma3);
        Assert.Equal((ushort)1234, mapped.Kappa);
        Assert.Equal((ushort)64, mapped.MaxAllowedValidators);
        Assert.Equal(0, mapped.OwnerUid);
    }

    [Fact]
    public void An_epoch_pays_out_exactly_the_pools_it_empties()
    {
        TestChain t = new();
        t.Register(TestKeys.Alice, TestKeys.Hotkey(1));
        t.Register(TestKeys.Bob, TestKeys.Hotkey(2));
        Assert.True(t.Run(TestKeys.Alice, new AddStakeCall(TestKeys.Hotkey(1).PublicKey, TestChain.Subnet1, Rao.FromTao(50))).IsSuccess);
        ulong next = WeightsMath.NextEpochBlock(t.Next, 1, 10)!.Value;
        t.ProduceUntil(next - 1);
        t.State.TryGetSubnet(TestChain.Subnet1, out SubnetInfo? before);
        Rao stakeBefore = TotalStake(t);

        Assert.Equal([TestChain.Subnet1], t.Produce().Epochs);

        t.State.TryGetSubnet(TestChain.Subnet1, out SubnetInfo? after);
        (Rao owner, Rao server, Rao validator) = Chain.Execution.EmissionSplit.SplitBlockEmission(new Rao(ChainConstants.BlockEmission));
        Rao pools = before!.PendingOwner + before.PendingServer + before.PendingValidator + owner + server + validator;
        Assert.Equal(Rao.Zero, after!.PendingOwner);
        Assert.Equal(Rao.Zero, after.PendingServer);
        Assert.Equal(pools, TotalStake(t) - stakeBefore + after.PendingValidator);
        Assert.True(t.State.GetNeuron(TestChain.Subnet1, new Uid(1)).ValidatorPermit);
    }

    private static Rao TotalStake(TestChain t)
    {
        Rao total = Rao.Zero;
        for (ushort uid = 0; uid < 3; uid++)
        {
            total += t.State.GetHotkeyStake(TestChain.Subnet1, t.State.GetNeuron(TestChain.Subnet1, new Uid(uid)).Hotkey);
        }

        return total;
    }
}
