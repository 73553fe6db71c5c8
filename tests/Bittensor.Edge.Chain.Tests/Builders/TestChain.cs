// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Tests.Builders;

/// <summary>
/// A ledger over an in-memory store with a dev genesis: Alice, Bob and the subnet owner funded with 1 000 TAO,
/// subnet 1 owned by Owner with OwnerHotkey as uid 0. Blocks are produced one slot apart.
/// </summary>
public sealed class TestChain
{
    public const ulong GenesisTimeMs = 1_767_225_600_000;
    public const ulong BlockTimeMs = 12_000;
    public static readonly Netuid Subnet1 = new(1);

    private readonly Dictionary<PublicKey, ulong> _nonces = [];

    public TestChain(Action<Hyperparameters>? configure = null, bool withSubnet = true, bool allowLoopback = true, bool withSudo = true)
    {
        Hyperparameters hp = new();
        hp[HyperparameterId.Tempo] = 10;
        configure?.Invoke(hp);
        GenesisSubnet[] subnets = withSubnet ? [new GenesisSubnet(Subnet1, TestKeys.Owner.PublicKey, TestKeys.OwnerHotkey.PublicKey, hp)] : [];
        Genesis = new GenesisConfig(
            "bte-test",
            GenesisTimeMs,
            BlockTimeMs,
            [TestKeys.Authority.PublicKey],
            [
                new GenesisBalance(TestKeys.Alice.PublicKey, Rao.FromTao(1000)),
                new GenesisBalance(TestKeys.Bob.PublicKey, Rao.FromTao(1000)),
                new GenesisBalance(TestKeys.Owner.PublicKey, Rao.FromTao(1000)),
                new GenesisBalance(TestKeys.Sudo.PublicKey, Rao.FromTao(1000)),
            ],
            new Rao(ChainConstants.DefaultNetworkCost),
            withSudo ? TestKeys.Sudo.PublicKey : null,
            subnets,
            allowLoopback);
        Store = new MemoryStateStore();
        Chain = new Blockchain(Genesis, Store);
        Builder = new ExtrinsicBuilder(Genesis.Hash);
        GenesisIssuance = Rao.FromTao(4000);
    }

    public GenesisConfig Genesis { get; }

    public MemoryStateStore Store { get; }

    public Blockchain Chain { get; }

    public ExtrinsicBuilder Builder { get; }

    public Rao GenesisIssuance { get; }

    public ChainState State => Chain.ReadState();

    public ulong Next => Chain.BestNumber + 1;

    public ulong NextTimestamp => GenesisTimeMs + (Next * BlockTimeMs);

    /// <summary>The next nonce of <paramref name="key"/>, counting transactions built by this helper.</summary>
    public ulong NonceOf(Ed25519KeyPair key)
    {
        ulong onChain = State.GetAccount(key.PublicKey).Nonce;
        ulong built = _nonces.GetValueOrDefault(key.PublicKey);
        return Math.Max(onChain, built);
    }

    /// <summary>Signs a call with the next nonce of <paramref name="key"/>, valid for 64 blocks.</summary>
    public Extrinsic Sign(Ed25519KeyPair key, RuntimeCall call)
    {
        ulong nonce = NonceOf(key);
        _nonces[key.PublicKey] = nonce + 1;
        return Builder.Build(key, nonce, Chain.BestNumber + 64, call);
    }

    /// <summary>Produces the next block with exactly these transactions (in order).</summary>
    public BlockReceipt Produce(params Extrinsic[] extrinsics)
    {
        BlockReceipt receipt = Chain.ProduceBlock(TestKeys.Authority, NextTimestamp, extrinsics, candidatesVerified: false, out _);
        _nonces.Clear();
        return receipt;
    }

    /// <summary>Produces blocks until the best number is <paramref name="number"/>.</summary>
    public void ProduceUntil(ulong number)
    {
        while (Chain.BestNumber < number)
        {
            Produce();
        }
    }

    /// <summary>Applies one transaction in the next block's context, without producing the block.</summary>
    public ApplyOutcome Apply(Extrinsic extrinsic, StateOverlay overlay) => Chain.Executor.ApplyExtrinsic(overlay, Next, extrinsic);

    /// <summary>Produces a block with one transaction and returns its outcome (or its validity if left out).</summary>
    public ApplyOutcome Run(Ed25519KeyPair key, RuntimeCall call)
    {
        Extrinsic extrinsic = Sign(key, call);
        BlockReceipt receipt = Chain.ProduceBlock(TestKeys.Authority, NextTimestamp, [extrinsic], candidatesVerified: false, out List<(Extrinsic Extrinsic, TransactionValidity Validity)> rejected);
        _nonces.Clear();
        return rejected.Count > 0 ? new ApplyOutcome(rejected[0].Validity, DispatchError.None) : receipt.Outcomes[0];
    }

    /// <summary>Registers hotkey <paramref name="hotkey"/> on subnet 1 paid by <paramref name="coldkey"/>, in its own block.</summary>
    public Uid Register(Ed25519KeyPair coldkey, Ed25519KeyPair hotkey, Netuid? netuid = null)
    {
        Netuid target = netuid ?? Subnet1;
        ApplyOutcome outcome = Run(coldkey, new BurnedRegisterCall(target, hotkey.PublicKey));
        Assert.True(outcome.IsSuccess, $"registration failed: {outcome}");
        Assert.True(State.TryGetUid(target, hotkey.PublicKey, out Uid uid));
        return uid;
    }

    /// <summary>Sum of free balances, stake entries and pending pools, read from the raw entries.</summary>
    public Rao SumOfHoldings()
    {
        Rao total = Rao.Zero;
        foreach (KeyValuePair<byte[], byte[]> entry in Store.EnumerateSorted())
        {
            switch (entry.Key[0])
            {
                case StateKeys.AccountPrefix:
                    total += AccountInfo.Decode(entry.Value).Free;
                    break;
                case StateKeys.StakePrefix:
                    total += new Rao(BitConverter.ToUInt64(entry.Value));
                    break;
                case StateKeys.SubnetPrefix:
                    SubnetInfo subnet = SubnetInfo.Decode(entry.Value);
                    total += subnet.PendingOwner + subnet.PendingServer + subnet.PendingValidator;
                    break;
            }
        }

        return total;
    }
}
