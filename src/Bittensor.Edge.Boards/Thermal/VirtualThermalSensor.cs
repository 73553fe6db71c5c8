// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using UnitsNet;

namespace Bittensor.Edge.Boards.Thermal;

/// <summary>A thermal sensor whose reading is set by the simulator (x64-sim) or a test.</summary>
/// <remarks>
/// Thread-safe. The reading is kept in °C, so NativeAOT callers that use only <see cref="FromCelsius"/>,
/// <see cref="Celsius"/> and <see cref="TryReadCelsius"/> never touch UnitsNet (see <see cref="IThermalSensor"/>).
/// </remarks>
public sealed class VirtualThermalSensor : IThermalSensor
{
    private readonly Lock _lock = new();
    private double? _celsius;

    /// <summary>A sensor reading <paramref name="initial"/>, or failing while it is null.</summary>
    public VirtualThermalSensor(Temperature? initial)
    {
        _celsius = initial?.DegreesCelsius;
    }

    private VirtualThermalSensor()
    {
    }

    /// <summary>The reading; null makes <see cref="TryReadTemperature"/> fail.</summary>
    public Temperature? Temperature
    {
        get => Celsius is { } c ? UnitsNet.Temperature.FromDegreesCelsius(c) : null;
        set => Celsius = value?.DegreesCelsius;
    }

    /// <summary>The reading in °C; null makes the reads fail.</summary>
    public double? Celsius
    {
        get
        {
            lock (_lock)
            {
                return _celsius;
            }
        }

        set
        {
            lock (_lock)
            {
                _celsius = value;
            }
        }
    }

    /// <summary>A sensor reading <paramref name="celsius"/> °C, or failing while it is null.</summary>
    public static VirtualThermalSensor FromCelsius(double? celsius) => new() { Celsius = celsius };

    /// <inheritdoc/>
    public void Start()
    {
    }

    /// <inheritdoc/>
    public bool TryReadTemperature(out Temperature temperature)
    {
        bool ok = TryReadCelsius(out double celsius);
        temperature = ok ? UnitsNet.Temperature.FromDegreesCelsius(celsius) : default;
        return ok;
    }

    /// <inheritdoc/>
    public bool TryReadCelsius(out double celsius)
    {
        double? current = Celsius;
        celsius = current.GetValueOrDefault();
        return current.HasValue;
    }
}
