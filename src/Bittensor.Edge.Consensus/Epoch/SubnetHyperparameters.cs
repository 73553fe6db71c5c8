// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>
/// The hyperparameters the epoch reads (<c>specs/consensus.md</c> §2), with subtensor's runtime defaults.
/// u16 ratios are value/65535.
/// </summary>
/// <remarks>
/// <para>Immutable; change with <c>with</c> expressions.</para>
/// <para>Scenario replay (<c>specs/consensus-scenario.md</c>) starts from <see cref="ReplayDefaults"/>, which differs
/// from <see cref="Default"/> only in <see cref="MaxAllowedValidators"/> = 64, subtensor's value for new subnets.</para>
/// </remarks>
public sealed record SubnetHyperparameters
{
    /// <summary>subtensor's runtime defaults (<c>max_allowed_validators</c> = 128).</summary>
    public static SubnetHyperparameters Default { get; } = new();

    /// <summary>The defaults of scenario replay: <see cref="Default"/> with <c>max_allowed_validators</c> = 64.</summary>
    public static SubnetHyperparameters ReplayDefaults { get; } = new() { MaxAllowedValidators = 64 };

    /// <summary>Epoch period in blocks (§7); also sets the recently-registered bond mask (§3.10). Default 360.</summary>
    public ushort Tempo { get; init; } = 360;

    /// <summary>Stake share that must support a consensus weight (§3.6). Default 32767 (≈ 0.5).</summary>
    public ushort Kappa { get; init; } = 32767;

    /// <summary>How much bonds follow clipped weights (§3.9). Default 65535 (= 1).</summary>
    public ushort BondsPenalty { get; init; } = 65535;

    /// <summary>EMA memory, alpha = 1 − value/10^6; at most 10^6. Default 900000.</summary>
    public ulong BondsMovingAverage { get; init; } = 900_000;

    /// <summary>Yuma3 bonds (§3.12) instead of Yuma2 (§3.11). Default false (new subnets: true).</summary>
    public bool Yuma3 { get; init; }

    /// <summary>Per-bond alpha from the sigmoid (Yuma3 only). Default false.</summary>
    public bool LiquidAlpha { get; init; }

    /// <summary>Lower end of the liquid-alpha range. Default 45875 (≈ 0.7).</summary>
    public ushort AlphaLow { get; init; } = 45875;

    /// <summary>Upper end of the liquid-alpha range. Default 58982 (≈ 0.9).</summary>
    public ushort AlphaHigh { get; init; } = 58982;

    /// <summary>Steepness of the liquid-alpha sigmoid. Default 1000.</summary>
    public short AlphaSigmoidSteepness { get; init; } = 1000;

    /// <summary>Number of validator permits (§3.3). Default 128 (new subnets and replay: 64).</summary>
    public ushort MaxAllowedValidators { get; init; } = 128;

    /// <summary>Blocks after which a validator's weights make it inactive (§3.1). Default 5000.</summary>
    public ulong ActivityCutoff { get; init; } = 5000;

    /// <summary>Raw stake below this counts as zero, except for the owner (§3.2). Default 0.</summary>
    public ulong StakeThreshold { get; init; }

    /// <summary>The uid of the subnet owner's hotkey, if registered. Default none.</summary>
    public int? OwnerUid { get; init; }

    /// <summary>Whether <c>reset_bonds</c> does anything (§6). Default false.</summary>
    public bool BondsReset { get; init; }
}
