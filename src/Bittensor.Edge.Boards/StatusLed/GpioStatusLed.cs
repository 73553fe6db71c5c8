// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Device.Gpio;

namespace Bittensor.Edge.Boards.StatusLed;

/// <summary>An LED on a GPIO line, high = lit.</summary>
/// <remarks>
/// The line is opened in <see cref="TryStart"/>. <see cref="Dispose"/> darkens and closes it, and disposes the
/// controller only when <c>shouldDispose</c> was true. Not thread-safe.
/// </remarks>
public sealed class GpioStatusLed : IStatusLed
{
    private readonly GpioController _controller;
    private readonly int _pin;
    private readonly bool _shouldDispose;
    private bool _started;
    private bool _disposed;

    /// <summary>An LED on <paramref name="pin"/> of <paramref name="controller"/>.</summary>
    /// <param name="controller">The controller; disposed with this LED when <paramref name="shouldDispose"/>.</param>
    /// <param name="pin">The line, in the controller's numbering.</param>
    /// <param name="shouldDispose">Whether <see cref="Dispose"/> also disposes <paramref name="controller"/>.</param>
    public GpioStatusLed(GpioController controller, int pin, bool shouldDispose = true)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentOutOfRangeException.ThrowIfNegative(pin);
        _controller = controller;
        _pin = pin;
        _shouldDispose = shouldDispose;
    }

    /// <inheritdoc/>
    public bool TryStart()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_started)
        {
            _controller.OpenPin(_pin, PinMode.Output, PinValue.Low);
            _started = true;
        }

        return true;
    }

    /// <inheritdoc/>
    public bool TrySet(bool lit)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_started)
        {
            return false;
        }

        _controller.Write(_pin, lit ? PinValue.High : PinValue.Low);
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_started && _controller.IsPinOpen(_pin))
        {
            _controller.Write(_pin, PinValue.Low);
            _controller.ClosePin(_pin);
        }

        if (_shouldDispose)
        {
            _controller.Dispose();
        }
    }
}
