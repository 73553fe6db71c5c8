// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Boards.Sysfs;

namespace Bittensor.Edge.Boards.Fan;

/// <summary>
/// Observes a kernel-driven fan (Pi 5 Active Cooler, Jetson) through hwmon <c>&lt;name&gt;</c> under a sysfs root:
/// <c>pwm1</c> (0–255) and, when present, <c>fan1_input</c> (RPM). It never writes: the kernel drives these fans.
/// </summary>
/// <remarks>Holds no handles. Thread-safe after <see cref="TryStart"/>.</remarks>
public sealed class KernelFanObserver
{
    private readonly string _sysfsRoot;
    private readonly string _hwmonName;
    private string? _directory;

    /// <summary>An observer of hwmon <paramref name="hwmonName"/> (<c>pwmfan</c>) under <paramref name="sysfsRoot"/>.</summary>
    public KernelFanObserver(string sysfsRoot, string hwmonName)
    {
        ArgumentException.ThrowIfNullOrEmpty(sysfsRoot);
        ArgumentException.ThrowIfNullOrEmpty(hwmonName);
        _sysfsRoot = sysfsRoot;
        _hwmonName = hwmonName;
    }

    /// <summary>Finds the hwmon directory.</summary>
    /// <returns><see langword="false"/> when no hwmon has that name (no fan fitted, or the driver not loaded).</returns>
    public bool TryStart()
    {
        if (SysfsFiles.TryFindByContent(Path.Combine(_sysfsRoot, "class", "hwmon"), "hwmon", "name", _hwmonName, out string? dir))
        {
            _directory = dir;
            return true;
        }

        return false;
    }

    /// <summary>Reads the PWM duty, 0–255.</summary>
    public bool TryReadPwm(out int pwm)
    {
        pwm = 0;
        if (_directory is null || !SysfsFiles.TryReadInt64(Path.Combine(_directory, "pwm1"), out long value) || value is < 0 or > 255)
        {
            return false;
        }

        pwm = (int)value;
        return true;
    }

    /// <summary>Reads the speed in RPM, where the fan reports one.</summary>
    public bool TryReadRpm(out int rpm)
    {
        rpm = 0;
        if (_directory is null || !SysfsFiles.TryReadInt64(Path.Combine(_directory, "fan1_input"), out long value) || value is < 0 or > int.MaxValue)
        {
            return false;
        }

        rpm = (int)value;
        return true;
    }
}
