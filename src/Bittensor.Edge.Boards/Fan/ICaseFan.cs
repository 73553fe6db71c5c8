// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Boards.Thermal;
using UnitsNet;

namespace Bittensor.Edge.Boards.Fan;

/// <summary>
/// A fan the device drives (only the Pi 4's case fan is). Implementations: <see cref="GpioCaseFan"/>,
/// <see cref="VirtualCaseFan"/>. Kernel-driven fans are observed with <see cref="KernelFanObserver"/>.
/// </summary>
/// <remarks>Not thread-safe: the main loop owns it.</remarks>
public interface ICaseFan : IDisposable
{
    /// <summary>Whether the fan runs.</summary>
    bool IsOn { get; }

    /// <summary>Claims the control line, fan off; the first step that touches hardware.</summary>
    void Start();

    /// <summary>Applies the on/off rule to a new reading.</summary>
    /// <returns><see langword="true"/> when the fan switched.</returns>
    bool Update(Temperature temperature, ThermalState state);

    /// <summary>Applies the on/off rule to a new reading in °C (the UnitsNet-free path for NativeAOT callers).</summary>
    /// <returns><see langword="true"/> when the fan switched.</returns>
    bool Update(double celsius, ThermalState state);
}
