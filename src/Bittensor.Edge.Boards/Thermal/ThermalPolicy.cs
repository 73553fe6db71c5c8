// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using UnitsNet;

namespace Bittensor.Edge.Boards.Thermal;

/// <summary>
/// The warm/hot/critical policy with hysteresis (specs/fleet.md §2): a state is entered as soon as its
/// threshold is reached, and left only when the temperature falls <c>hysteresis</c> below that threshold.
/// </summary>
/// <remarks>Not thread-safe: one owner (the main loop) calls <see cref="Update(double)"/>.</remarks>
public sealed class ThermalPolicy
{
    private readonly double _warmC;
    private readonly double _hotC;
    private readonly double _criticalC;
    private readonly double _hysteresisC;

    /// <summary>A policy in state <see cref="ThermalState.Normal"/> with a profile's thresholds.</summary>
    /// <exception cref="ArgumentException">The thresholds are not warm &lt; hot &lt; critical with 0 &lt; hysteresis &lt; warm.</exception>
    public ThermalPolicy(BoardThermalPolicy thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        if (!(thresholds.Hysteresis > 0 && thresholds.Hysteresis < thresholds.Warm && thresholds.Warm < thresholds.Hot && thresholds.Hot < thresholds.Critical))
        {
            ThrowHelper.ThrowArgument(nameof(thresholds), "Thresholds must satisfy 0 < hysteresis < warm < hot < critical.");
        }

        _warmC = thresholds.Warm;
        _hotC = thresholds.Hot;
        _criticalC = thresholds.Critical;
        _hysteresisC = thresholds.Hysteresis;
    }

    /// <summary>The current state.</summary>
    public ThermalState State { get; private set; }

    /// <summary>Moves the state for a new reading and returns it.</summary>
    public ThermalState Update(Temperature temperature) => Update(temperature.DegreesCelsius);

    /// <summary>Moves the state for a new reading in °C and returns it (the UnitsNet-free path for NativeAOT callers).</summary>
    public ThermalState Update(double celsius)
    {
        double c = celsius;
        ThermalState reached = c >= _criticalC ? ThermalState.Critical
            : c >= _hotC ? ThermalState.Hot
            : c >= _warmC ? ThermalState.Warm
            : ThermalState.Normal;

        if (reached >= State)
        {
            State = reached;
            return State;
        }

        // Step down one state at a time, each only once the reading is a hysteresis below its threshold.
        while (State > reached && c <= Threshold(State) - _hysteresisC)
        {
            State--;
        }

        return State;
    }

    private double Threshold(ThermalState state) => state switch
    {
        ThermalState.Critical => _criticalC,
        ThermalState.Hot => _hotC,
        _ => _warmC,
    };
}
