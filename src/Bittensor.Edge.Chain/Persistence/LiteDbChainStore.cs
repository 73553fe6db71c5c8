// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Core.Crypto;
using LiteDB;
using LiteDB.Engine;

namespace Bittensor.Edge.Chain.Persistence;

/// <summary>
/// The node's durable <see cref="IChainStore"/>: one LiteDB file, <c>chain.db</c>, in the data directory, holding the
/// state entries and the blocks with their receipts. At open, every state entry is loaded into a
/// <see cref="MemoryStateStore"/> (reads and the state root are served from memory) and the blocks into
/// <see cref="History"/>; restart the ledger with <c>new Blockchain(genesis, store, store.History)</c>.
/// </summary>
/// <remarks>
/// <para>
/// Layout (collections of <see cref="BsonDocument"/>):
/// <c>meta</c> <c>{_id: "genesis", hash: bin32, chainId}</c> and <c>{_id: "format", version: 1}</c>;
/// <c>state</c> <c>{_id: bin key, v: bin value}</c>; <c>blocks</c> <c>{_id: i64 number, block: bin (Block.Encode),
/// errors: [i32 DispatchError per transaction], epochs: [i32 netuid]}</c>.
/// </para>
/// <para>
/// Crash safety: <see cref="CommitBlock"/> writes the block and its state write set in one LiteDB transaction, so a
/// kill at any moment leaves either both or neither. LiteDB 5 hands committed pages to a background writer thread, so
/// the commit is followed by a checkpoint, which waits for that writer (and flushes) before the block is reported to
/// anyone: a block the node announced is on disk.
/// </para>
/// <para>
/// Why LiteDB is AOT-safe here: this class is the only user of LiteDB in the product. It drives the
/// <see cref="LiteEngine"/> directly with <see cref="BsonDocument"/>s, so <c>BsonMapper</c> (LiteDB's reflection over
/// user types) is never reached and no type of ours is ever reflected over. Queries are a plain full scan
/// (<see cref="Query"/> with its default <c>$</c> projection); LiteDB's own expression methods, which it finds by
/// reflection over its own types, are kept by rooting the LiteDB assembly in the executables (TrimmerRootAssembly),
/// and its expression trees run under the interpreter in a NativeAOT binary. LiteDB's assembly-level IL warnings stay
/// listed in the root Directory.Build.props.
/// </para>
/// <para>Not thread-safe: one writer (the node's chain lock), like <see cref="IStateStore"/>. Dispose closes the file.</para>
/// </remarks>
public sealed class LiteDbChainStore : IChainStore, IDisposable
{
    /// <summary>The file name inside the data directory.</summary>
    public const string FileName = "chain.db";

    /// <summary>The layout version written in <c>meta</c>.</summary>
    public const int FormatVersion = 1;

    private const string MetaCollection = "meta";
    private const string StateCollection = "state";
    private const string BlocksCollection = "blocks";

    private readonly LiteEngine _engine;
    private readonly MemoryStateStore _state;
    private readonly List<BlockReceipt> _history;

    private LiteDbChainStore(LiteEngine engine, MemoryStateStore state, List<BlockReceipt> history, string path)
    {
        _engine = engine;
        _state = state;
        _history = history;
        FilePath = path;
    }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    /// <summary>The blocks loaded at open (1..n in order); blocks committed later are not added.</summary>
    public IReadOnlyList<BlockReceipt> History => _history;

    /// <inheritdoc/>
    public int Count => _state.Count;

    /// <summary>
    /// Opens (or creates, with the genesis state) the store in <paramref name="directory"/> for the network
    /// <paramref name="genesis"/>. Fails with a message naming the problem when the directory belongs to another
    /// genesis, the file is not a chain store, is in use, or its contents do not add up (a block missing or out of
    /// order, a state that does not match the best block's root).
    /// </summary>
    public static bool TryOpen(string directory, GenesisConfig genesis, [NotNullWhen(true)] out LiteDbChainStore? store, [NotNullWhen(false)] out string? error)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(genesis);
        store = null;
        string path = Path.Combine(directory, FileName);
        LiteEngine engine;
        try
        {
            CreatePrivateDirectory(directory);
            engine = new LiteEngine(new EngineSettings { Filename = path });
        }
        catch (Exception e) when (e is LiteException or IOException or UnauthorizedAccessException or InvalidCastException)
        {
            error = $"Cannot open the chain store {path}: {e.Message} (is it a chain store, and is no other node using it?)";
            return false;
        }

        try
        {
            if (!TryLoad(engine, genesis, path, out MemoryStateStore? state, out List<BlockReceipt>? history, out error))
            {
                engine.Dispose();
                return false;
            }

            store = new LiteDbChainStore(engine, state, history, path);
            return true;
        }
        catch (Exception e) when (e is LiteException or IOException or InvalidCastException or InvalidDataException or ArgumentException or OverflowException)
        {
            engine.Dispose();
            error = $"The chain store {path} is corrupt: {e.Message}";
            return false;
        }
    }

    /// <inheritdoc/>
    public bool TryGet(byte[] key, [NotNullWhen(true)] out byte[]? value) => _state.TryGet(key, out value);

    /// <summary>Applies <paramref name="writeSet"/> to the in-memory view only; <see cref="CommitBlock"/> makes it durable.</summary>
    public void Apply(IEnumerable<KeyValuePair<byte[], byte[]?>> writeSet) => _state.Apply(writeSet);

    /// <inheritdoc/>
    public Hash256 ComputeStateRoot() => _state.ComputeStateRoot();

    /// <inheritdoc/>
    public IEnumerable<KeyValuePair<byte[], byte[]>> EnumerateSorted() => _state.EnumerateSorted();

    /// <inheritdoc/>
    public void CommitBlock(BlockReceipt receipt, IReadOnlyDictionary<byte[], byte[]?> writeSet)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        ArgumentNullException.ThrowIfNull(writeSet);
        List<BsonDocument> upserts = new(writeSet.Count);
        List<BsonValue> deletes = [];
        foreach (KeyValuePair<byte[], byte[]?> change in writeSet)
        {
            if (change.Value is null)
            {
                deletes.Add(new BsonValue(change.Key));
            }
            else
            {
                upserts.Add(StateDocument(change.Key, change.Value));
            }
        }

        _engine.BeginTrans();
        try
        {
            _engine.Upsert(StateCollection, upserts, BsonAutoId.ObjectId);
            _engine.Delete(StateCollection, deletes);
            _engine.Insert(BlocksCollection, [BlockDocument(receipt)], BsonAutoId.Int64);
            _engine.Commit();
        }
        catch
        {
            _engine.Rollback();
            throw;
        }

        _engine.Checkpoint();
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _engine.Dispose();

    private static bool TryLoad(LiteEngine engine, GenesisConfig genesis, string path, [NotNullWhen(true)] out MemoryStateStore? state, [NotNullWhen(true)] out List<BlockReceipt>? history, [NotNullWhen(false)] out string? error)
    {
        state = new MemoryStateStore();
        history = [];
        Dictionary<string, BsonDocument> meta = [];
        foreach (BsonDocument doc in ReadAll(engine, MetaCollection))
        {
            meta[doc["_id"].AsString] = doc;
        }

        MemoryStateStore genesisState = new();
        GenesisState.Initialize(genesisState, genesis);
        if (!meta.TryGetValue("genesis", out BsonDocument? genesisDoc))
        {
            if (meta.Count > 0 || Any(engine, StateCollection) || Any(engine, BlocksCollection))
            {
                error = $"The chain store {path} has data but no genesis record; it is corrupt or not a chain store.";
                return false;
            }

            Initialize(engine, genesis, genesisState);
            state = genesisState;
            error = null;
            return true;
        }

        byte[] storedHash = genesisDoc["hash"].AsBinary;
        if (storedHash is null || !storedHash.AsSpan().SequenceEqual(genesis.Hash.Bytes))
        {
            string stored = storedHash is { Length: Hash256.Size } ? new Hash256(storedHash).ToString() : "unreadable";
            error = $"The data directory {Path.GetDirectoryName(path)} was made for another network: its genesis hash is {stored} (chain '{genesisDoc["chainId"].AsString}'), this genesis is {genesis.Hash} (chain '{genesis.ChainId}'). Use another data directory, or delete this one to start over.";
            return false;
        }

        if (!meta.TryGetValue("format", out BsonDocument? formatDoc) || formatDoc["version"].AsInt32 != FormatVersion)
        {
            error = $"The chain store {path} has an unknown layout version (this node reads version {FormatVersion}).";
            return false;
        }

        List<KeyValuePair<byte[], byte[]?>> entries = [];
        foreach (BsonDocument doc in ReadAll(engine, StateCollection))
        {
            byte[]? key = doc["_id"].AsBinary;
            byte[]? value = doc["v"].AsBinary;
            if (key is null || value is null)
            {
                error = $"The chain store {path} is corrupt: a state entry is not a pair of byte strings.";
                return false;
            }

            entries.Add(new KeyValuePair<byte[], byte[]?>(key, value));
        }

        state.Apply(entries);
        SortedList<long, BsonDocument> blocks = [];
        foreach (BsonDocument doc in ReadAll(engine, BlocksCollection))
        {
            blocks.Add(doc["_id"].AsInt64, doc);
        }

        Hash256 parent = genesis.Hash;
        long expected = 1;
        foreach ((long number, BsonDocument doc) in blocks)
        {
            if (number != expected)
            {
                error = $"The chain store {path} is corrupt: block {expected} is missing (found {number}).";
                return false;
            }

            if (!TryReadReceipt(doc, out BlockReceipt? receipt, out string? problem) || receipt.Block.Header.Number != (ulong)number || receipt.Block.Header.Parent != parent)
            {
                error = $"The chain store {path} is corrupt: block {number} {problem ?? "does not follow its parent"}.";
                return false;
            }

            history.Add(receipt);
            parent = receipt.Block.Hash;
            expected++;
        }

        Hash256 expectedRoot = history.Count == 0 ? genesisState.ComputeStateRoot() : history[^1].Block.Header.StateRoot;
        if (state.ComputeStateRoot() != expectedRoot)
        {
            error = $"The chain store {path} is corrupt: its state root differs from block {history.Count}'s.";
            return false;
        }

        error = null;
        return true;
    }

    private static void Initialize(LiteEngine engine, GenesisConfig genesis, MemoryStateStore genesisState)
    {
        List<BsonDocument> entries = new(genesisState.Count);
        foreach (KeyValuePair<byte[], byte[]> entry in genesisState.EnumerateSorted())
        {
            entries.Add(StateDocument(entry.Key, entry.Value));
        }

        BsonDocument genesisDoc = new()
        {
            ["_id"] = "genesis",
            ["hash"] = genesis.Hash.Bytes.ToArray(),
            ["chainId"] = genesis.ChainId,
        };
        BsonDocument formatDoc = new()
        {
            ["_id"] = "format",
            ["version"] = FormatVersion,
        };
        engine.BeginTrans();
        try
        {
            engine.Insert(StateCollection, entries, BsonAutoId.ObjectId);
            engine.Insert(MetaCollection, [genesisDoc, formatDoc], BsonAutoId.ObjectId);
            engine.Commit();
        }
        catch
        {
            engine.Rollback();
            throw;
        }

        engine.Checkpoint();
    }

    private static bool TryReadReceipt(BsonDocument doc, [NotNullWhen(true)] out BlockReceipt? receipt, out string? problem)
    {
        receipt = null;
        byte[]? encoded = doc["block"].AsBinary;
        BsonArray? errors = doc["errors"].AsArray;
        BsonArray? epochs = doc["epochs"].AsArray;
        if (encoded is null || errors is null || epochs is null)
        {
            problem = "lacks its encoding, errors or epochs";
            return false;
        }

        if (!Block.TryDecode(encoded, out Block? block, out string? decodeError))
        {
            problem = $"does not decode: {decodeError}";
            return false;
        }

        if (Block.ComputeExtrinsicsRoot(block.Extrinsics.AsSpan()) != block.Header.ExtrinsicsRoot || errors.Count != block.Extrinsics.Length)
        {
            problem = "does not match its transactions";
            return false;
        }

        ImmutableArray<ApplyOutcome>.Builder outcomes = ImmutableArray.CreateBuilder<ApplyOutcome>(errors.Count);
        foreach (BsonValue value in errors)
        {
            DispatchError dispatchError = (DispatchError)value.AsInt32;
            if (!Enum.IsDefined(dispatchError))
            {
                problem = $"records an unknown dispatch error {value.AsInt32}";
                return false;
            }

            outcomes.Add(new ApplyOutcome(TransactionValidity.Valid, dispatchError));
        }

        ImmutableArray<Netuid>.Builder netuids = ImmutableArray.CreateBuilder<Netuid>(epochs.Count);
        foreach (BsonValue value in epochs)
        {
            netuids.Add(new Netuid(checked((ushort)value.AsInt32)));
        }

        receipt = new BlockReceipt(block, outcomes.MoveToImmutable(), netuids.MoveToImmutable());
        problem = null;
        return true;
    }

    private static BsonDocument StateDocument(byte[] key, byte[] value) => new()
    {
        ["_id"] = key,
        ["v"] = value,
    };

    private static BsonDocument BlockDocument(BlockReceipt receipt)
    {
        BsonArray errors = [];
        foreach (ApplyOutcome outcome in receipt.Outcomes)
        {
            errors.Add((int)outcome.Error);
        }

        BsonArray epochs = [];
        foreach (Netuid netuid in receipt.Epochs)
        {
            epochs.Add((int)netuid.Value);
        }

        return new BsonDocument
        {
            ["_id"] = checked((long)receipt.Block.Header.Number),
            ["block"] = receipt.Block.Encode(),
            ["errors"] = errors,
            ["epochs"] = epochs,
        };
    }

    private static List<BsonDocument> ReadAll(LiteEngine engine, string collection)
    {
        List<BsonDocument> documents = [];
        using IBsonDataReader reader = engine.Query(collection, new Query());
        while (reader.Read())
        {
            documents.Add(reader.Current.AsDocument);
        }

        return documents;
    }

    private static bool Any(LiteEngine engine, string collection)
    {
        using IBsonDataReader reader = engine.Query(collection, new Query());
        return reader.Read();
    }

    private static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
