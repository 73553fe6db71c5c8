// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Tests.Blocks;

public sealed class TransactionPoolTests
{
    private readonly TestChain _t = new();
    private readonly TransactionPool _pool;

    public TransactionPoolTests()
    {
        _pool = new TransactionPool(_t.Genesis.Hash);
    }

    private SubmissionError Submit(Extrinsic extrinsic) => _pool.Submit(extrinsic, _t.State, _t.Chain.BestNumber);

    private Extrinsic Transfer(Ed25519KeyPair key, ulong nonce, ulong validUntil = 10, ulong amount = 1) =>
        _t.Builder.Transfer(key, nonce, validUntil, TestKeys.Bob.PublicKey, new Rao(amount));

    [Fact]
    public void Submission_errors_carry_the_json_rpc_codes()
    {
        Assert.Equal(1001, (int)SubmissionError.BadSignature);
        Assert.Equal(1005, (int)SubmissionError.CannotPayFee);
        Assert.Equal(1010, (int)SubmissionError.NotRegisteredHotkey);
    }

    [Fact]
    public void Undecodable_bytes_are_a_bad_encoding()
    {
        Assert.Equal(SubmissionError.BadEncoding, _pool.Submit([1, 2, 3], _t.State, 0, out _));
    }

    [Fact]
    public void A_bad_signature_is_refused()
    {
        Extrinsic foreign = Extrinsic.Create(TestKeys.Alice, Blake2b.Hash256("x"u8), 0, 10, new TransferCall(TestKeys.Bob.PublicKey, new Rao(1)));

        Assert.Equal(SubmissionError.BadSignature, Submit(foreign));
    }

    [Fact]
    public void Nonces_must_lie_in_the_16_wide_window()
    {
        _t.Run(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, new Rao(1)));

        Assert.Equal(SubmissionError.StaleNonce, Submit(Transfer(TestKeys.Alice, 0)));
        Assert.Equal(SubmissionError.NonceTooFarAhead, Submit(Transfer(TestKeys.Alice, 17)));
        Assert.Equal(SubmissionError.None, Submit(Transfer(TestKeys.Alice, 16)));
    }

    [Fact]
    public void Valid_until_must_lie_within_the_next_128_blocks()
    {
        _t.Produce();

        Assert.Equal(SubmissionError.Mortality, Submit(Transfer(TestKeys.Alice, 0, validUntil: 1)));
        Assert.Equal(SubmissionError.Mortality, Submit(Transfer(TestKeys.Alice, 0, validUntil: 130)));
        Assert.Equal(SubmissionError.None, Submit(Transfer(TestKeys.Alice, 0, validUntil: 129)));
    }

    [Fact]
    public void Paid_calls_need_the_fee_and_free_calls_a_registered_hotkey()
    {
        Assert.Equal(SubmissionError.CannotPayFee, Submit(Transfer(TestKeys.Get("pauper"), 0)));
        Assert.Equal(SubmissionError.NotRegisteredHotkey, Submit(_t.Builder.SetWeights(TestKeys.Hotkey(3), 0, 10, TestChain.Subnet1, [0], [1])));
        Assert.Equal(SubmissionError.None, Submit(_t.Builder.SetWeights(TestKeys.OwnerHotkey, 0, 10, TestChain.Subnet1, [0], [1])));
    }

    [Fact]
    public void Duplicates_are_already_known()
    {
        Extrinsic transfer = Transfer(TestKeys.Alice, 0);
        Assert.Equal(SubmissionError.None, Submit(transfer));

        Assert.Equal(SubmissionError.AlreadyKnown, Submit(transfer));
        Assert.Equal(SubmissionError.AlreadyKnown, Submit(Transfer(TestKeys.Alice, 0, amount: 2)));
    }

    [Fact]
    public void An_account_holds_at_most_16_transactions()
    {
        for (ulong nonce = 0; nonce < 16; nonce++)
        {
            Assert.Equal(SubmissionError.None, Submit(Transfer(TestKeys.Alice, nonce)));
        }

        Assert.Equal(16, _pool.Count);
    }

    [Fact]
    public void Assembly_keeps_arrival_order_but_each_accounts_nonce_order()
    {
        Extrinsic alice1 = Transfer(TestKeys.Alice, 1);
        Extrinsic bob0 = Transfer(TestKeys.Bob, 0);
        Extrinsic alice0 = Transfer(TestKeys.Alice, 0);
        Extrinsic alice3 = Transfer(TestKeys.Alice, 3);
        foreach (Extrinsic e in new[] { alice1, bob0, alice0, alice3 })
        {
            Assert.Equal(SubmissionError.None, Submit(e));
        }

        List<Extrinsic> ready = _pool.GetReady(_t.State);

        Assert.Equal([bob0.Hash, alice0.Hash, alice1.Hash], ready.Select(e => e.Hash));
    }

    [Fact]
    public void Stale_and_expired_transactions_are_dropped()
    {
        Extrinsic stale = Transfer(TestKeys.Alice, 0);
        Extrinsic expiring = Transfer(TestKeys.Bob, 0, validUntil: 2);
        Assert.Equal(SubmissionError.None, Submit(stale));
        Assert.Equal(SubmissionError.None, Submit(expiring));
        _t.Run(TestKeys.Alice, new TransferCall(TestKeys.Bob.PublicKey, new Rao(1)));
        _t.Produce();

        _pool.Prune(_t.State, _t.Chain.BestNumber + 1);

        Assert.Equal(0, _pool.Count);
    }

    [Fact]
    public void The_pool_holds_at_most_8192_transactions()
    {
        Ed25519KeyPair[] keys = [.. Enumerable.Range(0, 513).Select(i => TestKeys.Get($"pool-{i}"))];
        GenesisConfig genesis = new("bte-pool", 1, 1000, [TestKeys.Authority.PublicKey], keys.Select(k => new GenesisBalance(k.PublicKey, Rao.FromTao(1))), Rao.FromTao(10), null, [], false);
        Blockchain chain = new(genesis, new MemoryStateStore());
        TransactionPool pool = new(genesis.Hash);
        ExtrinsicBuilder builder = new(genesis.Hash);
        ChainState state = chain.ReadState();
        for (int k = 0; k < 512; k++)
        {
            for (ulong nonce = 0; nonce < 16; nonce++)
            {
                Assert.Equal(SubmissionError.None, pool.Submit(builder.Transfer(keys[k], nonce, 10, TestKeys.Bob.PublicKey, new Rao(1)), state, 0));
            }
        }

        Assert.Equal(8192, pool.Count);
        Assert.Equal(SubmissionError.PoolFull, pool.Submit(builder.Transfer(keys[512], 0, 10, TestKeys.Bob.PublicKey, new Rao(1)), state, 0));
    }
}
