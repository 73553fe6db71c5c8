// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Edge.Chain.State;

/// <summary>Hyperparameter ids of specs/protocol.md §2.3 (the <c>u16</c> of set_hyperparameter).</summary>
public enum HyperparameterId
{
    /// <summary>Epoch period in blocks (consensus.md §7).</summary>
    Tempo = 0,

    /// <summary>The most uids on the subnet.</summary>
    MaxAllowedUids = 1,

    /// <summary>Validator permits per epoch.</summary>
    MaxAllowedValidators = 2,

    /// <summary>Blocks a new uid is immune from pruning.</summary>
    ImmunityPeriod = 3,

    /// <summary>Blocks after which weights make a validator inactive.</summary>
    ActivityCutoff = 4,

    /// <summary>The fewest weights a set_weights may carry.</summary>
    MinAllowedWeights = 5,

    /// <summary>The largest share of one weight, as a u16 proportion.</summary>
    MaxWeightLimit = 6,

    /// <summary>Blocks between two set_weights (or commits) of one neuron.</summary>
    WeightsSetRateLimit = 7,

    /// <summary>The lowest accepted weights version key.</summary>
    WeightsVersionKey = 8,

    /// <summary>Whether weights go through commit-reveal (bool).</summary>
    CommitRevealEnabled = 9,

    /// <summary>Epochs between a commit and its reveal.</summary>
    RevealPeriodEpochs = 10,

    /// <summary>Blocks between two serve_axon of one neuron.</summary>
    ServingRateLimit = 11,

    /// <summary>Whether burned_register is open (bool).</summary>
    RegistrationAllowed = 12,

    /// <summary>The burn price floor, in rao.</summary>
    MinBurn = 13,

    /// <summary>The burn price ceiling, in rao.</summary>
    MaxBurn = 14,

    /// <summary>Consensus kappa (u16 proportion).</summary>
    Kappa = 15,

    /// <summary>Bonds penalty (u16 proportion).</summary>
    BondsPenalty = 16,

    /// <summary>Bonds moving average (per million).</summary>
    BondsMovingAverage = 17,

    /// <summary>Yuma3 bonds (bool).</summary>
    Yuma3 = 18,

    /// <summary>Liquid alpha (bool).</summary>
    LiquidAlpha = 19,

    /// <summary>Liquid alpha lower bound (u16 proportion).</summary>
    AlphaLow = 20,

    /// <summary>Liquid alpha upper bound (u16 proportion).</summary>
    AlphaHigh = 21,

    /// <summary>Liquid alpha sigmoid steepness (i16 as two's complement in the low 16 bits).</summary>
    AlphaSigmoidSteepness = 22,

    /// <summary>Stake below this counts as zero in the epoch.</summary>
    StakeThreshold = 23,

    /// <summary>Whether bond reset is allowed (bool).</summary>
    BondsReset = 24,
}

/// <summary>
/// The hyperparameters of one subnet: a <c>u64</c> per id of §2.3, with the defaults for a new subnet and the
/// bounds that set_hyperparameter enforces (§2.5.8).
/// </summary>
/// <remarks>
/// Not thread-safe; values are copied in and out of the state, so mutating one does not change the chain.
/// Bounds (a consensus rule, chosen where §2.5.8 gives only examples): tempo 10..50 400;
/// max_allowed_uids max(1, n, max_allowed_validators)..256; max_allowed_validators ≤ max_allowed_uids;
/// immunity_period, activity_cutoff, min_allowed_weights, max_weight_limit, kappa, bonds_penalty ≤ 65 535;
/// weights_set_rate_limit and serving_rate_limit ≤ 50 400; reveal_period_epochs 1..100; bools 0 or 1;
/// min_burn ≤ max_burn ≤ 21·10^15 rao; bonds_moving_average ≤ 10^6; 1 638 ≤ alpha_low ≤ alpha_high ≤ 65 535;
/// alpha_sigmoid_steepness ≤ 0xFFFF; weights_version_key and stake_threshold any value.
/// </remarks>
public sealed class Hyperparameters
{
    /// <summary>How many ids there are (0..24).</summary>
    public const int Count = 25;

    private static readonly ulong[] s_defaults =
    [
        360, 256, 64, 5000, 5000, 1, 65535, 100, 0, 0, 1, 50, 1, 500_000, 100 * ChainConstants.RaoPerTao,
        32767, 65535, 900_000, 1, 0, 45875, 58982, 1000, 0, 0,
    ];

    private static readonly string[] s_names =
    [
        "tempo", "max_allowed_uids", "max_allowed_validators", "immunity_period", "activity_cutoff",
        "min_allowed_weights", "max_weight_limit", "weights_set_rate_limit", "weights_version_key",
        "commit_reveal_enabled", "reveal_period_epochs", "serving_rate_limit", "registration_allowed",
        "min_burn", "max_burn", "kappa", "bonds_penalty", "bonds_moving_average", "yuma3", "liquid_alpha",
        "alpha_low", "alpha_high", "alpha_sigmoid_steepness", "stake_threshold", "bonds_reset",
    ];

    // The largest value each id's type can hold (u16, bool or u64), which even the genesis must respect;
    // bonds_moving_average is per million, and the epoch refuses more than 10^6.
    private static readonly ulong[] s_typeMax =
    [
        ushort.MaxValue, ushort.MaxValue, ushort.MaxValue, ulong.MaxValue, ulong.MaxValue, ushort.MaxValue,
        ushort.MaxValue, ulong.MaxValue, ulong.MaxValue, 1, ulong.MaxValue, ulong.MaxValue, 1, ulong.MaxValue,
        ulong.MaxValue, ushort.MaxValue, ushort.MaxValue, 1_000_000, 1, 1, ushort.MaxValue, ushort.MaxValue,
        ushort.MaxValue, ulong.MaxValue, 1,
    ];

    private readonly ulong[] _values;

    /// <summary>A set with every default of §2.3.</summary>
    public Hyperparameters()
    {
        _values = (ulong[])s_defaults.Clone();
    }

    private Hyperparameters(ulong[] values)
    {
        _values = values;
    }

    /// <summary>The value of <paramref name="id"/>.</summary>
    public ulong this[HyperparameterId id]
    {
        get => _values[(int)id];
        set => _values[(int)id] = value;
    }

    /// <summary>Epoch period.</summary>
    public ushort Tempo => (ushort)_values[(int)HyperparameterId.Tempo];

    /// <summary>The most uids.</summary>
    public ushort MaxAllowedUids => (ushort)_values[(int)HyperparameterId.MaxAllowedUids];

    /// <summary>A copy.</summary>
    public Hyperparameters Clone() => new((ulong[])_values.Clone());

    /// <summary>The default value of <paramref name="id"/>.</summary>
    public static ulong DefaultOf(HyperparameterId id) => s_defaults[(int)id];

    /// <summary>The §2.3 name of <paramref name="id"/>, such as <c>tempo</c>.</summary>
    public static string NameOf(HyperparameterId id) => s_names[(int)id];

    /// <summary>Whether <paramref name="id"/> is a known id (0..24).</summary>
    public static bool IsKnown(ushort id) => id < Count;

    /// <summary>Finds the id named <paramref name="name"/> (§2.3 snake_case).</summary>
    public static bool TryGetId(ReadOnlySpan<char> name, out HyperparameterId id)
    {
        for (int i = 0; i < s_names.Length; i++)
        {
            if (name.SequenceEqual(s_names[i]))
            {
                id = (HyperparameterId)i;
                return true;
            }
        }

        id = default;
        return false;
    }

    /// <summary>Whether <paramref name="value"/> fits the type of <paramref name="id"/> (the genesis rule).</summary>
    public static bool FitsType(HyperparameterId id, ulong value) => value <= s_typeMax[(int)id];

    /// <summary>
    /// Whether set_hyperparameter may set <paramref name="id"/> to <paramref name="value"/>, given the subnet's
    /// current values and its neuron count <paramref name="n"/> (the bounds in the type's remarks).
    /// </summary>
    [SuppressMessage("Style", "IDE0066:Convert switch statement to expression", Justification = "One bound per line reads better.")]
    public bool IsWithinBounds(HyperparameterId id, ulong value, int n)
    {
        if (!FitsType(id, value))
        {
            return false;
        }

        switch (id)
        {
            case HyperparameterId.Tempo:
                return value is >= 10 and <= 50_400;
            case HyperparameterId.MaxAllowedUids:
                return value >= 1 && value <= 256 && value >= (ulong)n && value >= this[HyperparameterId.MaxAllowedValidators];
            case HyperparameterId.MaxAllowedValidators:
                return value <= this[HyperparameterId.MaxAllowedUids];
            case HyperparameterId.ImmunityPeriod:
            case HyperparameterId.ActivityCutoff:
                return value <= ushort.MaxValue;
            case HyperparameterId.WeightsSetRateLimit:
            case HyperparameterId.ServingRateLimit:
                return value <= 50_400;
            case HyperparameterId.RevealPeriodEpochs:
                return value is >= 1 and <= 100;
            case HyperparameterId.MinBurn:
                return value <= this[HyperparameterId.MaxBurn];
            case HyperparameterId.MaxBurn:
                return value >= this[HyperparameterId.MinBurn] && value <= 21_000_000 * ChainConstants.RaoPerTao;
            case HyperparameterId.BondsMovingAverage:
                return value <= 1_000_000;
            case HyperparameterId.AlphaLow:
                return value >= 1638 && value <= this[HyperparameterId.AlphaHigh];
            case HyperparameterId.AlphaHigh:
                return value >= this[HyperparameterId.AlphaLow] && value >= 1638;
            default:
                return true;
        }
    }

    internal void Encode(ref Core.Serialization.SpanWriter writer)
    {
        writer.WriteCount(Count);
        foreach (ulong value in _values)
        {
            writer.WriteU64(value);
        }
    }

    internal static Hyperparameters Decode(ref Core.Serialization.SpanReader reader)
    {
        int count = reader.ReadCount(sizeof(ulong), Count);
        if (count != Count)
        {
            ThrowHelper.ThrowEncoding($"A subnet stores {Count} hyperparameters, not {count}.", reader.Position);
        }

        ulong[] values = new ulong[Count];
        for (int i = 0; i < Count; i++)
        {
            values[i] = reader.ReadU64();
        }

        return new Hyperparameters(values);
    }
}
