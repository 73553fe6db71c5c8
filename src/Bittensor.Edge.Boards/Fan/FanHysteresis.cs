// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Boards.Thermal;
using UnitsNet;

namespace Bittensor.Edge.Boards.Fan;

/// <summary>
/// The on/off rule of a driven fan (specs/fleet.md §2, Fans): on at <c>onC</c>, off at <c>offC</c>, unchanged
/// in between, and forced on while the thermal state is <see cref="ThermalState.Warm"/> or hotter.
/// </summary>
public readonly record struct FanHysteresis
{
    /// <summary>A rule switching on at <paramref name="onC"/> °C and off at <paramref name="offC"/> °C.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offC"/> is not below <paramref name="onC"/>.</exception>
    public FanHysteresis(double onC, double offC)
    {
        if (!(offC < onC))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(offC), offC, "The off temperature must be below the on temperature.");
        }

        OnC = onC;
        OffC = offC;
    }

    /// <summary>On at or above this °C.</summary>
    public double OnC { get; }

    /// <summary>Off at or below this °C.</summary>
    public double OffC { get; }

    /// <summary>Whether the fan should run, given whether it runs now.</summary>
    public bool ShouldRun(bool isOn, Temperature temperature, ThermalState state) => ShouldRun(isOn, temperature.DegreesCelsius, state);

    /// <summary>Whether the fan should run at <paramref name="celsius"/> °C, given whether it runs now.</summary>
    public bool ShouldRun(bool isOn, double celsius, ThermalState state)
    {
        if (state >= ThermalState.Warm)
        {
            return true;
        }

        return celsius >= OnC || (celsius > OffC && isOn);
    }
}
