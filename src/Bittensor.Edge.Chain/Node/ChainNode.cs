// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Node;

/// <summary>
/// The chain as a node process runs it: the <see cref="Blockchain"/>, its <see cref="TransactionPool"/>, the author
/// key and the clock, with submission, slot-driven block production, follower import, a bounded index of
/// transaction statuses and new-head notification. The JSON-RPC handler (<c>Rpc/ChainRpcHandler</c>) sits on top.
/// </summary>
/// <remarks>
/// <para>
/// <b>Concurrency contract.</b> Every member is thread-safe. One lock (the chain lock) guards the ledger, the store,
/// the block index and the status index: <c>Submit</c>, <see cref="TryProduceBlock"/>, <see cref="ImportBlock"/>,
/// <see cref="TryGetTransactionStatus"/> and the <see cref="Read{TResult}"/> callbacks all run under it, so a reader
/// sees the state of exactly one block (never half of one), and the store (which need not be thread-safe,
/// <see cref="IStateStore"/>) is only touched by one thread at a time. A <see cref="Read{TResult}"/> callback must be
/// short and must not keep the <see cref="ChainReadView"/> (or a <see cref="ChainState"/> from it) after it returns.
/// <see cref="Head"/> is an immutable snapshot published after each block and can be read without the lock.
/// </para>
/// <para>
/// <see cref="BlockCommitted"/> is raised under the chain lock right after a block's state is applied, in block
/// order, so a persistence layer can write the block beside the state's write set before anyone reads past it.
/// Waiters of <see cref="WaitNewHeadAsync"/> resume asynchronously, never on the producing thread.
/// </para>
/// <para>The author key and the clock stay owned by the caller.</para>
/// </remarks>
public sealed class ChainNode
{
    /// <summary>The default number of transaction statuses kept (oldest forgotten first).</summary>
    public const int DefaultStatusCapacity = 65_536;

    private readonly Lock _lock = new();
    private readonly Blockchain _chain;
    private readonly BlockProducer? _producer;
    private readonly IClock _clock;
    private readonly ChainReadView _view;
    private readonly Dictionary<Hash256, ulong> _numbersByHash = [];
    private readonly Dictionary<Hash256, TransactionStatus> _statuses = [];
    private readonly Queue<Hash256> _statusOrder = new();
    private readonly HashSet<Hash256> _pending = [];
    private readonly int _statusCapacity;
    private TaskCompletionSource<BlockHeader> _nextHead = NewHeadSource();
    private volatile ChainHead _head;

    /// <summary>
    /// A node over <paramref name="store"/> and <paramref name="history"/> (as <see cref="Blockchain(GenesisConfig, IStateStore, IReadOnlyList{BlockReceipt})"/>:
    /// an empty store and no history start a new chain).
    /// </summary>
    /// <param name="genesis">The network.</param>
    /// <param name="store">The committed state (a LiteDB-backed store in <c>bte-node</c>).</param>
    /// <param name="history">Blocks 1..n already persisted, in order.</param>
    /// <param name="author">The authority key this node signs blocks with, or <see langword="null"/> for a follower that only imports.</param>
    /// <param name="clock">The clock for slots, timestamps and waits.</param>
    /// <param name="statusCapacity">How many transaction statuses to remember.</param>
    /// <exception cref="ArgumentException">The history or store do not match the genesis (see <see cref="Blockchain"/>).</exception>
    public ChainNode(GenesisConfig genesis, IStateStore store, IReadOnlyList<BlockReceipt> history, Ed25519KeyPair? author, IClock clock, int statusCapacity = DefaultStatusCapacity)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCapacity, 1);
        _chain = new Blockchain(genesis, store, history);
        _clock = clock;
        _statusCapacity = statusCapacity;
        Pool = new TransactionPool(genesis.Hash);
        _producer = author is null ? null : new BlockProducer(_chain, Pool, clock, author);
        AuthorKey = author?.PublicKey;
        _view = new ChainReadView(_chain, Pool, _numbersByHash);
        foreach (BlockReceipt receipt in history)
        {
            _numbersByHash[receipt.Block.Hash] = receipt.Block.Header.Number;
        }

        _head = CurrentHead();
    }

    /// <summary>Raised under the chain lock after each block (produced or imported) is committed, in block order.</summary>
    public event Action<BlockReceipt>? BlockCommitted;

    /// <summary>The network.</summary>
    public GenesisConfig Genesis => _chain.Genesis;

    /// <summary>The clock the node runs on.</summary>
    public IClock Clock => _clock;

    /// <summary>The author's public key, or <see langword="null"/> for a follower.</summary>
    public PublicKey? AuthorKey { get; }

    /// <summary>The pool (thread-safe on its own).</summary>
    public TransactionPool Pool { get; }

    /// <summary>The best block, as an immutable snapshot (lock-free).</summary>
    public ChainHead Head => _head;

    /// <summary>
    /// Decodes, checks and pools a transaction (<c>author_submitExtrinsic</c>). Expected failures are the return
    /// value; <paramref name="hash"/> is the transaction hash whenever the bytes decode.
    /// </summary>
    public SubmissionError Submit(ReadOnlySpan<byte> encoded, out Hash256 hash)
    {
        if (!Extrinsic.TryDecode(encoded, out Extrinsic? extrinsic, out _))
        {
            hash = default;
            return SubmissionError.BadEncoding;
        }

        hash = extrinsic.Hash;
        return Submit(extrinsic);
    }

    /// <summary>Checks and pools a decoded transaction.</summary>
    public SubmissionError Submit(Extrinsic extrinsic)
    {
        ArgumentNullException.ThrowIfNull(extrinsic);
        lock (_lock)
        {
            SubmissionError error = Pool.Submit(extrinsic, _chain.ReadState(), _chain.BestNumber);
            if (error == SubmissionError.None)
            {
                _pending.Add(extrinsic.Hash);
                SetStatus(extrinsic.Hash, TransactionStatus.Pending);
            }

            return error;
        }
    }

    /// <summary>The status of a transaction this node accepted, while it is remembered.</summary>
    public bool TryGetTransactionStatus(in Hash256 hash, out TransactionStatus status)
    {
        lock (_lock)
        {
            return _statuses.TryGetValue(hash, out status);
        }
    }

    /// <summary>
    /// Produces a block if the current slot (on the clock) is this node's and has none yet (see
    /// <see cref="BlockProducer.TryProduce"/>); updates the status index and wakes head waiters.
    /// </summary>
    public bool TryProduceBlock([NotNullWhen(true)] out BlockReceipt? receipt)
    {
        receipt = null;
        if (_producer is null)
        {
            return false;
        }

        TaskCompletionSource<BlockHeader> waiters;
        lock (_lock)
        {
            if (!_producer.TryProduce(out receipt))
            {
                return false;
            }

            waiters = Commit(receipt);
        }

        waiters.TrySetResult(receipt.Block.Header);
        return true;
    }

    /// <summary>Checks and commits a block from the authority (a follower's import, §2.2), at the clock's time.</summary>
    public BlockImportError ImportBlock(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        ulong now = (ulong)Math.Max(0, _clock.UtcNow.ToUnixTimeMilliseconds());
        TaskCompletionSource<BlockHeader> waiters;
        BlockReceipt? receipt;
        lock (_lock)
        {
            BlockImportError error = _chain.Import(block, now);
            if (error != BlockImportError.None)
            {
                return error;
            }

            _chain.TryGetBlock(_chain.BestNumber, out receipt);
            List<Extrinsic> done = [.. block.Extrinsics];
            Pool.Remove(done);
            Pool.Prune(_chain.ReadState(), _chain.BestNumber + 1);
            waiters = Commit(receipt!);
        }

        waiters.TrySetResult(block.Header);
        return BlockImportError.None;
    }

    /// <summary>
    /// Produces blocks at each slot start on the clock until <paramref name="cancellationToken"/> is cancelled
    /// (then returns normally). A follower (no author key) returns at once.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (_producer is null)
        {
            return;
        }

        ulong blockTime = Genesis.BlockTimeMs;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                ulong now = (ulong)Math.Max(0, _clock.UtcNow.ToUnixTimeMilliseconds());
                ulong nextSlotStart = ((now / blockTime) + 1) * blockTime;
                await _clock.DelayAsync(TimeSpan.FromMilliseconds(nextSlotStart - now), cancellationToken).ConfigureAwait(false);
                TryProduceBlock(out _);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end of the loop.
        }
    }

    /// <summary>
    /// The best header once the best block is above <paramref name="afterNumber"/> (at once if it already is), or
    /// <see langword="null"/> when <paramref name="timeout"/> passes first on the clock (<c>chain_waitNewHead</c>).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<BlockHeader?> WaitNewHeadAsync(ulong afterNumber, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        TimeSpan deadline = _clock.Elapsed + (timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout);
        while (true)
        {
            Task<BlockHeader> next;
            lock (_lock)
            {
                ChainHead head = _head;
                if (head.Number > afterNumber && head.Header is not null)
                {
                    return head.Header;
                }

                next = _nextHead.Task;
            }

            TimeSpan remaining = deadline - _clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            using CancellationTokenSource stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task delay = _clock.DelayAsync(remaining, stopDelay.Token);
            Task winner = await Task.WhenAny(next, delay).ConfigureAwait(false);
            await stopDelay.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (winner != next)
            {
                return null;
            }
        }
    }

    /// <summary>Runs <paramref name="read"/> under the chain lock over the best state (see the concurrency contract).</summary>
    public TResult Read<TResult>(Func<ChainReadView, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_lock)
        {
            return read(_view);
        }
    }

    /// <summary>Runs <paramref name="read"/> with <paramref name="argument"/> under the chain lock (no closure needed).</summary>
    public TResult Read<TArgument, TResult>(TArgument argument, Func<ChainReadView, TArgument, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_lock)
        {
            return read(_view, argument);
        }
    }

    private TaskCompletionSource<BlockHeader> Commit(BlockReceipt receipt)
    {
        Block block = receipt.Block;
        _numbersByHash[block.Hash] = block.Header.Number;
        for (int i = 0; i < block.Extrinsics.Length; i++)
        {
            Hash256 hash = block.Extrinsics[i].Hash;
            _pending.Remove(hash);
            SetStatus(hash, new TransactionStatus(TransactionState.Included, block.Header.Number, block.Hash, i, receipt.Outcomes[i].Error));
        }

        if (_pending.Count > 0)
        {
            List<Hash256> dropped = [];
            foreach (Hash256 hash in _pending)
            {
                if (!Pool.Contains(hash))
                {
                    dropped.Add(hash);
                }
            }

            foreach (Hash256 hash in dropped)
            {
                _pending.Remove(hash);
                SetStatus(hash, TransactionStatus.Dropped);
            }
        }

        _head = CurrentHead();
        BlockCommitted?.Invoke(receipt);
        TaskCompletionSource<BlockHeader> waiters = _nextHead;
        _nextHead = NewHeadSource();
        return waiters;
    }

    private void SetStatus(in Hash256 hash, TransactionStatus status)
    {
        if (!_statuses.ContainsKey(hash))
        {
            _statusOrder.Enqueue(hash);
            while (_statusOrder.Count > _statusCapacity)
            {
                _statuses.Remove(_statusOrder.Dequeue());
            }
        }

        _statuses[hash] = status;
    }

    private ChainHead CurrentHead()
    {
        BlockHeader? header = _chain.TryGetBlock(_chain.BestNumber, out BlockReceipt? best) ? best.Block.Header : null;
        return new ChainHead(_chain.BestNumber, _chain.BestHash, _chain.BestTimestampMs, header);
    }

    private static TaskCompletionSource<BlockHeader> NewHeadSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The best block as an immutable snapshot.</summary>
/// <param name="Number">The best number (0 = genesis).</param>
/// <param name="Hash">Its hash (the genesis hash at 0).</param>
/// <param name="TimestampMs">Its timestamp (the genesis time at 0).</param>
/// <param name="Header">Its header, or <see langword="null"/> at genesis.</param>
public sealed record ChainHead(ulong Number, Hash256 Hash, ulong TimestampMs, BlockHeader? Header);
