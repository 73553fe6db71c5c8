// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using UnitsNet;

namespace Bittensor.Edge.Boards.Thermal;

/// <summary>A thermal sensor whose reading is set by the simulator (x64-sim) or a test.</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class VirtualThermalSensor : IThermalSensor
{
    private readonly Lock _lock = new();
    private Temperature? _temperature;

    /// <summary>A sensor reading <paramref name="initial"/>, or failing while it is null.</summary>
    public VirtualThermalSensor(Temperature? initial)
    {
        _temperature = initial;
    }

    /// <summary>The reading; null makes <see cref="TryReadTemperature"/> fail.</summary>
    public Temperature? Temperature
    {
        get
        {
            lock (_lock)
            {
                return _temperature;
            }
        }

        set
        {
            lock (_lock)
            {
                _temperature = value;
            }
        }
    }

    /// <inheritdoc/>
    public void Start()
    {
    }

    /// <inheritdoc/>
    public bool TryReadTemperature(out Temperature temperature)
    {
        Temperature? current = Temperature;
        temperature = current.GetValueOrDefault();
        return current.HasValue;
    }
}
