// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Edge.Boards.Gpio;

/// <summary>
/// Opens the <see cref="GpioController"/> a profile names (specs/fleet.md §1, GPIO): libgpiod, v2 driver first,
/// then v1, on the chip found by label (never the Pi 4 mmap driver); or a <see cref="VirtualGpioDriver"/>.
/// </summary>
public static class GpioControllers
{
    /// <summary>Lines on the virtual chip (the Pi 5's RP1 has 54).</summary>
    public const int VirtualLineCount = 54;

    /// <summary>Opens the controller for <paramref name="gpio"/>; the caller disposes it.</summary>
    /// <returns><see langword="false"/> when the profile drives no chip or the labelled chip cannot be opened.</returns>
    public static bool TryOpen(BoardGpio gpio, [NotNullWhen(true)] out GpioController? controller)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        controller = null;
        if (gpio.Driver == "virtual")
        {
            controller = new GpioController(new VirtualGpioDriver(VirtualLineCount));
            return true;
        }

        if (gpio.ChipLabel is not { } label)
        {
            return false;
        }

        return TryOpenV2(label, out controller) || TryOpenV1(label, out controller);
    }

    private static bool TryOpenV2(string label, [NotNullWhen(true)] out GpioController? controller)
    {
        controller = null;
        try
        {
            foreach (GpioChipInfo chip in LibGpiodV2Driver.GetAvailableChips())
            {
                if (chip.Label == label)
                {
                    controller = new GpioController(new LibGpiodV2Driver(chip.Id));
                    return true;
                }
            }
        }
        catch (Exception e) when (e is PlatformNotSupportedException or DllNotFoundException or EntryPointNotFoundException or IOException or InvalidOperationException)
        {
            // libgpiod v2 is absent or too old: fall back to v1.
        }

        return false;
    }

    private static bool TryOpenV1(string label, [NotNullWhen(true)] out GpioController? controller)
    {
        controller = null;
        try
        {
            foreach (GpioChipInfo chip in LibGpiodDriver.GetAvailableChips())
            {
                if (chip.Label == label)
                {
                    controller = new GpioController(new LibGpiodDriver(chip.Id));
                    return true;
                }
            }
        }
        catch (Exception e) when (e is PlatformNotSupportedException or DllNotFoundException or EntryPointNotFoundException or IOException or InvalidOperationException)
        {
            // No libgpiod at all: the caller reports the board's GPIO as unavailable.
        }

        return false;
    }
}
