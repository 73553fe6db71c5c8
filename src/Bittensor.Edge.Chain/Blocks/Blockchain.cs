// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Persistence;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Blocks;

/// <summary>Why a follower rejected a block (specs/protocol.md §2.2).</summary>
public enum BlockImportError
{
    /// <summary>Imported.</summary>
    None = 0,

    /// <summary>The parent is not the best block, or the number is not best + 1.</summary>
    NotOnBest,

    /// <summary>The timestamp is not after the parent's (or genesis), or more than 2 s ahead of the local clock.</summary>
    BadTimestamp,

    /// <summary>The author is not the slot's authority.</summary>
    WrongAuthor,

    /// <summary>The author signature does not verify.</summary>
    BadSignature,

    /// <summary>Over 2 000 transactions or 4 MiB.</summary>
    TooLarge,

    /// <summary>The extrinsics root does not match the transactions.</summary>
    ExtrinsicsRootMismatch,

    /// <summary>A transaction cannot be applied (bad signature, nonce, mortality or fee).</summary>
    InvalidTransaction,

    /// <summary>The state root after re-execution differs.</summary>
    StateRootMismatch,
}

/// <summary>
/// The ledger: the committed state, the genesis and the blocks since, with block production and import.
/// </summary>
/// <remarks>
/// Not thread-safe: the node runs production, import and state reads under one lock. Blocks and receipts are
/// kept in memory here; when the store is an <see cref="IChainStore"/>, each block is committed to it with its state
/// write set (one durable transaction) before the block becomes the best block.
/// </remarks>
public sealed class Blockchain
{
    private readonly List<BlockReceipt> _blocks = [];

    /// <summary>A new ledger: <paramref name="store"/> must be empty and receives the genesis state.</summary>
    /// <exception cref="ArgumentException"><paramref name="store"/> is not empty.</exception>
    public Blockchain(GenesisConfig genesis, IStateStore store)
        : this(genesis, store, [])
    {
    }

    /// <summary>
    /// A ledger restarted from persisted data: <paramref name="store"/> holds the state after the last block of
    /// <paramref name="history"/> (blocks 1..n in order). When <paramref name="history"/> is empty, the store is either
    /// empty (and receives the genesis state) or holds exactly the genesis state. The store's state root must equal the
    /// last header's.
    /// </summary>
    /// <exception cref="ArgumentException">The history does not chain from the genesis, or the store's root differs.</exception>
    public Blockchain(GenesisConfig genesis, IStateStore store, IReadOnlyList<BlockReceipt> history)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(history);
        Genesis = genesis;
        Store = store;
        Executor = new BlockExecutor(genesis);
        if (history.Count == 0 && store.Count == 0)
        {
            GenesisState.Initialize(store, genesis);
            GenesisStateRoot = store.ComputeStateRoot();
            return;
        }

        MemoryStateStore genesisState = new();
        GenesisState.Initialize(genesisState, genesis);
        GenesisStateRoot = genesisState.ComputeStateRoot();
        if (history.Count == 0)
        {
            if (store.ComputeStateRoot() != GenesisStateRoot)
            {
                ThrowHelper.ThrowArgument(nameof(store), "A ledger without blocks starts from an empty store or from the genesis state.");
            }

            return;
        }

        Hash256 parent = genesis.Hash;
        for (int i = 0; i < history.Count; i++)
        {
            BlockHeader header = history[i].Block.Header;
            if (header.Number != (ulong)i + 1 || header.Parent != parent)
            {
                ThrowHelper.ThrowArgument(nameof(history), $"Block {i + 1} of the history does not follow its parent.");
            }

            parent = history[i].Block.Hash;
            _blocks.Add(history[i]);
        }

        if (store.ComputeStateRoot() != history[^1].Block.Header.StateRoot)
        {
            ThrowHelper.ThrowArgument(nameof(store), "The store's state root differs from the best block's.");
        }
    }

    internal Blockchain(GenesisConfig genesis, IStateStore store, IEpochRunner epoch)
        : this(genesis, store)
    {
        Executor = new BlockExecutor(genesis, epoch);
    }

    /// <summary>The network.</summary>
    public GenesisConfig Genesis { get; }

    /// <summary>The committed state after the best block.</summary>
    public IStateStore Store { get; }

    /// <summary>The executor.</summary>
    public BlockExecutor Executor { get; }

    /// <summary>The state root at genesis.</summary>
    public Hash256 GenesisStateRoot { get; }

    /// <summary>The best block number (0 = genesis).</summary>
    public ulong BestNumber => (ulong)_blocks.Count;

    /// <summary>The best block hash (the genesis hash at 0).</summary>
    public Hash256 BestHash => _blocks.Count == 0 ? Genesis.Hash : _blocks[^1].Block.Hash;

    /// <summary>The best block's timestamp (the genesis time at 0).</summary>
    public ulong BestTimestampMs => _blocks.Count == 0 ? Genesis.GenesisTimeMs : _blocks[^1].Block.Header.TimestampMs;

    /// <summary>Read-only typed access to the committed state.</summary>
    public ChainState ReadState() => new(new StateOverlay(Store));

    /// <summary>The receipt of block <paramref name="number"/> (1-based).</summary>
    public bool TryGetBlock(ulong number, [NotNullWhen(true)] out BlockReceipt? receipt)
    {
        if (number == 0 || number > (ulong)_blocks.Count)
        {
            receipt = null;
            return false;
        }

        receipt = _blocks[(int)(number - 1)];
        return true;
    }

    /// <summary>
    /// Builds, executes, signs and commits the next block from <paramref name="candidates"/> (in order). Candidates
    /// that cannot be applied are left out and reported in <paramref name="rejected"/>; so are those past the
    /// block limits, with <see cref="TransactionValidity.Valid"/>.
    /// </summary>
    public BlockReceipt ProduceBlock(Ed25519KeyPair author, ulong timestampMs, IEnumerable<Extrinsic> candidates, bool candidatesVerified, out List<(Extrinsic Extrinsic, TransactionValidity Validity)> rejected)
    {
        ArgumentNullException.ThrowIfNull(author);
        ArgumentNullException.ThrowIfNull(candidates);
        ulong number = BestNumber + 1;
        StateOverlay overlay = new(Store);
        List<Netuid> epochs = Executor.BeginBlock(overlay, number);
        ImmutableArray<Extrinsic>.Builder included = ImmutableArray.CreateBuilder<Extrinsic>();
        ImmutableArray<ApplyOutcome>.Builder outcomes = ImmutableArray.CreateBuilder<ApplyOutcome>();
        rejected = [];
        long bytes = 0;
        foreach (Extrinsic extrinsic in candidates)
        {
            if (included.Count >= ChainConstants.MaxBlockTransactions || bytes + extrinsic.Size > ChainConstants.MaxBlockBytes)
            {
                break;
            }

            ApplyOutcome outcome = Executor.ApplyExtrinsic(overlay, number, extrinsic, verifySignature: !candidatesVerified);
            if (outcome.Validity != TransactionValidity.Valid)
            {
                rejected.Add((extrinsic, outcome.Validity));
                continue;
            }

            included.Add(extrinsic);
            outcomes.Add(outcome);
            bytes += extrinsic.Size;
        }

        List<KeyValuePair<byte[], byte[]?>>? undo = Store is IChainStore ? CaptureUndo(overlay) : null;
        Store.Apply(overlay.Changes);
        Hash256 stateRoot = Store.ComputeStateRoot();
        ImmutableArray<Extrinsic> extrinsics = included.ToImmutable();
        BlockHeader header = BlockHeader.CreateSigned(author, Genesis.Hash, number, BestHash, timestampMs, Block.ComputeExtrinsicsRoot(extrinsics.AsSpan()), stateRoot);
        BlockReceipt receipt = new(new Block(header, extrinsics), outcomes.ToImmutable(), [.. epochs]);
        Persist(receipt, overlay, undo);
        _blocks.Add(receipt);
        return receipt;
    }

    /// <summary>
    /// Checks a block from the authority and, if it is valid, re-executes and commits it (a follower's import,
    /// §2.2). On any error the state is unchanged.
    /// </summary>
    /// <param name="block">The block.</param>
    /// <param name="nowMs">The follower's clock, Unix milliseconds.</param>
    public BlockImportError Import(Block block, ulong nowMs)
    {
        ArgumentNullException.ThrowIfNull(block);
        BlockHeader header = block.Header;
        if (header.Number != BestNumber + 1 || header.Parent != BestHash)
        {
            return BlockImportError.NotOnBest;
        }

        if (header.TimestampMs <= BestTimestampMs || header.TimestampMs > nowMs + ChainConstants.MaxFutureDriftMs)
        {
            return BlockImportError.BadTimestamp;
        }

        if (header.Author != Genesis.AuthorForSlot(header.Slot(Genesis.BlockTimeMs)))
        {
            return BlockImportError.WrongAuthor;
        }

        if (!header.VerifySignature(Genesis.Hash))
        {
            return BlockImportError.BadSignature;
        }

        long bytes = 0;
        foreach (Extrinsic extrinsic in block.Extrinsics)
        {
            bytes += extrinsic.Size;
        }

        if (block.Extrinsics.Length > ChainConstants.MaxBlockTransactions || bytes > ChainConstants.MaxBlockBytes)
        {
            return BlockImportError.TooLarge;
        }

        if (Block.ComputeExtrinsicsRoot(block.Extrinsics.AsSpan()) != header.ExtrinsicsRoot)
        {
            return BlockImportError.ExtrinsicsRootMismatch;
        }

        StateOverlay overlay = new(Store);
        List<Netuid> epochs = Executor.BeginBlock(overlay, header.Number);
        ImmutableArray<ApplyOutcome>.Builder outcomes = ImmutableArray.CreateBuilder<ApplyOutcome>(block.Extrinsics.Length);
        foreach (Extrinsic extrinsic in block.Extrinsics)
        {
            ApplyOutcome outcome = Executor.ApplyExtrinsic(overlay, header.Number, extrinsic);
            if (outcome.Validity != TransactionValidity.Valid)
            {
                return BlockImportError.InvalidTransaction;
            }

            outcomes.Add(outcome);
        }

        List<KeyValuePair<byte[], byte[]?>> undo = CaptureUndo(overlay);
        Store.Apply(overlay.Changes);
        if (Store.ComputeStateRoot() != header.StateRoot)
        {
            Store.Apply(undo);
            return BlockImportError.StateRootMismatch;
        }

        BlockReceipt receipt = new(block, outcomes.ToImmutable(), [.. epochs]);
        Persist(receipt, overlay, undo);
        _blocks.Add(receipt);
        return BlockImportError.None;
    }

    // The values the overlay's keys hold in the store now (null = absent): applying this list reverts the overlay.
    private List<KeyValuePair<byte[], byte[]?>> CaptureUndo(StateOverlay overlay)
    {
        List<KeyValuePair<byte[], byte[]?>> undo = new(overlay.Changes.Count);
        foreach (byte[] key in overlay.Changes.Keys)
        {
            undo.Add(new KeyValuePair<byte[], byte[]?>(key, Store.TryGet(key, out byte[]? old) ? old : null));
        }

        return undo;
    }

    // Commits the block and its write set to a durable store; if that fails, the in-memory view is reverted so the
    // ledger stays at the previous block, and the failure goes to the caller (the node stops on it).
    private void Persist(BlockReceipt receipt, StateOverlay overlay, List<KeyValuePair<byte[], byte[]?>>? undo)
    {
        if (Store is not IChainStore chainStore)
        {
            return;
        }

        try
        {
            chainStore.CommitBlock(receipt, overlay.Changes);
        }
        catch
        {
            Store.Apply(undo!);
            throw;
        }
    }
}
