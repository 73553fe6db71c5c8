// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Chain.Execution;

/// <summary>
/// Weight, burn and schedule arithmetic of the chain (consensus.md §4, §7; protocol.md §2.5.3, §2.5.7); upscaling and
/// the epoch schedule are Bittensor.Edge.Consensus's own functions.
/// </summary>
public static class WeightsMath
{
    /// <summary>
    /// Max-upscales <paramref name="values"/> in place with subtensor's I32F32 rule: with <c>m = max</c>, all
    /// zero stays zero; <c>m &gt; 32768</c>: <c>round(v · div(fix(65535), fix(m)))</c>; otherwise
    /// <c>round(div(fix(v·65535), fix(m)))</c>; each clamped to 65535. <c>[43690, 21845] → [65535, 32768]</c>.
    /// </summary>
    public static void MaxUpscale(Span<ushort> values)
    {
        ushort[] scaled = Consensus.Epoch.WeightUpscale.MaxUpscale(values);
        scaled.CopyTo(values);
    }

    /// <summary>The burn after one block of decay: <c>max(min_burn, (burn · 4286705684) &gt;&gt; 32)</c> in u128 (§2.5.3).</summary>
    public static ulong DecayBurn(ulong burn, ulong minBurn)
    {
        UInt128 product = (UInt128)burn * ChainConstants.BurnDecayFactor;
        ulong decayed = (ulong)(product >> 32);
        return Math.Max(minBurn, decayed);
    }

    /// <summary>The burn after a registration: <c>min(max_burn, burn · 126 / 100)</c> in integers (§2.5.3).</summary>
    public static ulong RaiseBurn(ulong burn, ulong maxBurn)
    {
        UInt128 raised = (UInt128)burn * 126 / 100;
        return raised > maxBurn ? maxBurn : (ulong)raised;
    }

    /// <summary><c>epoch(b) = (b + netuid + 1) / (tempo + 1)</c> (§2.5.7).</summary>
    public static ulong EpochIndex(ulong block, ushort netuid, ushort tempo) => (block + netuid + 1) / ((ulong)tempo + 1);

    /// <summary>Whether subnet <paramref name="netuid"/> runs its epoch in <paramref name="block"/> (consensus.md §7).</summary>
    public static bool IsEpochBlock(ulong block, ushort netuid, ushort tempo) =>
        Consensus.Epoch.EpochSchedule.IsEpochBlock(block, netuid, tempo);

    /// <summary>
    /// The first block at or after <paramref name="block"/> in which the subnet's epoch runs (<c>nextEpochBlock</c> of
    /// <c>subnet_getInfo</c>); <see langword="null"/> when tempo is 0.
    /// </summary>
    public static ulong? NextEpochBlock(ulong block, ushort netuid, ushort tempo)
    {
        if (tempo == 0)
        {
            return null;
        }

        ulong period = (ulong)tempo + 1;
        ulong position = (block + netuid + 1) % period;
        return block + ((tempo + period - position) % period);
    }

    /// <summary>
    /// The blocks in which a commit made in <paramref name="commitBlock"/> may be revealed: every block whose
    /// <see cref="EpochIndex"/> equals the commit's plus <paramref name="revealPeriodEpochs"/> (§2.5.7).
    /// </summary>
    public static (ulong First, ulong Last) RevealWindow(ulong commitBlock, ushort netuid, ushort tempo, ulong revealPeriodEpochs)
    {
        ulong period = (ulong)tempo + 1;
        ulong target = EpochIndex(commitBlock, netuid, tempo) + revealPeriodEpochs;

        // epoch(b) = (b + netuid + 1) / period = target  ⇔  target·period − netuid − 1 ≤ b ≤ (target + 1)·period − netuid − 2.
        ulong first = (target * period) - netuid - 1;
        ulong last = ((target + 1) * period) - netuid - 2;
        return (first, last);
    }
}
