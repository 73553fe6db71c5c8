// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Boards.Sysfs;
using UnitsNet;

namespace Bittensor.Edge.Boards.Thermal;

/// <summary>
/// Reads <c>class/thermal/thermal_zone*/temp</c> (m°C) under a sysfs root, for the zones whose <c>type</c>
/// a profile lists; zone numbers change between kernels, so zones are found by type in <see cref="Start"/>.
/// </summary>
/// <remarks>
/// The temperature is the highest of the zones that read; a zone that fails is skipped, and only when
/// none reads does <see cref="TryReadTemperature"/> return <see langword="false"/>. Holds no handles, so
/// it is not disposable. Not thread-safe during <see cref="Start"/>; reads may then run on any thread.
/// </remarks>
public sealed class SysfsThermalSensor : IThermalSensor
{
    private readonly string _sysfsRoot;
    private readonly IReadOnlyList<BoardThermalZone> _zones;
    private string[]? _tempFiles;

    /// <summary>A sensor for <paramref name="zones"/> under <paramref name="sysfsRoot"/> (<c>/sys</c> on a device).</summary>
    public SysfsThermalSensor(string sysfsRoot, IReadOnlyList<BoardThermalZone> zones)
    {
        ArgumentException.ThrowIfNullOrEmpty(sysfsRoot);
        ArgumentNullException.ThrowIfNull(zones);
        _sysfsRoot = sysfsRoot;
        _zones = zones;
    }

    /// <summary>The zone types found by <see cref="Start"/>, in profile order.</summary>
    public IReadOnlyList<string> ResolvedZoneTypes { get; private set; } = [];

    /// <inheritdoc/>
    public void Start()
    {
        string classDir = Path.Combine(_sysfsRoot, "class", "thermal");
        List<string> files = [];
        List<string> types = [];
        foreach (BoardThermalZone zone in _zones)
        {
            if (SysfsFiles.TryFindByContent(classDir, "thermal_zone", "type", zone.Type, out string? dir))
            {
                files.Add(Path.Combine(dir, "temp"));
                types.Add(zone.Type);
            }
        }

        _tempFiles = [.. files];
        ResolvedZoneTypes = types;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException"><see cref="Start"/> was not called.</exception>
    public bool TryReadTemperature(out Temperature temperature)
    {
        bool any = TryReadCelsius(out double celsius);
        temperature = any ? Temperature.FromDegreesCelsius(celsius) : default;
        return any;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException"><see cref="Start"/> was not called.</exception>
    public bool TryReadCelsius(out double celsius)
    {
        string[]? files = _tempFiles;
        if (files is null)
        {
            ThrowHelper.ThrowInvalidOperation("Call Start before reading.");
        }

        bool any = false;
        long hottest = long.MinValue;
        foreach (string file in files)
        {
            if (SysfsFiles.TryReadInt64(file, out long milliCelsius))
            {
                any = true;
                hottest = Math.Max(hottest, milliCelsius);
            }
        }

        celsius = any ? hottest / 1000.0 : 0;
        return any;
    }
}
