// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Consensus.Epoch;
using Bittensor.Edge.Consensus.FixedPoint;

namespace Bittensor.Edge.Chain.Execution;

/// <summary>
/// Runs <see cref="YumaEpoch.Run"/> on the chain's view of a subnet: builds the <see cref="SubnetState"/> and
/// <see cref="SubnetHyperparameters"/> from the stored neurons and hyperparameters, and maps the result back.
/// The owner's uid 0 is the consensus owner uid (protocol.md §2.5.2).
/// </summary>
internal sealed class YumaEpochRunner : IEpochRunner
{
    public EpochOutput Run(EpochInput input)
    {
        int n = input.Stake.Length;
        SubnetState state = new(n);
        input.Stake.CopyTo(state.Stake);
        input.BlockAtRegistration.CopyTo(state.BlockAtRegistration);
        input.LastUpdate.CopyTo(state.LastUpdate);
        input.ValidatorPermit.CopyTo(state.ValidatorPermit);
        for (int i = 0; i < n; i++)
        {
            state.SetWeights(i, ToSparse(input.Weights[i], n));
            state.SetBonds(i, ToSparse(input.Bonds[i], n));
        }

        EpochResult result = YumaEpoch.Run(state, ToParameters(input.Hyperparameters, input.OwnerUid), input.Block, input.Emission, input.EarliestCommitBlock);
        long[] validatorShare = new long[n];
        ReadOnlySpan<I32F32> shares = result.ValidatorShare;
        RowEntry[][] bonds = new RowEntry[n][];
        for (int i = 0; i < n; i++)
        {
            validatorShare[i] = shares[i].Raw;
            SparseRow row = result.Bonds[i];
            RowEntry[] entries = new RowEntry[row.Count];
            for (int k = 0; k < entries.Length; k++)
            {
                entries[k] = new RowEntry(row.Uids[k], row.Values[k]);
            }

            bonds[i] = entries;
        }

        return new EpochOutput(
            result.Active.ToArray(),
            result.StakeWeight.ToArray(),
            result.Consensus.ToArray(),
            result.Incentive.ToArray(),
            result.Dividends.ToArray(),
            result.ValidatorTrust.ToArray(),
            result.Emission.ToArray(),
            result.ServerEmission.ToArray(),
            validatorShare,
            result.ValidatorPermit.ToArray(),
            bonds);
    }

    internal static SubnetHyperparameters ToParameters(Hyperparameters hp, ushort ownerUid) => new()
    {
        Tempo = hp.Tempo,
        Kappa = (ushort)hp[HyperparameterId.Kappa],
        BondsPenalty = (ushort)hp[HyperparameterId.BondsPenalty],
        BondsMovingAverage = hp[HyperparameterId.BondsMovingAverage],
        Yuma3 = hp[HyperparameterId.Yuma3] != 0,
        LiquidAlpha = hp[HyperparameterId.LiquidAlpha] != 0,
        AlphaLow = (ushort)hp[HyperparameterId.AlphaLow],
        AlphaHigh = (ushort)hp[HyperparameterId.AlphaHigh],
        AlphaSigmoidSteepness = unchecked((short)(ushort)hp[HyperparameterId.AlphaSigmoidSteepness]),
        MaxAllowedValidators = (ushort)hp[HyperparameterId.MaxAllowedValidators],
        ActivityCutoff = hp[HyperparameterId.ActivityCutoff],
        StakeThreshold = hp[HyperparameterId.StakeThreshold],
        OwnerUid = ownerUid,
        BondsReset = hp[HyperparameterId.BondsReset] != 0,
    };

    // Entries for uids at or above n are ignored (consensus.md §3 step 5); stored rows are ascending by uid.
    private static SparseRow ToSparse(RowEntry[] row, int n)
    {
        if (row.Length == 0)
        {
            return SparseRow.Empty;
        }

        ushort[] uids = new ushort[row.Length];
        ushort[] values = new ushort[row.Length];
        int count = 0;
        foreach (RowEntry entry in row)
        {
            if (entry.Uid < n)
            {
                uids[count] = entry.Uid;
                values[count] = entry.Value;
                count++;
            }
        }

        return SparseRow.Create(uids.AsSpan(0, count), values.AsSpan(0, count));
    }
}
