// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Blocks;

/// <summary>
/// Produces a block in each slot this node's key authors (slot = <c>floor(timestamp_ms / block_time_ms)</c>,
/// author = <c>authorities[slot % len]</c>, §2.2), from the pool, on the given clock.
/// </summary>
/// <remarks>
/// Not thread-safe with other users of the <see cref="Blockchain"/>: the node calls it under its chain lock. The
/// author key stays owned by the caller.
/// </remarks>
public sealed class BlockProducer
{
    private readonly Blockchain _chain;
    private readonly TransactionPool _pool;
    private readonly IClock _clock;
    private readonly Ed25519KeyPair _author;
    private ulong? _lastSlot;

    /// <summary>A producer for <paramref name="chain"/> signing with <paramref name="author"/>.</summary>
    public BlockProducer(Blockchain chain, TransactionPool pool, IClock clock, Ed25519KeyPair author)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(author);
        _chain = chain;
        _pool = pool;
        _clock = clock;
        _author = author;
    }

    /// <summary>
    /// Produces a block if the current slot is this key's, has no block yet, and the clock is past the best block's
    /// timestamp; included and invalid transactions leave the pool, and stale or expired ones are pruned.
    /// </summary>
    public bool TryProduce([NotNullWhen(true)] out BlockReceipt? receipt)
    {
        receipt = null;
        long now = _clock.UtcNow.ToUnixTimeMilliseconds();
        if (now <= 0 || (ulong)now <= _chain.BestTimestampMs)
        {
            return false;
        }

        ulong timestamp = (ulong)now;
        ulong slot = timestamp / _chain.Genesis.BlockTimeMs;
        if ((_lastSlot is ulong last && slot <= last) || _chain.Genesis.AuthorForSlot(slot) != _author.PublicKey)
        {
            return false;
        }

        List<Extrinsic> ready = _pool.GetReady(_chain.ReadState());
        receipt = _chain.ProduceBlock(_author, timestamp, ready, candidatesVerified: true, out List<(Extrinsic Extrinsic, TransactionValidity Validity)> rejected);
        _lastSlot = slot;
        List<Extrinsic> done = [.. receipt.Block.Extrinsics];
        foreach ((Extrinsic extrinsic, TransactionValidity validity) in rejected)
        {
            if (validity != TransactionValidity.FutureNonce && validity != TransactionValidity.Valid)
            {
                done.Add(extrinsic);
            }
        }

        _pool.Remove(done);
        _pool.Prune(_chain.ReadState(), _chain.BestNumber + 1);
        return true;
    }

    /// <summary>Waits for each slot start on the clock and tries to produce, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        ulong blockTime = _chain.Genesis.BlockTimeMs;
        while (!cancellationToken.IsCancellationRequested)
        {
            ulong now = (ulong)Math.Max(0, _clock.UtcNow.ToUnixTimeMilliseconds());
            ulong nextSlotStart = ((now / blockTime) + 1) * blockTime;
            await _clock.DelayAsync(TimeSpan.FromMilliseconds(nextSlotStart - now), cancellationToken).ConfigureAwait(false);
            TryProduce(out _);
        }
    }
}
