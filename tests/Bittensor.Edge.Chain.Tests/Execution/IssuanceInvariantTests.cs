// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;
using FsCheck.Xunit;

namespace Bittensor.Edge.Chain.Tests.Execution;

/// <summary>
/// After any sequence of transactions: total_issuance == genesis + minted − burned, and it equals the sum of all
/// free balances, stake entries and pending pools.
/// </summary>
public sealed class IssuanceInvariantTests
{
    private static readonly Ed25519KeyPair[] s_coldkeys = [TestKeys.Alice, TestKeys.Bob, TestKeys.Owner, TestKeys.Sudo];
    private static readonly Ed25519KeyPair[] s_hotkeys = [TestKeys.OwnerHotkey, TestKeys.Hotkey(1), TestKeys.Hotkey(2), TestKeys.Hotkey(3), TestKeys.Hotkey(4)];

    private static RuntimeCall RandomCall(Random random, out Ed25519KeyPair signer)
    {
        Ed25519KeyPair cold = s_coldkeys[random.Next(s_coldkeys.Length)];
        Ed25519KeyPair hot = s_hotkeys[random.Next(s_hotkeys.Length)];
        Netuid netuid = new((ushort)random.Next(1, 4));
        Rao amount = new((ulong)random.NextInt64(0, 400_000_000_000));
        signer = cold;
        switch (random.Next(10))
        {
            case 0:
                return new TransferCall(s_coldkeys[random.Next(s_coldkeys.Length)].PublicKey, amount);
            case 1:
                return new RegisterNetworkCall(hot.PublicKey);
            case 2:
            case 3:
                return new BurnedRegisterCall(netuid, hot.PublicKey);
            case 4:
            case 5:
                return new AddStakeCall(hot.PublicKey, netuid, amount);
            case 6:
                return new RemoveStakeCall(hot.PublicKey, netuid, new Rao(amount.Value / 4));
            case 7:
                signer = hot;
                ushort[] uids = [(ushort)random.Next(5), (ushort)random.Next(5)];
                return new SetWeightsCall(netuid, [.. uids.Distinct()], [.. uids.Distinct().Select(_ => (ushort)random.Next(65536))], 0);
            case 8:
                signer = hot;
                return new ServeAxonCall(netuid, 1, (UInt128)random.Next(1, int.MaxValue), 8091, 4, 4);
            default:
                return new SetHyperparameterCall(netuid, (ushort)HyperparameterId.Tempo, (ulong)random.Next(5, 40));
        }
    }

    [Property(MaxTest = 12)]
    public void Issuance_is_conserved_after_random_transaction_sequences(int seed)
    {
        Random random = new(seed);
        TestChain t = new(hp => hp[HyperparameterId.Tempo] = 3);
        Rao minted = Rao.Zero;
        Rao burned = Rao.Zero;
        for (int block = 0; block < 25; block++)
        {
            Dictionary<PublicKey, AccountInfo> before = [];
            List<Extrinsic> extrinsics = [];
            int count = random.Next(0, 6);
            for (int i = 0; i < count; i++)
            {
                RuntimeCall call = RandomCall(random, out Ed25519KeyPair signer);
                extrinsics.Add(t.Sign(signer, call));
            }

            Rao issuanceBefore = t.State.TotalIssuance;
            BlockReceipt receipt = t.Produce([.. extrinsics]);
            if (t.State.GetSubnets().Count > 0)
            {
                minted += new Rao(ChainConstants.BlockEmission);
            }

            burned += issuanceBefore + (t.State.GetSubnets().Count > 0 ? new Rao(ChainConstants.BlockEmission) : Rao.Zero) - t.State.TotalIssuance;
            Assert.Equal(t.GenesisIssuance + minted - burned, t.State.TotalIssuance);
            Assert.Equal(t.State.TotalIssuance, t.SumOfHoldings());
            Assert.Equal(receipt.Block.Extrinsics.Length, receipt.Outcomes.Length);
        }
    }

    [Fact]
    public void Burned_amounts_are_exactly_fees_burns_and_network_costs()
    {
        TestChain t = new();
        Rao start = t.State.TotalIssuance;
        t.State.TryGetSubnet(TestChain.Subnet1, out SubnetInfo? subnet);
        ulong burn = WeightsMath.DecayBurn(subnet!.Burn.Value, 500_000);

        BlockReceipt receipt = t.Produce(
            t.Sign(TestKeys.Alice, new BurnedRegisterCall(TestChain.Subnet1, TestKeys.Hotkey(1).PublicKey)),
            t.Sign(TestKeys.Bob, new RegisterNetworkCall(TestKeys.Hotkey(2).PublicKey)),
            t.Sign(TestKeys.Bob, new TransferCall(TestKeys.Alice.PublicKey, Rao.FromTao(5000))));

        Assert.All(receipt.Outcomes[..2], o => Assert.True(o.IsSuccess));
        Assert.Equal(DispatchError.InsufficientBalance, receipt.Outcomes[2].Error);
        Rao burned = new Rao(burn) + Rao.FromTao(10) + new Rao(3 * ChainConstants.TransactionFee);
        Assert.Equal(start + new Rao(ChainConstants.BlockEmission) - burned, t.State.TotalIssuance);
        Assert.Equal(t.State.TotalIssuance, t.SumOfHoldings());
    }
}
