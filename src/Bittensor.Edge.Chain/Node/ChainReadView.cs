// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Node;

/// <summary>
/// Read access to the best state and the block index of a <see cref="ChainNode"/>, valid only inside a
/// <see cref="ChainNode.Read{TResult}"/> callback (under the chain lock); never keep it, or a
/// <see cref="ChainState"/> from it, after the callback returns.
/// </summary>
public sealed class ChainReadView
{
    private readonly Blockchain _chain;
    private readonly TransactionPool _pool;
    private readonly Dictionary<Hash256, ulong> _numbersByHash;

    internal ChainReadView(Blockchain chain, TransactionPool pool, Dictionary<Hash256, ulong> numbersByHash)
    {
        _chain = chain;
        _pool = pool;
        _numbersByHash = numbersByHash;
    }

    /// <summary>The network.</summary>
    public GenesisConfig Genesis => _chain.Genesis;

    /// <summary>The best block number (0 = genesis).</summary>
    public ulong BestNumber => _chain.BestNumber;

    /// <summary>The best block hash (the genesis hash at 0).</summary>
    public Hash256 BestHash => _chain.BestHash;

    /// <summary>The best block's timestamp (the genesis time at 0).</summary>
    public ulong BestTimestampMs => _chain.BestTimestampMs;

    /// <summary>Transactions in the pool.</summary>
    public int PoolSize => _pool.Count;

    /// <summary>Typed access to the best state (a new overlay per call: keep it in a local).</summary>
    public ChainState State() => _chain.ReadState();

    /// <summary>Block <paramref name="number"/> (1-based) with its outcomes.</summary>
    public bool TryGetBlock(ulong number, [NotNullWhen(true)] out BlockReceipt? receipt) => _chain.TryGetBlock(number, out receipt);

    /// <summary>The number of the block (or the genesis, 0) whose hash is <paramref name="hash"/>.</summary>
    public bool TryGetNumber(in Hash256 hash, out ulong number)
    {
        if (hash == _chain.Genesis.Hash)
        {
            number = 0;
            return true;
        }

        return _numbersByHash.TryGetValue(hash, out number);
    }
}
