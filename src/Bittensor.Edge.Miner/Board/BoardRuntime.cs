// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Device.Gpio;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Bittensor.Edge.Boards;
using Bittensor.Edge.Boards.Fan;
using Bittensor.Edge.Boards.Gpio;
using Bittensor.Edge.Boards.StatusLed;
using Bittensor.Edge.Boards.Thermal;
using Bittensor.Edge.Miner.Settings;

namespace Bittensor.Edge.Miner.Board;

/// <summary>
/// The board this device runs on and the hardware the main loop drives: its profile (from <c>device:board</c> or
/// device-tree detection; the profiles are embedded in the binary), the thermal sensor, the throttle source, the status
/// LED and the Pi 4's GPIO case fan. On <c>x64-sim</c>, and for anything a real board lacks, virtual twins stand in:
/// <see cref="VirtualThermalSensor"/> (the simulator's reading), <see cref="VirtualThrottleSource"/>,
/// <see cref="VirtualStatusLed"/>, <see cref="VirtualCaseFan"/>.
/// </summary>
/// <remarks>
/// Built by <see cref="TryCreate"/>, which touches no hardware; <see cref="Start"/> does (fleet.md §1 conventions).
/// Not thread-safe: the main loop owns it. Dispose releases the LED, the fan and the GPIO controller.
/// </remarks>
public sealed class BoardRuntime : IDisposable
{
    private readonly GpioController? _gpio;

    private BoardRuntime(BoardProfile profile, bool detected, IThermalSensor thermal, IThrottleSource? throttle, IStatusLed led, ICaseFan? fan, GpioController? gpio)
    {
        Profile = profile;
        Detected = detected;
        Thermal = thermal;
        Throttle = throttle;
        Led = led;
        Fan = fan;
        _gpio = gpio;
    }

    /// <summary>The profile.</summary>
    public BoardProfile Profile { get; }

    /// <summary>Whether the profile came from device-tree detection (not from <c>device:board</c>).</summary>
    public bool Detected { get; }

    /// <summary>Whether this is the simulator board (virtual hardware, trusted clock).</summary>
    public bool IsSimulator => Profile.Id == BoardDetector.SimulatorId;

    /// <summary>The hottest of the board's policy zones.</summary>
    public IThermalSensor Thermal { get; }

    /// <summary>Under-voltage and throttling; null for boards with throttle kind <c>none</c>.</summary>
    public IThrottleSource? Throttle { get; }

    /// <summary>The status LED (a virtual one when the board has none or it cannot be claimed).</summary>
    public IStatusLed Led { get; private set; }

    /// <summary>The driven case fan (Pi 4 GPIO, or virtual on x64-sim); null where the kernel drives the fan.</summary>
    public ICaseFan? Fan { get; }

    /// <summary>The board serial number (device tree), or null.</summary>
    public string? Serial { get; private set; }

    /// <summary>The embedded profiles, parsed and validated.</summary>
    public static IReadOnlyList<BoardProfile> EmbeddedProfiles { get; } = LoadEmbedded();

    /// <summary>
    /// Picks the profile and builds the devices for it. False with a message when <c>device:board</c> names no profile
    /// or detection finds none (the message says to set <c>device:board</c>).
    /// </summary>
    public static bool TryCreate(DeviceSection device, [NotNullWhen(true)] out BoardRuntime? runtime, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(device);
        runtime = null;
        BoardProfile? profile;
        bool detected = false;
        if (device.Board.Length > 0)
        {
            profile = EmbeddedProfiles.FirstOrDefault(p => p.Id == device.Board);
            if (profile is null)
            {
                error = $"device:board '{device.Board}' has no profile ({string.Join(", ", EmbeddedProfiles.Select(static p => p.Id))}).";
                return false;
            }
        }
        else if (new BoardDetector(device.HardwareRoot, RuntimeInformation.OSArchitecture).TryDetect(EmbeddedProfiles, out profile))
        {
            detected = true;
        }
        else
        {
            error = $"No board profile matches this machine's device tree under {Path.Combine(device.HardwareRoot, "proc/device-tree")}; set device:board (or --board) to one of {string.Join(", ", EmbeddedProfiles.Select(static p => p.Id))}.";
            return false;
        }

        string sys = Path.Combine(device.HardwareRoot, "sys");
        bool simulated = profile.Id == BoardDetector.SimulatorId;
        IThermalSensor thermal = simulated ? VirtualThermalSensor.FromCelsius(45) : new SysfsThermalSensor(sys, profile.Thermal.Zones);
        IThrottleSource? throttle = profile.Throttle.Kind switch
        {
            "rpi-get-throttled" => new RpiThrottleSource(sys, profile.Throttle),
            "simulated" => new VirtualThrottleSource(),
            _ => null,
        };

        IStatusLed led = profile.Gpio.StatusLed.Sysfs is { Count: > 0 } names && !simulated ? new SysfsStatusLed(sys, names) : new VirtualStatusLed();
        GpioController? gpio = null;
        ICaseFan? fan = null;
        BoardFan fanProfile = profile.Gpio.Fan;
        FanHysteresis rule = new(fanProfile.OnC ?? 65, fanProfile.OffC ?? 55);
        if (fanProfile.Kind == "virtual")
        {
            fan = new VirtualCaseFan(rule);
        }
        else if (fanProfile.Kind == "gpio-onoff" && fanProfile.Gpio is int pin && GpioControllers.TryOpen(profile.Gpio, out gpio))
        {
            fan = new GpioCaseFan(gpio, pin, rule, shouldDispose: false);
        }

        runtime = new BoardRuntime(profile, detected, thermal, throttle, led, fan, gpio);
        error = null;
        return true;
    }

    /// <summary>
    /// Claims the hardware: finds the thermal zones and hwmon files, claims the LED (a virtual one stands in when it
    /// cannot be claimed; the reason is returned) and the fan line, and reads the serial number.
    /// </summary>
    /// <returns>Problems worth a warning (LED or fan unavailable); empty when all is well.</returns>
    public IReadOnlyList<string> Start(string hardwareRoot)
    {
        List<string> problems = [];
        Thermal.Start();
        Throttle?.Start();
        if (!Led.TryStart())
        {
            problems.Add($"the status LED ({string.Join("/", Profile.Gpio.StatusLed.Sysfs ?? [])}) cannot be claimed; check the udev rule that gives group bte the LED's trigger and brightness");
            Led.Dispose();
            Led = new VirtualStatusLed();
            Led.TryStart();
        }

        try
        {
            Fan?.Start();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            problems.Add($"the case fan on GPIO {Profile.Gpio.Fan.Gpio} cannot be driven: {e.Message}");
        }

        if (Profile.Gpio.Fan.Kind == "gpio-onoff" && Fan is null)
        {
            problems.Add($"the GPIO chip '{Profile.Gpio.ChipLabel}' cannot be opened (libgpiod, /dev/gpiochip*): the case fan is not driven");
        }

        Serial = ReadSerial(hardwareRoot);
        return problems;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Led.Dispose();
        Fan?.Dispose();
        _gpio?.Dispose();
    }

    private string? ReadSerial(string hardwareRoot)
    {
        if (Profile.SerialPath is not { } path)
        {
            return null;
        }

        try
        {
            string text = File.ReadAllText(Path.Combine(hardwareRoot, path.TrimStart('/'))).TrimEnd('\0', '\n', ' ');
            return text.Length > 0 ? text : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static BoardProfile[] LoadEmbedded()
    {
        List<BoardProfile> profiles = [];
        System.Reflection.Assembly assembly = typeof(BoardRuntime).Assembly;
        foreach (string name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith("boards/", StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal))
            {
                continue;
            }

            using Stream stream = assembly.GetManifestResourceStream(name)!;
            using MemoryStream buffer = new();
            stream.CopyTo(buffer);
            if (!BoardProfileLoader.TryParse(buffer.ToArray(), out BoardProfile? profile, out BoardProfileError error))
            {
                throw new InvalidOperationException($"The embedded profile {name} is invalid at {error}; the build embedded a broken boards/ file.");
            }

            profiles.Add(profile);
        }

        return [.. profiles.OrderBy(static p => p.Id, StringComparer.Ordinal)];
    }
}
