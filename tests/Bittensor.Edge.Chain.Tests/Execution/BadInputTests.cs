// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Tests.Execution;

/// <summary>
/// Each kind of bad input is refused with its own error, and the state afterwards is exactly the state before
/// plus what §2.4 says a refused transaction still costs: nothing for an invalid transaction, the nonce for a
/// failed free call, the nonce and the fee for a failed paid call.
/// </summary>
public sealed class BadInputTests
{
    private static void AssertRefused(TestChain t, Extrinsic extrinsic, ApplyOutcome expected, bool paid)
    {
        StateOverlay actual = new(t.Store);
        t.Chain.Executor.BeginBlock(actual, t.Next);
        StateOverlay reference = new(t.Store);
        t.Chain.Executor.BeginBlock(reference, t.Next);
        Hash256 before = StateAssert.RootWith(t.Store, reference);

        ApplyOutcome outcome = t.Apply(extrinsic, actual);

        Assert.Equal(expected, outcome);
        if (expected.Validity == TransactionValidity.Valid)
        {
            StateAssert.ChargeNonceAndFee(reference, extrinsic.Signer, paid);
            Assert.NotEqual(before, StateAssert.RootWith(t.Store, reference));
        }

        Assert.Equal(StateAssert.RootWith(t.Store, reference), StateAssert.RootWith(t.Store, actual));
    }

    private static ApplyOutcome Invalid(TransactionValidity validity) => new(validity, DispatchError.None);

    private static ApplyOutcome Failed(DispatchError error) => new(TransactionValidity.Valid, error);

    [Fact]
    public void A_bad_signature_is_rejected_and_changes_nothing()
    {
        TestChain t = new();
        Extrinsic good = t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, new Rao(1)));
        byte[] bytes = good.Encoded.ToArray();
        bytes[^1] ^= 0x01;
        Assert.True(Extrinsic.TryDecode(bytes, out Extrinsic? forged, out _));

        AssertRefused(t, forged, Invalid(TransactionValidity.BadSignature), paid: true);
    }

    [Fact]
    public void A_transaction_signed_for_another_network_is_rejected_as_a_bad_signature()
    {
        TestChain t = new();
        Extrinsic foreign = Extrinsic.Create(TestKeys.Alice, Blake2b.Hash256("other"u8), 0, 10, new TransferCall(TestKeys.Bob.PublicKey, new Rao(1)));

        AssertRefused(t, foreign, Invalid(TransactionValidity.BadSignature), paid: true);
    }

    [Fact]
    public void A_wrong_nonce_is_rejected_and_changes_nothing()
    {
        TestChain t = new();
        Extrinsic ahead = t.Builder.Transfer(TestKeys.Alice, 5, 10, TestKeys.Bob.PublicKey, new Rao(1));

        AssertRefused(t, ahead, Invalid(TransactionValidity.FutureNonce), paid: true);
    }

    [Fact]
    public void A_replayed_extrinsic_is_rejected_as_a_stale_nonce()
    {
        TestChain t = new();
        Extrinsic transfer = t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, new Rao(1)));
        Assert.True(t.Produce(transfer).Outcomes[0].IsSuccess);

        AssertRefused(t, transfer, Invalid(TransactionValidity.StaleNonce), paid: true);
    }

    [Fact]
    public void An_expired_extrinsic_is_rejected()
    {
        TestChain t = new();
        t.Produce();
        t.Produce();
        Extrinsic late = t.Builder.Transfer(TestKeys.Alice, 0, 2, TestKeys.Bob.PublicKey, new Rao(1));

        AssertRefused(t, late, Invalid(TransactionValidity.Expired), paid: true);
    }

    [Fact]
    public void A_signer_that_cannot_pay_the_fee_is_rejected()
    {
        TestChain t = new();
        Ed25519KeyPair pauper = TestKeys.Get("pauper");

        AssertRefused(t, t.Builder.Transfer(pauper, 0, 10, TestKeys.Bob.PublicKey, Rao.Zero), Invalid(TransactionValidity.CannotPayFee), paid: true);
    }

    [Fact]
    public void A_free_call_from_an_unregistered_hotkey_is_rejected()
    {
        TestChain t = new();
        Extrinsic weights = t.Builder.SetWeights(TestKeys.Hotkey(9), 0, 10, TestChain.Subnet1, [0], [1]);

        AssertRefused(t, weights, Invalid(TransactionValidity.NotRegisteredHotkey), paid: false);
    }

    [Fact]
    public void Insufficient_balance_fails_the_transfer_but_charges_nonce_and_fee()
    {
        TestChain t = new();
        Extrinsic transfer = t.Sign(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, Rao.FromTao(1000)));

        AssertRefused(t, transfer, Failed(DispatchError.InsufficientBalance), paid: true);
    }

    [Fact]
    public void An_unknown_subnet_fails_registration_but_charges_nonce_and_fee()
    {
        TestChain t = new();
        Extrinsic register = t.Sign(TestKeys.Alice, new BurnedRegisterCall(new Netuid(9), TestKeys.Hotkey(1).PublicKey));

        AssertRefused(t, register, Failed(DispatchError.SubnetNotFound), paid: true);
    }

    [Fact]
    public void A_uid_out_of_range_fails_set_weights_and_charges_only_the_nonce()
    {
        TestChain t = new();
        Extrinsic weights = t.Sign(TestKeys.OwnerHotkey, new SetWeightsCall(TestChain.Subnet1, [0, 5], [1, 1], 0));
        MakeValidator(t, TestKeys.OwnerHotkey);

        AssertRefused(t, weights, Failed(DispatchError.UidOutOfRange), paid: false);
    }

    [Fact]
    public void Too_few_weights_fail_set_weights_and_charge_only_the_nonce()
    {
        TestChain t = new(hp => hp[HyperparameterId.MinAllowedWeights] = 2);
        t.Register(TestKeys.Alice, TestKeys.Hotkey(1));
        MakeValidator(t, TestKeys.OwnerHotkey);
        Extrinsic weights = t.Sign(TestKeys.OwnerHotkey, new SetWeightsCall(TestChain.Subnet1, [1], [1], 0));

        AssertRefused(t, weights, Failed(DispatchError.TooFewWeights), paid: false);
    }

    [Fact]
    public void Setting_weights_over_the_rate_limit_fails_and_charges_only_the_nonce()
    {
        TestChain t = new();
        t.Register(TestKeys.Alice, TestKeys.Hotkey(1));
        MakeValidator(t, TestKeys.OwnerHotkey);
        Assert.True(t.Run(TestKeys.OwnerHotkey, new SetWeightsCall(TestChain.Subnet1, [1], [1], 0)).IsSuccess);
        Extrinsic again = t.Sign(TestKeys.OwnerHotkey, new SetWeightsCall(TestChain.Subnet1, [1], [2], 0));

        AssertRefused(t, again, Failed(DispatchError.SettingWeightsTooFast), paid: false);
    }

    [Fact]
    public void A_reveal_that_does_not_match_its_commit_fails_and_charges_only_the_nonce()
    {
        TestChain t = new(hp => hp[HyperparameterId.CommitRevealEnabled] = 1);
        t.Register(TestKeys.Alice, TestKeys.Hotkey(1));
        MakeValidator(t, TestKeys.OwnerHotkey);
        Hash256 salt = Blake2b.Hash256("salt"u8);
        Hash256 commit = WeightCommitHash.Compute(TestKeys.OwnerHotkey.PublicKey, TestChain.Subnet1, [1], [100], salt, 0);
        Assert.True(t.Run(TestKeys.OwnerHotkey, new CommitWeightsCall(TestChain.Subnet1, commit)).IsSuccess);
        ulong commitBlock = t.Chain.BestNumber;
        ulong revealBlock = NextEpochStart(commitBlock, 1, 10);
        t.ProduceUntil(revealBlock - 1);
        Extrinsic reveal = t.Sign(TestKeys.OwnerHotkey, new RevealWeightsCall(TestChain.Subnet1, [1], [101], salt, 0));

        AssertRefused(t, reveal, Failed(DispatchError.NoMatchingCommit), paid: false);
    }

    [Fact]
    public void A_failed_call_leaves_no_partial_writes_behind()
    {
        TestChain t = new(hp => hp[HyperparameterId.MaxAllowedUids] = 2);
        t.Register(TestKeys.Alice, TestKeys.Hotkey(1));
        t.ProduceUntil(t.Chain.BestNumber + 1);
        Extrinsic full = t.Sign(TestKeys.Bob, new BurnedRegisterCall(TestChain.Subnet1, TestKeys.Hotkey(2).PublicKey));

        AssertRefused(t, full, Failed(DispatchError.NoNeuronToPrune), paid: true);
    }

    /// <summary>Gives <paramref name="hotkey"/> a validator permit directly in the committed state.</summary>
    internal static void MakeValidator(TestChain t, Ed25519KeyPair hotkey)
    {
        StateOverlay overlay = new(t.Store);
        ChainState state = new(overlay);
        Assert.True(state.TryGetUid(TestChain.Subnet1, hotkey.PublicKey, out Uid uid));
        NeuronInfo neuron = state.GetNeuron(TestChain.Subnet1, uid);
        neuron.ValidatorPermit = true;
        state.SetNeuron(TestChain.Subnet1, uid, neuron);
        t.Store.Apply(overlay.Changes);
    }

    /// <summary>The first block whose epoch index is one above that of <paramref name="block"/>.</summary>
    internal static ulong NextEpochStart(ulong block, ushort netuid, ushort tempo)
    {
        ulong epoch = WeightsMath.EpochIndex(block, netuid, tempo);
        ulong b = block;
        while (WeightsMath.EpochIndex(b, netuid, tempo) == epoch)
        {
            b++;
        }

        return b;
    }
}
