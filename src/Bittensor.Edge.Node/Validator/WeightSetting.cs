// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Immutable;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Node.Validator;

/// <summary>
/// One market's view of the miners (storage now, inference later): a weight per uid, normalised to sum to 1, or empty
/// when the market has nothing to say yet.
/// </summary>
/// <remarks>Implementations are called from the weight setter's loop and must be thread-safe.</remarks>
public interface IMarketScores
{
    /// <summary>The market's name, for logs.</summary>
    string Market { get; }

    /// <summary>Normalised weights by uid (summing to 1), or an empty map.</summary>
    IReadOnlyDictionary<ushort, double> Weights();
}

/// <summary>Puts a weights row on chain. The chain implementation is <see cref="ChainWeightSubmitter"/>.</summary>
public interface IWeightSubmitter
{
    /// <summary>Submits one row of u16 weights (scaled so the largest is 65 535) and reports whether it was included and ok.</summary>
    Task<bool> SubmitAsync(ImmutableArray<ushort> uids, ImmutableArray<ushort> weights, CancellationToken cancellationToken = default);
}

/// <summary>Submits weights with <c>set_weights</c> (protocol.md §2.5.6) through <see cref="ChainRpcClient.SignAndSubmitAsync"/>.</summary>
/// <param name="client">The node's RPC client.</param>
/// <param name="hotkey">The validator's hotkey; not disposed here.</param>
/// <param name="netuid">The subnet.</param>
/// <param name="versionKey">The subnet's weights version key.</param>
public sealed class ChainWeightSubmitter(ChainRpcClient client, Ed25519KeyPair hotkey, ushort netuid, ulong versionKey = 0) : IWeightSubmitter
{
    /// <summary>The last submission's status, for diagnostics.</summary>
    public RpcExtrinsicStatus? LastStatus { get; private set; }

    /// <inheritdoc/>
    public async Task<bool> SubmitAsync(ImmutableArray<ushort> uids, ImmutableArray<ushort> weights, CancellationToken cancellationToken = default)
    {
        RpcExtrinsicStatus status = await client.SignAndSubmitAsync(hotkey, new SetWeightsCall(new Netuid(netuid), uids, weights, versionKey), cancellationToken).ConfigureAwait(false);
        LastStatus = status;
        return status.IsIncluded && status.Ok == true;
    }
}

/// <summary>
/// Mixes the markets' weights as <c>w_j = Σ split_m · weight_m,j</c> (storage-proofs.md §6, <c>validator.marketSplit</c>),
/// renormalised over the markets that have weights, scales them to u16 with the largest at 65 535, and submits the row.
/// </summary>
/// <remarks>Thread-safe if its markets and submitter are.</remarks>
public sealed class WeightSetter
{
    private readonly IWeightSubmitter _submitter;
    private readonly List<(IMarketScores Market, double Split)> _markets = [];

    /// <summary>A setter submitting through <paramref name="submitter"/>.</summary>
    public WeightSetter(IWeightSubmitter submitter)
    {
        ArgumentNullException.ThrowIfNull(submitter);
        _submitter = submitter;
    }

    /// <summary>Adds a market with its share (0.5 each for storage and inference by default). Call before the first <see cref="SetAsync"/>.</summary>
    public WeightSetter Add(IMarketScores market, double split)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(split);
        _markets.Add((market, split));
        return this;
    }

    /// <summary>The mixed row, uids ascending, zero weights left out; empty when no market has weights.</summary>
    public (ImmutableArray<ushort> Uids, ImmutableArray<ushort> Weights) Mix()
    {
        SortedDictionary<ushort, double> mixed = [];
        double splits = 0;
        foreach ((IMarketScores market, double split) in _markets)
        {
            IReadOnlyDictionary<ushort, double> weights = market.Weights();
            if (weights.Count == 0)
            {
                continue;
            }

            splits += split;
            foreach ((ushort uid, double weight) in weights)
            {
                mixed[uid] = mixed.GetValueOrDefault(uid) + (split * weight);
            }
        }

        double max = mixed.Count == 0 ? 0 : mixed.Values.Max();
        if (splits <= 0 || max <= 0)
        {
            return ([], []);
        }

        ImmutableArray<ushort>.Builder uids = ImmutableArray.CreateBuilder<ushort>();
        ImmutableArray<ushort>.Builder values = ImmutableArray.CreateBuilder<ushort>();
        foreach ((ushort uid, double weight) in mixed)
        {
            ushort value = (ushort)Math.Round(weight / max * ushort.MaxValue);
            if (value > 0)
            {
                uids.Add(uid);
                values.Add(value);
            }
        }

        return (uids.ToImmutable(), values.ToImmutable());
    }

    /// <summary>Mixes and submits; <see langword="null"/> when there was nothing to set, else whether the chain accepted it.</summary>
    public async Task<bool?> SetAsync(CancellationToken cancellationToken = default)
    {
        (ImmutableArray<ushort> uids, ImmutableArray<ushort> weights) = Mix();
        if (uids.IsEmpty)
        {
            return null;
        }

        return await _submitter.SubmitAsync(uids, weights, cancellationToken).ConfigureAwait(false);
    }
}
