// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.Epoch;

namespace Bittensor.Edge.Consensus.Scenarios;

/// <summary>One entry of a scenario's <c>epochs</c>: its block, optional emission override and events.</summary>
internal sealed record ScenarioEpoch(int Index, ulong Block, ulong? RaoEmission, IReadOnlyList<ScenarioEvent> Events);

internal enum ScenarioEventKind
{
    SetWeights,
    SetStake,
    Register,
    ResetBonds,
    SetParams,
}

/// <summary>One event (<c>specs/consensus-scenario.md</c>, Events); <see cref="Path"/> is its JSON path for errors.</summary>
internal sealed record ScenarioEvent(ScenarioEventKind Kind, string Path, ulong Block, int Uid)
{
    public SparseRow Row { get; init; } = SparseRow.Empty;

    public ulong Stake { get; init; }

    public ParamPatch? Params { get; init; }
}

/// <summary>The keys of a <c>params</c> object that were present; applied on top of the current parameters.</summary>
internal sealed class ParamPatch
{
    public ushort? Tempo { get; set; }

    public ushort? Kappa { get; set; }

    public ushort? BondsPenalty { get; set; }

    public ulong? BondsMovingAverage { get; set; }

    public bool? Yuma3 { get; set; }

    public bool? LiquidAlpha { get; set; }

    public ushort? AlphaLow { get; set; }

    public ushort? AlphaHigh { get; set; }

    public short? AlphaSigmoidSteepness { get; set; }

    public ushort? MaxAllowedValidators { get; set; }

    public ulong? ActivityCutoff { get; set; }

    public ulong? StakeThreshold { get; set; }

    public bool HasOwnerUid { get; set; }

    public int? OwnerUid { get; set; }

    public bool? BondsReset { get; set; }

    public ulong? RaoEmission { get; set; }

    public SubnetHyperparameters Apply(SubnetHyperparameters p) => p with
    {
        Tempo = Tempo ?? p.Tempo,
        Kappa = Kappa ?? p.Kappa,
        BondsPenalty = BondsPenalty ?? p.BondsPenalty,
        BondsMovingAverage = BondsMovingAverage ?? p.BondsMovingAverage,
        Yuma3 = Yuma3 ?? p.Yuma3,
        LiquidAlpha = LiquidAlpha ?? p.LiquidAlpha,
        AlphaLow = AlphaLow ?? p.AlphaLow,
        AlphaHigh = AlphaHigh ?? p.AlphaHigh,
        AlphaSigmoidSteepness = AlphaSigmoidSteepness ?? p.AlphaSigmoidSteepness,
        MaxAllowedValidators = MaxAllowedValidators ?? p.MaxAllowedValidators,
        ActivityCutoff = ActivityCutoff ?? p.ActivityCutoff,
        StakeThreshold = StakeThreshold ?? p.StakeThreshold,
        OwnerUid = HasOwnerUid ? OwnerUid : p.OwnerUid,
        BondsReset = BondsReset ?? p.BondsReset,
    };
}
