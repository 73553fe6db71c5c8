// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Node;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;

namespace Bittensor.Edge.Chain.Benchmarks;

/// <summary>
/// The pinned scenarios of the chain figures of specs/benchmarks.md (<c>bte chain bench</c> and the BenchmarkDotNet
/// class use the same ones): a block of 2 000 signed transfers, and a subnet of 4 096 uids for the metagraph.
/// </summary>
/// <remarks>Keys are derived from fixed seeds, so every run measures the same bytes.</remarks>
public static class ChainBenchScenarios
{
    /// <summary>Transactions per block in the apply figure (the §2.2 limit).</summary>
    public const int TransfersPerBlock = ChainConstants.MaxBlockTransactions;

    /// <summary>Uids in the metagraph figure.</summary>
    public const int MetagraphUids = 4096;

    /// <summary>The genesis time of the scenarios.</summary>
    public const ulong GenesisTimeMs = 1_767_225_600_000;

    /// <summary>A deterministic key for <paramref name="name"/>.</summary>
    public static Ed25519KeyPair Key(string name) => Ed25519KeyPair.FromSeed(Blake2b.Hash256(System.Text.Encoding.UTF8.GetBytes(name)).Bytes);

    /// <summary>
    /// A ledger where <paramref name="senders"/> accounts are funded, and one signed transfer from each (nonce 0) to
    /// a fixed receiver: applying them is the <c>extrinsics_per_s</c> workload.
    /// </summary>
    public static (Blockchain Chain, Ed25519KeyPair Author, Extrinsic[] Transfers) CreateTransferBlock(int senders = TransfersPerBlock)
    {
        Ed25519KeyPair author = Key("bench/author");
        Ed25519KeyPair[] keys = new Ed25519KeyPair[senders];
        List<GenesisBalance> balances = new(senders);
        for (int i = 0; i < senders; i++)
        {
            keys[i] = Key($"bench/sender/{i}");
            balances.Add(new GenesisBalance(keys[i].PublicKey, Rao.FromTao(100)));
        }

        GenesisConfig genesis = new("bte-bench", GenesisTimeMs, ChainConstants.DefaultBlockTimeMs, [author.PublicKey], balances, new Rao(ChainConstants.DefaultNetworkCost), null, [], allowLoopbackAxons: false);
        Blockchain chain = new(genesis, new MemoryStateStore());
        ExtrinsicBuilder builder = new(genesis.Hash);
        PublicKey receiver = Key("bench/receiver").PublicKey;
        Extrinsic[] transfers = new Extrinsic[senders];
        for (int i = 0; i < senders; i++)
        {
            transfers[i] = builder.Transfer(keys[i], 0, 100, receiver, Rao.FromTao(1));
            keys[i].Dispose();
        }

        return (chain, author, transfers);
    }

    /// <summary>
    /// A node whose subnet 1 holds <paramref name="uids"/> neurons: the genesis sets <c>max_allowed_uids</c> to that
    /// many and a tempo long enough that no epoch runs, then one burned_register per block (the §2.5.3 limit) fills
    /// the subnet through the real pool and block production.
    /// </summary>
    public static ChainNode CreateMetagraphNode(int uids = MetagraphUids, Action<int>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(uids, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(uids, ushort.MaxValue);
        Ed25519KeyPair author = Key("bench/author");
        Ed25519KeyPair coldkey = Key("bench/coldkey");
        Hyperparameters hp = new();
        hp[HyperparameterId.MaxAllowedUids] = (ulong)uids;
        hp[HyperparameterId.Tempo] = 50_400;
        hp[HyperparameterId.MinBurn] = 0;
        GenesisConfig genesis = new(
            "bte-bench", GenesisTimeMs, ChainConstants.DefaultBlockTimeMs, [author.PublicKey],
            [new GenesisBalance(coldkey.PublicKey, Rao.FromTao(1_000_000))], new Rao(ChainConstants.DefaultNetworkCost), null,
            [new GenesisSubnet(new Netuid(1), Key("bench/owner").PublicKey, Key("bench/owner-hotkey").PublicKey, hp)], allowLoopbackAxons: false);
        ManualClock clock = new(DateTimeOffset.FromUnixTimeMilliseconds((long)GenesisTimeMs));
        ChainNode node = new(genesis, new MemoryStateStore(), [], author, clock);
        ExtrinsicBuilder builder = new(genesis.Hash);
        for (int i = 1; i < uids; i++)
        {
            using Ed25519KeyPair hotkey = Key($"bench/hotkey/{i}");
            ulong best = node.Head.Number;
            Extrinsic register = builder.BurnedRegister(coldkey, (ulong)(i - 1), best + 10, new Netuid(1), hotkey.PublicKey);
            if (node.Submit(register) != SubmissionError.None)
            {
                ThrowHelper.ThrowInvalidOperation($"The bench registration {i} was refused.");
            }

            clock.Advance(TimeSpan.FromMilliseconds(genesis.BlockTimeMs));
            if (!node.TryProduceBlock(out BlockReceipt? receipt) || !receipt.Outcomes[0].IsSuccess)
            {
                ThrowHelper.ThrowInvalidOperation($"The bench registration {i} did not succeed.");
            }

            if (i % 512 == 0)
            {
                progress?.Invoke(i);
            }
        }

        return node;
    }
}
