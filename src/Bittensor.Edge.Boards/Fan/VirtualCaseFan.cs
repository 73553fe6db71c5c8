// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Boards.Thermal;
using UnitsNet;

namespace Bittensor.Edge.Boards.Fan;

/// <summary>A simulated driven fan (x64-sim) applying the same rule as <see cref="GpioCaseFan"/>.</summary>
/// <remarks>Not thread-safe. Owns nothing; <see cref="Dispose"/> only switches it off.</remarks>
public sealed class VirtualCaseFan : ICaseFan
{
    private readonly FanHysteresis _rule;

    /// <summary>A fan following <paramref name="rule"/>.</summary>
    public VirtualCaseFan(FanHysteresis rule)
    {
        _rule = rule;
    }

    /// <inheritdoc/>
    public bool IsOn { get; private set; }

    /// <summary>Times the fan switched.</summary>
    public int Switches { get; private set; }

    /// <inheritdoc/>
    public void Start() => IsOn = false;

    /// <inheritdoc/>
    public bool Update(Temperature temperature, ThermalState state) => Update(temperature.DegreesCelsius, state);

    /// <inheritdoc/>
    public bool Update(double celsius, ThermalState state)
    {
        bool run = _rule.ShouldRun(IsOn, celsius, state);
        if (run == IsOn)
        {
            return false;
        }

        IsOn = run;
        Switches++;
        return true;
    }

    /// <inheritdoc/>
    public void Dispose() => IsOn = false;
}
