// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Boards.Thermal;

/// <summary>Simulated throttle bits (x64-sim): whatever the simulator sets.</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class VirtualThrottleSource : IThrottleSource
{
    private int _flags;

    /// <summary>The simulated word.</summary>
    public ThrottledFlags Flags
    {
        get => (ThrottledFlags)Volatile.Read(ref _flags);
        set => Volatile.Write(ref _flags, (int)value);
    }

    /// <inheritdoc/>
    public void Start()
    {
    }

    /// <inheritdoc/>
    public bool TryReadUnderVoltage(out bool underVoltage)
    {
        underVoltage = (Flags & ThrottledFlags.UnderVoltage) != 0;
        return true;
    }

    /// <inheritdoc/>
    public bool TryReadThrottled(out ThrottledFlags flags)
    {
        flags = Flags;
        return true;
    }
}
