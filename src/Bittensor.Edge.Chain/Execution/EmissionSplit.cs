// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Consensus.FixedPoint;
using ConsensusSplit = Bittensor.Edge.Consensus.Epoch.EmissionSplit;

namespace Bittensor.Edge.Chain.Execution;

/// <summary>
/// The per-block emission split and the block's mint (consensus.md §8, specs/protocol.md §2.2), in <see cref="Rao"/>;
/// the split and the validator payout are Bittensor.Edge.Consensus's, so chain and gateway pool split agree.
/// </summary>
public static class EmissionSplit
{
    /// <summary>
    /// Splits a subnet's block emission <paramref name="emission"/> into the owner, server and validator pools with
    /// 32 fraction bits: <c>cut = (11796 &lt;&lt; 32) / 65535</c>, <c>owner = a·cut</c>, <c>rest = (a &lt;&lt; 32) − owner</c>,
    /// <c>server = rest &gt;&gt; 1</c>; the pools get <c>owner &gt;&gt; 32</c>, <c>server &gt;&gt; 32</c> and the rest of <c>a</c>.
    /// </summary>
    public static (Rao Owner, Rao Server, Rao Validator) SplitBlockEmission(Rao emission)
    {
        Consensus.Epoch.BlockEmissionSplit split = ConsensusSplit.SplitBlock(emission.Value);
        return (new Rao(split.Owner), new Rao(split.Server), new Rao(split.Validator));
    }

    /// <summary>
    /// Shares <see cref="ChainConstants.BlockEmission"/> equally over <paramref name="subnetCount"/> subnets; the
    /// first (lowest netuid) also gets the remainder. Returns (share, share of the first).
    /// </summary>
    public static (Rao Share, Rao FirstShare) ShareBlockEmission(int subnetCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(subnetCount);
        ulong share = ChainConstants.BlockEmission / (ulong)subnetCount;
        ulong remainder = ChainConstants.BlockEmission % (ulong)subnetCount;
        return (new Rao(share), new Rao(share + remainder));
    }

    /// <summary>
    /// The validators' payouts from pool <paramref name="pool"/>: <c>floor(V · share_i / Σ share)</c> in u128, and the
    /// remainder to carry; with <c>Σ share = 0</c> nothing is paid and all of V is carried.
    /// </summary>
    public static Rao[] SplitValidatorPool(Rao pool, ReadOnlySpan<long> shares, out Rao carried)
    {
        I32F32[] raw = new I32F32[shares.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            raw[i] = new I32F32(shares[i]);
        }

        ulong[] amounts = new ulong[shares.Length];
        carried = new Rao(ConsensusSplit.PayValidators(pool.Value, [], raw, amounts));
        Rao[] result = new Rao[amounts.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = new Rao(amounts[i]);
        }

        return result;
    }
}
