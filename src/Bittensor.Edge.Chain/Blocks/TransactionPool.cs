// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Blocks;

/// <summary>
/// The transaction pool of specs/protocol.md §2.7: checks submissions against the best state, keeps them in
/// arrival order, and hands block assembly a list that keeps each account's nonce order.
/// </summary>
/// <remarks>Thread-safe: RPC threads submit while the producer reads; every member takes the pool's lock.</remarks>
public sealed class TransactionPool
{
    private readonly Lock _lock = new();
    private readonly Hash256 _genesisHash;
    private readonly List<Extrinsic> _arrival = [];
    private readonly HashSet<Hash256> _hashes = [];
    private readonly Dictionary<PublicKey, SortedDictionary<ulong, Extrinsic>> _byAccount = [];

    /// <summary>A pool for the network <paramref name="genesisHash"/>.</summary>
    public TransactionPool(Hash256 genesisHash)
    {
        _genesisHash = genesisHash;
    }

    /// <summary>Transactions held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _arrival.Count;
            }
        }
    }

    /// <summary>Whether the pool holds <paramref name="hash"/>.</summary>
    public bool Contains(in Hash256 hash)
    {
        lock (_lock)
        {
            return _hashes.Contains(hash);
        }
    }

    /// <summary>Decodes and submits raw bytes (<c>author_submitExtrinsic</c>).</summary>
    public SubmissionError Submit(ReadOnlySpan<byte> encoded, ChainState best, ulong bestNumber, out Hash256 hash)
    {
        if (!Extrinsic.TryDecode(encoded, out Extrinsic? extrinsic, out _))
        {
            hash = default;
            return SubmissionError.BadEncoding;
        }

        hash = extrinsic.Hash;
        return Submit(extrinsic, best, bestNumber);
    }

    /// <summary>Checks <paramref name="extrinsic"/> against the best state and adds it.</summary>
    public SubmissionError Submit(Extrinsic extrinsic, ChainState best, ulong bestNumber)
    {
        ArgumentNullException.ThrowIfNull(extrinsic);
        ArgumentNullException.ThrowIfNull(best);
        lock (_lock)
        {
            if (_hashes.Contains(extrinsic.Hash) || (_byAccount.TryGetValue(extrinsic.Signer, out SortedDictionary<ulong, Extrinsic>? known) && known.ContainsKey(extrinsic.Nonce)))
            {
                return SubmissionError.AlreadyKnown;
            }
        }

        if (!extrinsic.VerifySignature(_genesisHash))
        {
            return SubmissionError.BadSignature;
        }

        AccountInfo account = best.GetAccount(extrinsic.Signer);
        if (extrinsic.Nonce < account.Nonce)
        {
            return SubmissionError.StaleNonce;
        }

        if (extrinsic.Nonce - account.Nonce >= ChainConstants.NonceWindow)
        {
            return SubmissionError.NonceTooFarAhead;
        }

        if (extrinsic.ValidUntil < bestNumber + 1 || extrinsic.ValidUntil > bestNumber + ChainConstants.MortalityWindow)
        {
            return SubmissionError.Mortality;
        }

        if (extrinsic.Call.IsFree)
        {
            if (!best.IsRegisteredAnywhere(extrinsic.Signer))
            {
                return SubmissionError.NotRegisteredHotkey;
            }
        }
        else if (account.Free.Value < ChainConstants.TransactionFee)
        {
            return SubmissionError.CannotPayFee;
        }

        lock (_lock)
        {
            if (!_byAccount.TryGetValue(extrinsic.Signer, out SortedDictionary<ulong, Extrinsic>? mine))
            {
                mine = [];
            }

            if (_hashes.Contains(extrinsic.Hash) || mine.ContainsKey(extrinsic.Nonce))
            {
                return SubmissionError.AlreadyKnown;
            }

            if (_arrival.Count >= ChainConstants.MaxPoolTransactions || mine.Count >= ChainConstants.MaxPoolTransactionsPerAccount)
            {
                return SubmissionError.PoolFull;
            }

            _byAccount[extrinsic.Signer] = mine;
            mine.Add(extrinsic.Nonce, extrinsic);
            _arrival.Add(extrinsic);
            _hashes.Add(extrinsic.Hash);
            return SubmissionError.None;
        }
    }

    /// <summary>
    /// The transactions for the next block: arrival order, except that a transaction waits until every lower
    /// nonce of its account has gone before it; gaps stop an account's sequence.
    /// </summary>
    public List<Extrinsic> GetReady(ChainState best)
    {
        ArgumentNullException.ThrowIfNull(best);
        lock (_lock)
        {
            List<Extrinsic> ready = new(_arrival.Count);
            Dictionary<PublicKey, ulong> next = [];
            Dictionary<PublicKey, SortedDictionary<ulong, Extrinsic>> waiting = [];
            foreach (Extrinsic extrinsic in _arrival)
            {
                if (!next.TryGetValue(extrinsic.Signer, out ulong expected))
                {
                    expected = best.GetAccount(extrinsic.Signer).Nonce;
                }

                if (extrinsic.Nonce != expected)
                {
                    if (extrinsic.Nonce > expected)
                    {
                        if (!waiting.TryGetValue(extrinsic.Signer, out SortedDictionary<ulong, Extrinsic>? queue))
                        {
                            queue = [];
                            waiting[extrinsic.Signer] = queue;
                        }

                        queue[extrinsic.Nonce] = extrinsic;
                    }

                    next[extrinsic.Signer] = expected;
                    continue;
                }

                ready.Add(extrinsic);
                expected++;
                if (waiting.TryGetValue(extrinsic.Signer, out SortedDictionary<ulong, Extrinsic>? pending))
                {
                    while (pending.Remove(expected, out Extrinsic? follower))
                    {
                        ready.Add(follower);
                        expected++;
                    }
                }

                next[extrinsic.Signer] = expected;
            }

            return ready;
        }
    }

    /// <summary>Removes transactions (included in a block, or rejected by it).</summary>
    public void Remove(IEnumerable<Extrinsic> extrinsics)
    {
        ArgumentNullException.ThrowIfNull(extrinsics);
        lock (_lock)
        {
            HashSet<Hash256> removed = [];
            foreach (Extrinsic extrinsic in extrinsics)
            {
                if (_hashes.Remove(extrinsic.Hash))
                {
                    removed.Add(extrinsic.Hash);
                    RemoveFromAccount(extrinsic);
                }
            }

            if (removed.Count > 0)
            {
                _arrival.RemoveAll(e => removed.Contains(e.Hash));
            }
        }
    }

    /// <summary>Drops transactions whose nonce is stale or whose <c>valid_until</c> is before <paramref name="nextBlock"/>.</summary>
    public void Prune(ChainState best, ulong nextBlock)
    {
        ArgumentNullException.ThrowIfNull(best);
        lock (_lock)
        {
            List<Extrinsic> dropped = [];
            Dictionary<PublicKey, ulong> nonces = [];
            foreach (Extrinsic extrinsic in _arrival)
            {
                if (!nonces.TryGetValue(extrinsic.Signer, out ulong nonce))
                {
                    nonce = best.GetAccount(extrinsic.Signer).Nonce;
                    nonces[extrinsic.Signer] = nonce;
                }

                if (extrinsic.Nonce < nonce || extrinsic.ValidUntil < nextBlock)
                {
                    dropped.Add(extrinsic);
                }
            }

            foreach (Extrinsic extrinsic in dropped)
            {
                _hashes.Remove(extrinsic.Hash);
                RemoveFromAccount(extrinsic);
            }

            if (dropped.Count > 0)
            {
                HashSet<Hash256> gone = [];
                foreach (Extrinsic extrinsic in dropped)
                {
                    gone.Add(extrinsic.Hash);
                }

                _arrival.RemoveAll(e => gone.Contains(e.Hash));
            }
        }
    }

    private void RemoveFromAccount(Extrinsic extrinsic)
    {
        if (_byAccount.TryGetValue(extrinsic.Signer, out SortedDictionary<ulong, Extrinsic>? mine) && mine.Remove(extrinsic.Nonce) && mine.Count == 0)
        {
            _byAccount.Remove(extrinsic.Signer);
        }
    }
}
