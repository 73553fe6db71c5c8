// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Persistence;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;
using LiteDB;
using LiteDB.Engine;

namespace Bittensor.Edge.Chain.Tests.Persistence;

public sealed class LiteDbChainStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bte-store-" + Guid.NewGuid().ToString("N"));
    private readonly GenesisConfig _genesis = new TestChain().Genesis;

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void A_new_store_holds_the_genesis_state_and_no_blocks()
    {
        using LiteDbChainStore store = Open();
        Blockchain chain = new(_genesis, store, store.History);

        Assert.Empty(store.History);
        Assert.Equal(new TestChain().Chain.GenesisStateRoot, store.ComputeStateRoot());
        Assert.Equal(0UL, chain.BestNumber);
    }

    [Fact]
    public void Blocks_and_state_survive_a_reopen()
    {
        List<BlockReceipt> produced;
        Hash256 root;
        using (LiteDbChainStore store = Open())
        {
            Blockchain chain = new(_genesis, store, store.History);
            produced = ProduceWithTransfers(chain, 12);
            root = store.ComputeStateRoot();
        }

        using LiteDbChainStore reopened = Open();
        Assert.Equal(produced.Count, reopened.History.Count);
        for (int i = 0; i < produced.Count; i++)
        {
            Assert.Equal(produced[i].Block.Hash, reopened.History[i].Block.Hash);
            Assert.Equal(produced[i].Block.Encode(), reopened.History[i].Block.Encode());
            Assert.Equal(produced[i].Outcomes, reopened.History[i].Outcomes);
            Assert.Equal(produced[i].Epochs, reopened.History[i].Epochs);
        }

        Assert.Equal(root, reopened.ComputeStateRoot());
        Assert.Contains(produced, r => !r.Epochs.IsEmpty);
        Assert.Contains(produced, r => r.Outcomes.Any(o => !o.IsSuccess));
    }

    [Fact]
    public void A_restarted_ledger_equals_a_replay_of_its_blocks_from_genesis()
    {
        using (LiteDbChainStore store = Open())
        {
            ProduceWithTransfers(new Blockchain(_genesis, store, store.History), 15);
        }

        using LiteDbChainStore reopened = Open();
        Blockchain restarted = new(_genesis, reopened, reopened.History);
        MemoryStateStore replayStore = new();
        Blockchain replay = new(_genesis, replayStore);
        foreach (BlockReceipt receipt in reopened.History)
        {
            Assert.Equal(BlockImportError.None, replay.Import(receipt.Block, receipt.Block.Header.TimestampMs));
        }

        Assert.Equal(replay.BestHash, restarted.BestHash);
        Assert.Equal(replayStore.ComputeStateRoot(), reopened.ComputeStateRoot());
        Assert.Equal(replayStore.EnumerateSorted().Select(e => (Convert.ToHexString(e.Key), Convert.ToHexString(e.Value))), reopened.EnumerateSorted().Select(e => (Convert.ToHexString(e.Key), Convert.ToHexString(e.Value))));
        foreach (Ed25519KeyPair key in new[] { TestKeys.Alice, TestKeys.Bob, TestKeys.Owner, TestKeys.Sudo })
        {
            Assert.Equal(replay.ReadState().GetAccount(key.PublicKey), restarted.ReadState().GetAccount(key.PublicKey));
        }
    }

    [Fact]
    public void A_restarted_ledger_keeps_producing_and_persisting()
    {
        using (LiteDbChainStore store = Open())
        {
            ProduceWithTransfers(new Blockchain(_genesis, store, store.History), 3);
        }

        using (LiteDbChainStore store = Open())
        {
            Blockchain chain = new(_genesis, store, store.History);
            ProduceWithTransfers(chain, 3);
            Assert.Equal(6UL, chain.BestNumber);
        }

        using LiteDbChainStore reopened = Open();
        Assert.Equal(6, reopened.History.Count);
        Assert.Equal(reopened.History[^1].Block.Header.StateRoot, reopened.ComputeStateRoot());
    }

    [Fact]
    public void A_data_dir_made_for_another_genesis_is_refused_with_both_hashes()
    {
        using (Open())
        {
        }

        GenesisConfig other = DevGenesis.Create(TestKeys.Authority.PublicKey, TestKeys.Sudo.PublicKey, [], TestChain.GenesisTimeMs, chainId: "other");
        Assert.False(LiteDbChainStore.TryOpen(_dir, other, out LiteDbChainStore? store, out string? error));
        Assert.Null(store);
        Assert.Contains("another network", error, StringComparison.Ordinal);
        Assert.Contains(_genesis.Hash.ToString(), error, StringComparison.Ordinal);
        Assert.Contains(other.Hash.ToString(), error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllBytes(Path.Combine(_dir, LiteDbChainStore.FileName), [.. Enumerable.Range(0, 20_000).Select(i => (byte)(i * 7))]);

        Assert.False(LiteDbChainStore.TryOpen(_dir, _genesis, out _, out string? error));
        Assert.Contains(LiteDbChainStore.FileName, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tampered_state_entry_is_reported_as_a_root_mismatch()
    {
        using (LiteDbChainStore store = Open())
        {
            ProduceWithTransfers(new Blockchain(_genesis, store, store.History), 2);
        }

        using (LiteEngine engine = Engine())
        {
            BsonDocument entry = ReadFirst(engine, "state");
            byte[] value = entry["v"].AsBinary;
            value[0] ^= 0xFF;
            entry["v"] = value;
            Assert.True(engine.Update("state", [entry]) == 1);
        }

        Assert.False(LiteDbChainStore.TryOpen(_dir, _genesis, out _, out string? error));
        Assert.Contains("state root differs", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_block_is_reported()
    {
        using (LiteDbChainStore store = Open())
        {
            ProduceWithTransfers(new Blockchain(_genesis, store, store.History), 3);
        }

        using (LiteEngine engine = Engine())
        {
            Assert.Equal(1, engine.Delete("blocks", [new BsonValue(2L)]));
        }

        Assert.False(LiteDbChainStore.TryOpen(_dir, _genesis, out _, out string? error));
        Assert.Contains("block 2 is missing", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_commit_leaves_the_ledger_and_its_state_at_the_previous_block()
    {
        FailingChainStore store = new();
        Blockchain chain = new(_genesis, store);
        TestChain t = new();
        chain.ProduceBlock(TestKeys.Authority, TestChain.GenesisTimeMs + TestChain.BlockTimeMs, [], candidatesVerified: false, out _);
        Hash256 root = store.ComputeStateRoot();
        Extrinsic transfer = t.Builder.Transfer(TestKeys.Alice, 0, 64, TestKeys.Bob.PublicKey, Rao.FromTao(1));
        store.Fail = true;

        Assert.Throws<IOException>(() => chain.ProduceBlock(TestKeys.Authority, TestChain.GenesisTimeMs + (2 * TestChain.BlockTimeMs), [transfer], candidatesVerified: false, out _));
        Assert.Equal(1UL, chain.BestNumber);
        Assert.Equal(root, store.ComputeStateRoot());
        Assert.Equal(0UL, chain.ReadState().GetAccount(TestKeys.Alice.PublicKey).Nonce);
    }

    [Fact]
    public void A_ledger_without_blocks_accepts_a_store_with_exactly_the_genesis_state()
    {
        MemoryStateStore genesisOnly = new();
        GenesisState.Initialize(genesisOnly, _genesis);
        Blockchain chain = new(_genesis, genesisOnly, []);
        Assert.Equal(0UL, chain.BestNumber);

        MemoryStateStore other = new();
        other.Apply([new KeyValuePair<byte[], byte[]?>([0xEE], [1])]);
        Assert.Throws<ArgumentException>(() => new Blockchain(_genesis, other, []));
    }

    private LiteDbChainStore Open()
    {
        Assert.True(LiteDbChainStore.TryOpen(_dir, _genesis, out LiteDbChainStore? store, out string? error), error);
        return store;
    }

    private LiteEngine Engine() => new(new EngineSettings { Filename = Path.Combine(_dir, LiteDbChainStore.FileName) });

    private static BsonDocument ReadFirst(LiteEngine engine, string collection)
    {
        using IBsonDataReader reader = engine.Query(collection, new Query());
        Assert.True(reader.Read());
        return reader.Current.AsDocument;
    }

    // Blocks with transfers from Alice and Bob (one of them overdrawn, so a failed call is recorded); tempo 10 runs an epoch.
    private List<BlockReceipt> ProduceWithTransfers(Blockchain chain, int blocks)
    {
        ExtrinsicBuilder builder = new(_genesis.Hash);
        List<BlockReceipt> receipts = [];
        for (int i = 0; i < blocks; i++)
        {
            ulong number = chain.BestNumber + 1;
            ulong aliceNonce = chain.ReadState().GetAccount(TestKeys.Alice.PublicKey).Nonce;
            ulong bobNonce = chain.ReadState().GetAccount(TestKeys.Bob.PublicKey).Nonce;
            Extrinsic[] txs =
            [
                builder.Transfer(TestKeys.Alice, aliceNonce, number + 10, TestKeys.Bob.PublicKey, Rao.FromTao(1)),
                builder.Transfer(TestKeys.Bob, bobNonce, number + 10, TestKeys.Alice.PublicKey, Rao.FromTao(5_000)),
            ];
            receipts.Add(chain.ProduceBlock(TestKeys.Authority, TestChain.GenesisTimeMs + (number * TestChain.BlockTimeMs), txs, candidatesVerified: false, out _));
        }

        return receipts;
    }

    private sealed class FailingChainStore : IChainStore
    {
        private readonly MemoryStateStore _inner = new();

        public bool Fail { get; set; }

        public int Count => _inner.Count;

        public bool TryGet(byte[] key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? value) => _inner.TryGet(key, out value);

        public void Apply(IEnumerable<KeyValuePair<byte[], byte[]?>> writeSet) => _inner.Apply(writeSet);

        public Hash256 ComputeStateRoot() => _inner.ComputeStateRoot();

        public IEnumerable<KeyValuePair<byte[], byte[]>> EnumerateSorted() => _inner.EnumerateSorted();

        public void CommitBlock(BlockReceipt receipt, IReadOnlyDictionary<byte[], byte[]?> writeSet)
        {
            if (Fail)
            {
                throw new IOException("disk full");
            }
        }
    }
}
