// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core;
using UnitsNet;

namespace Bittensor.Edge.Boards.Thermal;

/// <summary>
/// Samples a sensor every <see cref="SamplePeriod"/> on an <see cref="IClock"/> and runs the policy
/// (specs/fleet.md §2: thermal sampling every 5 s from the 1 s main loop).
/// </summary>
/// <remarks>
/// A failed read leaves the state as it was (a sensor that vanishes must not cool the device down on
/// paper) and is counted in <see cref="FailedReads"/>. Not thread-safe: the main loop calls <see cref="Tick"/>.
/// It does not own the sensor.
/// </remarks>
public sealed class ThermalMonitor
{
    /// <summary>Time between samples.</summary>
    public static readonly TimeSpan SamplePeriod = TimeSpan.FromSeconds(5);

    private readonly IThermalSensor _sensor;
    private readonly ThermalPolicy _policy;
    private readonly IClock _clock;
    private TimeSpan? _lastSample;

    /// <summary>A monitor over a started <paramref name="sensor"/>.</summary>
    public ThermalMonitor(IThermalSensor sensor, ThermalPolicy policy, IClock clock)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(clock);
        _sensor = sensor;
        _policy = policy;
        _clock = clock;
    }

    /// <summary>The policy state.</summary>
    public ThermalState State => _policy.State;

    /// <summary>The last good reading, or null before the first.</summary>
    public Temperature? LastTemperature => LastCelsius is { } c ? Temperature.FromDegreesCelsius(c) : null;

    /// <summary>The last good reading in °C, or null before the first (the UnitsNet-free path for NativeAOT callers).</summary>
    public double? LastCelsius { get; private set; }

    /// <summary>Reads that failed since start.</summary>
    public long FailedReads { get; private set; }

    /// <summary>Samples when a period has passed since the last sample (the first call always samples).</summary>
    /// <returns><see langword="true"/> when the state changed.</returns>
    public bool Tick()
    {
        TimeSpan now = _clock.Elapsed;
        if (_lastSample is { } last && now - last < SamplePeriod)
        {
            return false;
        }

        _lastSample = now;
        if (!_sensor.TryReadCelsius(out double celsius))
        {
            FailedReads++;
            return false;
        }

        LastCelsius = celsius;
        ThermalState before = _policy.State;
        return _policy.Update(celsius) != before;
    }
}
