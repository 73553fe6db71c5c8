// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Device.Gpio;

namespace Bittensor.Edge.Boards.Gpio;

/// <summary>
/// An in-memory GPIO driver for the simulator and tests: pins keep their mode and value, and every
/// write is counted. Wrap it in a <see cref="GpioController"/> as a real driver would be.
/// </summary>
/// <remarks>Thread-safe. Events are not supported (nothing here waits on an input edge).</remarks>
public sealed class VirtualGpioDriver : GpioDriver
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, (PinMode Mode, PinValue Value)> _open = [];
    private readonly Dictionary<int, int> _writes = [];
    private readonly int _pinCount;

    /// <summary>A driver with <paramref name="pinCount"/> lines.</summary>
    public VirtualGpioDriver(int pinCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pinCount);
        _pinCount = pinCount;
    }

    /// <inheritdoc/>
    protected override int PinCount => _pinCount;

    /// <summary>The value last written to <paramref name="pinNumber"/> (low for a pin never written or closed).</summary>
    public PinValue ValueOf(int pinNumber)
    {
        lock (_lock)
        {
            return _open.TryGetValue(pinNumber, out (PinMode Mode, PinValue Value) pin) ? pin.Value : PinValue.Low;
        }
    }

    /// <summary>Whether <paramref name="pinNumber"/> is open.</summary>
    public bool IsOpen(int pinNumber)
    {
        lock (_lock)
        {
            return _open.ContainsKey(pinNumber);
        }
    }

    /// <summary>Writes to <paramref name="pinNumber"/> since the driver was made.</summary>
    public int WriteCount(int pinNumber)
    {
        lock (_lock)
        {
            return _writes.GetValueOrDefault(pinNumber);
        }
    }

    /// <inheritdoc/>
    protected override void OpenPin(int pinNumber)
    {
        CheckRange(pinNumber);
        lock (_lock)
        {
            _open.TryAdd(pinNumber, (PinMode.Input, PinValue.Low));
        }
    }

    /// <inheritdoc/>
    protected override void ClosePin(int pinNumber)
    {
        lock (_lock)
        {
            _open.Remove(pinNumber);
        }
    }

    /// <inheritdoc/>
    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_lock)
        {
            _open[pinNumber] = (mode, _open.GetValueOrDefault(pinNumber).Value);
        }
    }

    /// <inheritdoc/>
    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_lock)
        {
            return _open.GetValueOrDefault(pinNumber).Mode;
        }
    }

    /// <inheritdoc/>
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.Output or PinMode.InputPullDown or PinMode.InputPullUp;

    /// <inheritdoc/>
    protected override PinValue Read(int pinNumber) => ValueOf(pinNumber);

    /// <inheritdoc/>
    protected override void Toggle(int pinNumber) => Write(pinNumber, !ValueOf(pinNumber));

    /// <inheritdoc/>
    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_lock)
        {
            _open[pinNumber] = (_open.GetValueOrDefault(pinNumber).Mode, value);
            _writes[pinNumber] = _writes.GetValueOrDefault(pinNumber) + 1;
        }
    }

    /// <inheritdoc/>
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The virtual driver has no input edges.");

    /// <inheritdoc/>
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException("The virtual driver has no input edges.");

    /// <inheritdoc/>
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        throw new NotSupportedException("The virtual driver has no input edges.");

    private void CheckRange(int pinNumber)
    {
        if ((uint)pinNumber >= (uint)_pinCount)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(pinNumber), pinNumber, $"The virtual chip has {_pinCount} lines.");
        }
    }
}
