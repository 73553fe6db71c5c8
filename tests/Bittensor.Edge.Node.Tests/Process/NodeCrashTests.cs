// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Text.Json;
using Bittensor.Edge.Chain;
using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Persistence;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Node.Tests.Process;

/// <summary>Kill-and-reopen of the real bte-node (STYLE.md Tests): SIGKILL at varying moments, then restart and audit.</summary>
public sealed class NodeCrashTests
{
    private const int Rounds = 6;

    [Fact]
    public async Task A_node_killed_with_sigkill_at_varying_moments_restarts_at_its_last_committed_block_with_nothing_lost()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using TestNetwork net = new(blockTimeMs: 150);
        ExtrinsicBuilder builder = new(net.Genesis.Hash);
        ulong lastAnnounced = 0;
        for (int round = 0; round < Rounds; round++)
        {
            ulong stored = StoredBest(net);
            Assert.True(stored >= lastAnnounced, $"round {round}: the store holds block {stored}, but block {lastAnnounced} was announced before the kill");
            await using NodeProcess node = await NodeProcess.StartAsync(net.SettingsPath, ct);
            Assert.Equal(stored, node.OpenedAt);

            JsonElement info = await node.CallAsync("system_info", "[]", ct);
            ulong best = info.GetProperty("bestNumber").GetUInt64();
            Assert.True(best >= stored);

            // Transfers: Alice pays Bob (succeeds), Bob overdraws (fails, still pays the fee), a varying number per round.
            // The pool died with the last process, so this round's nonces start from the committed state.
            ulong aliceNonce = await NonceAsync(node, net.Alice, ct);
            ulong bobNonce = await NonceAsync(node, net.Bob, ct);
            for (int i = 0; i < 1 + (round % 3); i++)
            {
                await SubmitAsync(node, builder.Transfer(net.Alice, aliceNonce++, best + 64, net.Bob.PublicKey, Rao.FromTao(1)), ct);
                await SubmitAsync(node, builder.Transfer(net.Bob, bobNonce++, best + 64, net.Alice.PublicKey, Rao.FromTao(100_000)), ct);
                best = await WaitNewHeadAsync(node, best, ct);
                lastAnnounced = Math.Max(lastAnnounced, best);
            }

            // Rounds 0 and 3 kill right after a submission, likely while a block is being produced; others wait first.
            if (round % 3 == 0)
            {
                await SubmitAsync(node, builder.Transfer(net.Alice, aliceNonce, best + 64, net.Bob.PublicKey, Rao.FromTao(2)), ct);
            }
            else
            {
                for (int wait = 0; wait < round % 3; wait++)
                {
                    best = await WaitNewHeadAsync(node, best, ct);
                    lastAnnounced = Math.Max(lastAnnounced, best);
                }
            }

            await node.KillAsync();
        }

        Assert.True(LiteDbChainStore.TryOpen(net.DataDir, net.Genesis, out LiteDbChainStore? store, out string? error), error);
        using (store)
        {
            Assert.True((ulong)store.History.Count >= lastAnnounced);
            Audit(net, store);
        }
    }

    // The stored chain replayed from genesis in a fresh in-memory ledger gives the same state, entry for entry, and the
    // money adds up exactly: issuance = genesis + minted − burned = Σ free + Σ stake + pending pools.
    private static void Audit(TestNetwork net, LiteDbChainStore store)
    {
        MemoryStateStore replayStore = new();
        Blockchain replay = new(net.Genesis, replayStore);
        int transactions = 0;
        foreach (BlockReceipt receipt in store.History)
        {
            Assert.Equal(BlockImportError.None, replay.Import(receipt.Block, receipt.Block.Header.TimestampMs));
            transactions += receipt.Block.Extrinsics.Length;
        }

        Assert.Equal(replayStore.ComputeStateRoot(), store.ComputeStateRoot());
        Assert.Equal(store.History[^1].Block.Header.StateRoot, store.ComputeStateRoot());
        Assert.Equal(
            replayStore.EnumerateSorted().Select(e => Convert.ToHexString(e.Key) + "=" + Convert.ToHexString(e.Value)),
            store.EnumerateSorted().Select(e => Convert.ToHexString(e.Key) + "=" + Convert.ToHexString(e.Value)));
        Assert.True(transactions > 0);

        ChainState state = replay.ReadState();
        ulong genesisTotal = 0;
        foreach (Chain.Genesis.GenesisBalance balance in net.Genesis.Balances)
        {
            genesisTotal += balance.Amount.Value;
        }

        ulong minted = (ulong)store.History.Count * ChainConstants.BlockEmission;
        ulong burned = (ulong)transactions * ChainConstants.TransactionFee;
        Assert.Equal(genesisTotal + minted - burned, state.TotalIssuance.Value);
        Assert.Equal(state.TotalIssuance.Value, SumOfHoldings(replayStore, state));
    }

    private static ulong SumOfHoldings(MemoryStateStore store, ChainState state)
    {
        ulong total = 0;
        foreach (KeyValuePair<byte[], byte[]> entry in store.EnumerateSorted())
        {
            switch (entry.Key[0])
            {
                case StateKeys.AccountPrefix:
                    total += state.GetAccount(new PublicKey(entry.Key.AsSpan(1, PublicKey.Size))).Free.Value;
                    break;
                case StateKeys.StakePrefix:
                    total += state.GetStake(new PublicKey(entry.Key.AsSpan(1, PublicKey.Size)), new PublicKey(entry.Key.AsSpan(33, PublicKey.Size)), new Netuid(BinaryPrimitives.ReadUInt16BigEndian(entry.Key.AsSpan(65)))).Value;
                    break;
            }
        }

        foreach (Netuid netuid in state.GetSubnets())
        {
            Assert.True(state.TryGetSubnet(netuid, out SubnetInfo? subnet));
            total += subnet.PendingOwner.Value + subnet.PendingServer.Value + subnet.PendingValidator.Value;
        }

        return total;
    }

    private static ulong StoredBest(TestNetwork net)
    {
        if (!Directory.Exists(net.DataDir))
        {
            return 0;
        }

        Assert.True(LiteDbChainStore.TryOpen(net.DataDir, net.Genesis, out LiteDbChainStore? store, out string? error), error);
        using (store)
        {
            return (ulong)store.History.Count;
        }
    }

    private static async Task<ulong> NonceAsync(NodeProcess node, Ed25519KeyPair key, CancellationToken ct)
    {
        JsonElement account = await node.CallAsync("state_getAccount", $"""["{Ss58.Encode(key.PublicKey)}"]""", ct);
        return account.GetProperty("nonce").GetUInt64();
    }

    private static async Task SubmitAsync(NodeProcess node, Extrinsic extrinsic, CancellationToken ct)
    {
        JsonElement hash = await node.CallAsync("author_submitExtrinsic", $"""["0x{Convert.ToHexStringLower(extrinsic.Encoded)}"]""", ct);
        Assert.Equal(extrinsic.Hash.ToString(), hash.GetString());
    }

    // Long-polls until a block above `after` is committed (bounded: 10 polls of 3 s).
    private static async Task<ulong> WaitNewHeadAsync(NodeProcess node, ulong after, CancellationToken ct)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            JsonElement header = await node.CallAsync("chain_waitNewHead", $"[{after}, 3000]", ct);
            if (header.ValueKind == JsonValueKind.Object)
            {
                return header.GetProperty("number").GetUInt64();
            }
        }

        Assert.Fail($"no block after {after} within 30 s:\n{node.Output}");
        return 0;
    }
}
