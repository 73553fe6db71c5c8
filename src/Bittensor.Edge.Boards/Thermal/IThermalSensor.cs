// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using UnitsNet;

namespace Bittensor.Edge.Boards.Thermal;

/// <summary>
/// The board temperature the policy uses: the highest of its <c>soc</c>, <c>gpu</c> and <c>junction</c> zones.
/// Implementations: <see cref="SysfsThermalSensor"/> on devices, <see cref="VirtualThermalSensor"/> in the simulator.
/// </summary>
public interface IThermalSensor
{
    /// <summary>Finds the zones; the first step that touches hardware. Call once before reading.</summary>
    void Start();

    /// <summary>Reads the hottest zone.</summary>
    /// <returns><see langword="false"/> when no zone could be read.</returns>
    bool TryReadTemperature(out Temperature temperature);

    /// <summary>
    /// Reads the hottest zone in °C. The same reading as <see cref="TryReadTemperature"/>; NativeAOT callers (bte-miner) use the °C members: UnitsNet's <see cref="Temperature"/> has a static
/// constructor that registers every quantity's conversions, and a binary that touches it grows by about 6 MB.
    /// </summary>
    /// <returns><see langword="false"/> when no zone could be read.</returns>
    bool TryReadCelsius(out double celsius);
}
