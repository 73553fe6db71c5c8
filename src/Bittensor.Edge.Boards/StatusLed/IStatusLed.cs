// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Boards.StatusLed;

/// <summary>
/// One LED that is lit or dark. Implementations: <see cref="GpioStatusLed"/> (a GPIO line),
/// <see cref="SysfsStatusLed"/> (a <c>/sys/class/leds</c> LED such as the Pi's <c>ACT</c>),
/// <see cref="VirtualStatusLed"/>. <see cref="StatusLedController"/> plays patterns on it.
/// </summary>
/// <remarks>Not thread-safe: one controller owns it.</remarks>
public interface IStatusLed : IDisposable
{
    /// <summary>Claims the LED, dark; the first step that touches hardware.</summary>
    /// <returns><see langword="false"/> when the LED is not there or not writable.</returns>
    bool TryStart();

    /// <summary>Lights or darkens it.</summary>
    /// <returns><see langword="false"/> when the write failed.</returns>
    bool TrySet(bool lit);
}
