// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Boards;

/// <summary>
/// One board's profile, <c>boards/&lt;id&gt;.json</c> (specs/fleet.md §1). Field names are the JSON keys in
/// camelCase; units are in the names because JSON numbers carry none.
/// </summary>
/// <remarks>
/// Immutable once loaded; safe to share between threads. Load it through <see cref="BoardProfileLoader"/>,
/// which validates it: a profile obtained that way satisfies every rule documented on its members.
/// </remarks>
public sealed record BoardProfile
{
    /// <summary>Profile id, equal to the file name without <c>.json</c> (<c>rpi4</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Human-readable board name.</summary>
    public required string Name { get; init; }

    /// <summary>The .NET runtime identifier the device binary is published for (<c>linux-arm64</c>).</summary>
    public required string Rid { get; init; }

    /// <summary>How the board is recognised from the device tree; both null for boards chosen only by flag.</summary>
    public required BoardDetect Detect { get; init; }

    /// <summary>The CPU.</summary>
    public required BoardCpu Cpu { get; init; }

    /// <summary>The RAM sizes the board ships with, in MiB; null means "the host's".</summary>
    public required IReadOnlyList<int>? RamMiB { get; init; }

    /// <summary>The inference accelerator, or null when inference runs on the CPU.</summary>
    public required BoardAccelerator? Accelerator { get; init; }

    /// <summary>ONNX Runtime execution-provider names, most preferred first.</summary>
    public required IReadOnlyList<string> ExecutionProviders { get; init; }

    /// <summary>Batching limits for inference.</summary>
    public required BoardInference Inference { get; init; }

    /// <summary>Storage device and write budget.</summary>
    public required BoardStorage Storage { get; init; }

    /// <summary>Thermal zones and the warm/hot/critical policy.</summary>
    public required BoardThermal Thermal { get; init; }

    /// <summary>How throttling and under-voltage are observed.</summary>
    public required BoardThrottle Throttle { get; init; }

    /// <summary>GPIO chip, status LED and fan.</summary>
    public required BoardGpio Gpio { get; init; }

    /// <summary>Hardware and service watchdog timings (systemd owns the hardware watchdog).</summary>
    public required BoardWatchdog Watchdog { get; init; }

    /// <summary>Power monitoring.</summary>
    public required BoardPower Power { get; init; }

    /// <summary>Where the board's serial number is read, or null when it has none.</summary>
    public required string? SerialPath { get; init; }

    /// <summary>How the OS image is built, or null when the board has no image.</summary>
    public required BoardImage? Image { get; init; }
}

/// <summary>Device-tree match (specs/fleet.md §1, Detection).</summary>
public sealed record BoardDetect
{
    /// <summary>Prefix of <c>/proc/device-tree/model</c>; null when the board is never detected.</summary>
    public required string? DtModelPrefix { get; init; }

    /// <summary>An entry of <c>/proc/device-tree/compatible</c> (or its prefix before a <c>-</c> suffix).</summary>
    public required string? DtCompatible { get; init; }
}

/// <summary>CPU facts used to size thread pools and pick code paths.</summary>
public sealed record BoardCpu
{
    /// <summary>Core model (<c>Cortex-A72</c>), or <c>host</c>.</summary>
    public required string Model { get; init; }

    /// <summary>Core count; null means the host's.</summary>
    public required int? Cores { get; init; }

    /// <summary>Top clock in MHz; null means the host's.</summary>
    public required int? MaxMHz { get; init; }

    /// <summary>Whether the cores have the ARMv8 SHA-2 instructions.</summary>
    public required bool Sha2 { get; init; }

    /// <summary>Whether the cores have the ARMv8 AES instructions.</summary>
    public required bool Aes { get; init; }
}

/// <summary>An inference accelerator.</summary>
public sealed record BoardAccelerator
{
    /// <summary>Accelerator model (<c>Ampere GPU</c>).</summary>
    public required string Model { get; init; }

    /// <summary>CUDA cores by the board's RAM size in MiB (the key, as a JSON string), when the variants differ.</summary>
    public IReadOnlyDictionary<string, int>? CudaCoresByRamMiB { get; init; }
}

/// <summary>Inference batching.</summary>
public sealed record BoardInference
{
    /// <summary>Largest batch, at least 1.</summary>
    public required int MaxBatch { get; init; }

    /// <summary>Longest wait to fill a batch, in milliseconds.</summary>
    public required int MaxDelayMs { get; init; }

    /// <summary>Batch sizes the engine is built for, when it prefers some.</summary>
    public IReadOnlyList<int>? PreferredBatches { get; init; }
}

/// <summary>Storage device and budget.</summary>
public sealed record BoardStorage
{
    /// <summary>Block device name (<c>mmcblk0</c>); null on the simulator (tmpfs or a file).</summary>
    public required string? BlockDevice { get; init; }

    /// <summary>Threads hashing sectors.</summary>
    public required int HashThreads { get; init; }

    /// <summary>Daily write budget in GiB, protecting SD cards; null means unlimited.</summary>
    public required int? MaxWritePerDayGiB { get; init; }
}

/// <summary>Thermal configuration.</summary>
public sealed record BoardThermal
{
    /// <summary>Zones resolved by their sysfs <c>type</c>, at least one.</summary>
    public required IReadOnlyList<BoardThermalZone> Zones { get; init; }

    /// <summary>The device's own policy thresholds.</summary>
    public required BoardThermalPolicy PolicyC { get; init; }

    /// <summary>Temperatures at which firmware throttles, or null when read from the kernel at start.</summary>
    public required BoardFirmwareThermal? FirmwareC { get; init; }
}

/// <summary>A thermal zone.</summary>
public sealed record BoardThermalZone
{
    /// <summary><c>soc</c>, <c>gpu</c> or <c>junction</c>.</summary>
    public required string Role { get; init; }

    /// <summary>The zone's sysfs <c>type</c> (<c>cpu-thermal</c>).</summary>
    public required string Type { get; init; }
}

/// <summary>Policy thresholds in °C: warm &lt; hot &lt; critical, hysteresis below warm.</summary>
public sealed record BoardThermalPolicy
{
    /// <summary>Entering <c>warm</c>.</summary>
    public required double Warm { get; init; }

    /// <summary>Entering <c>hot</c>.</summary>
    public required double Hot { get; init; }

    /// <summary>Entering <c>critical</c>.</summary>
    public required double Critical { get; init; }

    /// <summary>A state is left only this far below its threshold.</summary>
    public required double Hysteresis { get; init; }
}

/// <summary>Firmware throttling temperatures in °C.</summary>
public sealed record BoardFirmwareThermal
{
    /// <summary>ARM clock capped from here.</summary>
    public required double ArmThrottle { get; init; }

    /// <summary>Full throttling from here.</summary>
    public required double FullThrottle { get; init; }
}

/// <summary>Throttle observation.</summary>
public sealed record BoardThrottle
{
    /// <summary><c>rpi-get-throttled</c>, <c>none</c> or <c>simulated</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Command printing <c>throttled=0x…</c>; required for <c>rpi-get-throttled</c>.</summary>
    public required IReadOnlyList<string>? Command { get; init; }

    /// <summary>hwmon name whose <c>in0_lcrit_alarm</c> reports under-voltage, or null.</summary>
    public required string? UndervoltageHwmon { get; init; }

    /// <summary>Seconds between reads of the full throttled word.</summary>
    public required int PollS { get; init; }
}

/// <summary>GPIO, LED and fan.</summary>
public sealed record BoardGpio
{
    /// <summary><c>libgpiod</c> or <c>virtual</c>.</summary>
    public required string Driver { get; init; }

    /// <summary>Label of the gpiochip to open, or null when no line is driven.</summary>
    public required string? ChipLabel { get; init; }

    /// <summary>The status LED.</summary>
    public required BoardStatusLed StatusLed { get; init; }

    /// <summary>The fan.</summary>
    public required BoardFan Fan { get; init; }
}

/// <summary>Where the status LED is; both null when the board has none we may drive.</summary>
public sealed record BoardStatusLed
{
    /// <summary>Names under <c>/sys/class/leds</c> to try in order.</summary>
    public required IReadOnlyList<string>? Sysfs { get; init; }

    /// <summary>A GPIO line number, when the LED is on a line of <see cref="BoardGpio.ChipLabel"/>.</summary>
    public required int? Gpio { get; init; }
}

/// <summary>The fan.</summary>
public sealed record BoardFan
{
    /// <summary><c>gpio-onoff</c> (driven), <c>kernel-pwm-fan</c> (observed), <c>virtual</c> or <c>none</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Control line for <c>gpio-onoff</c>.</summary>
    public int? Gpio { get; init; }

    /// <summary>On at or above this °C (<c>gpio-onoff</c>).</summary>
    public double? OnC { get; init; }

    /// <summary>Off at or below this °C (<c>gpio-onoff</c>).</summary>
    public double? OffC { get; init; }

    /// <summary>hwmon name of a kernel fan (<c>pwmfan</c>).</summary>
    public string? Hwmon { get; init; }

    /// <summary>The kernel's fan trip points in °C, for reference; never applied by the device.</summary>
    public IReadOnlyList<double>? KernelTripsC { get; init; }
}

/// <summary>Watchdog timings. systemd owns the hardware watchdog (specs/fleet.md §2).</summary>
public sealed record BoardWatchdog
{
    /// <summary>Hardware watchdog device, or null on the simulator.</summary>
    public required string? Device { get; init; }

    /// <summary>Kernel driver name, or null when not fixed.</summary>
    public required string? Driver { get; init; }

    /// <summary>Longest timeout the hardware accepts in seconds; null when read from sysfs at start.</summary>
    public required int? MaxTimeoutS { get; init; }

    /// <summary>systemd's <c>RuntimeWatchdogSec</c> (an upper bound when <see cref="MaxTimeoutS"/> is null).</summary>
    public required int RuntimeWatchdogS { get; init; }

    /// <summary>The unit's <c>WatchdogSec</c>.</summary>
    public required int ServiceWatchdogS { get; init; }
}

/// <summary>Power monitoring.</summary>
public sealed record BoardPower
{
    /// <summary>hwmon name of a power monitor (<c>ina3221</c>), or null.</summary>
    public required string? Hwmon { get; init; }

    /// <summary>Rail labels to report from <see cref="Hwmon"/>.</summary>
    public IReadOnlyList<string>? Rails { get; init; }
}

/// <summary>OS image recipe.</summary>
public sealed record BoardImage
{
    /// <summary><c>sd-image</c> or <c>rootfs-overlay</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Recipe folder relative to the repository root.</summary>
    public required string Recipe { get; init; }
}
