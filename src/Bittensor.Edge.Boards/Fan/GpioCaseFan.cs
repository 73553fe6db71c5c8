// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Device.Gpio;
using Bittensor.Edge.Boards.Thermal;
using UnitsNet;

namespace Bittensor.Edge.Boards.Fan;

/// <summary>
/// An on/off fan on a GPIO line (the official Pi 4 Case Fan on GPIO 14), high = on.
/// </summary>
/// <remarks>
/// The line is opened in <see cref="Start"/>, not in the constructor. <see cref="Dispose"/> switches the fan off
/// (the kernel and firmware cool a stopped device), closes the line, and disposes the controller only when
/// <c>shouldDispose</c> was true. Not thread-safe.
/// </remarks>
public sealed class GpioCaseFan : ICaseFan
{
    private readonly GpioController _controller;
    private readonly int _pin;
    private readonly FanHysteresis _rule;
    private readonly bool _shouldDispose;
    private bool _started;
    private bool _disposed;

    /// <summary>A fan on <paramref name="pin"/> of <paramref name="controller"/>.</summary>
    /// <param name="controller">The controller; disposed with this fan when <paramref name="shouldDispose"/>.</param>
    /// <param name="pin">The control line, in the controller's numbering.</param>
    /// <param name="rule">On/off temperatures.</param>
    /// <param name="shouldDispose">Whether <see cref="Dispose"/> also disposes <paramref name="controller"/>.</param>
    public GpioCaseFan(GpioController controller, int pin, FanHysteresis rule, bool shouldDispose = true)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentOutOfRangeException.ThrowIfNegative(pin);
        _controller = controller;
        _pin = pin;
        _rule = rule;
        _shouldDispose = shouldDispose;
    }

    /// <inheritdoc/>
    public bool IsOn { get; private set; }

    /// <inheritdoc/>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_started)
        {
            return;
        }

        _controller.OpenPin(_pin, PinMode.Output, PinValue.Low);
        _controller.Write(_pin, PinValue.Low);
        IsOn = false;
        _started = true;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException"><see cref="Start"/> was not called.</exception>
    public bool Update(Temperature temperature, ThermalState state) => Update(temperature.DegreesCelsius, state);

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException"><see cref="Start"/> was not called.</exception>
    public bool Update(double celsius, ThermalState state)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_started)
        {
            ThrowHelper.ThrowInvalidOperation("Call Start before Update.");
        }

        bool run = _rule.ShouldRun(IsOn, celsius, state);
        if (run == IsOn)
        {
            return false;
        }

        _controller.Write(_pin, run ? PinValue.High : PinValue.Low);
        IsOn = run;
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
