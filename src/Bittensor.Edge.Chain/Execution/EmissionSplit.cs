// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Primitives;

namespace Bittensor.Edge.Chain.Execution;

/// <summary>The per-block emission split and the block's mint (consensus.md §8, specs/protocol.md §2.2).</summary>
public static class EmissionSplit
{
    /// <summary>
    /// Splits a subnet's block emission <paramref name="emission"/> into the owner, server and validator pools with
    /// 32 fraction bits: <c>cut = (11796 &lt;&lt; 32) / 65535</c>, <c>owner = a·cut</c>, <c>rest = (a &lt;&lt; 32) − owner</c>,
    /// <c>server = rest &gt;&gt; 1</c>; the pools get <c>owner &gt;&gt; 32</c>, <c>server &gt;&gt; 32</c> and the rest of <c>a</c>.
    /// </summary>
    public static (Rao Owner, Rao Server, Rao Validator) SplitBlockEmission(Rao emission)
    {
        UInt128 a = emission.Value;
        UInt128 cut = ((UInt128)ChainConstants.SubnetOwnerCut << 32) / 65535;
        UInt128 owner = a * cut;
        UInt128 rest = (a << 32) - owner;
        UInt128 server = rest >> 1;
        ulong ownerRao = (ulong)(owner >> 32);
        ulong serverRao = (ulong)(server >> 32);
        return (new Rao(ownerRao), new Rao(serverRao), new Rao(emission.Value - ownerRao - serverRao));
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
        Rao[] amounts = new Rao[shares.Length];
        UInt128 total = 0;
        foreach (long share in shares)
        {
            total += (UInt128)(ulong)Math.Max(share, 0);
        }

        if (total == 0)
        {
            carried = pool;
            return amounts;
        }

        ulong paid = 0;
        for (int i = 0; i < shares.Length; i++)
        {
            ulong amount = (ulong)((UInt128)pool.Value * (ulong)Math.Max(shares[i], 0) / total);
            amounts[i] = new Rao(amount);
            paid += amount;
        }

        carried = new Rao(pool.Value - paid);
        return amounts;
    }
}
