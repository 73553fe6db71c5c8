// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Boards.Thermal;

/// <summary>
/// Under-voltage and firmware throttling (specs/fleet.md §1–2): the cheap under-voltage flag is polled every
/// 5 s, the full word every <c>throttle.pollS</c>. Implementations: <see cref="RpiThrottleSource"/>,
/// <see cref="VirtualThrottleSource"/>; boards with throttle kind <c>none</c> have no source.
/// </summary>
public interface IThrottleSource
{
    /// <summary>Finds the files to read; the first step that touches hardware.</summary>
    void Start();

    /// <summary>Reads whether the supply is under-voltage now.</summary>
    bool TryReadUnderVoltage(out bool underVoltage);

    /// <summary>Reads the full throttled word.</summary>
    bool TryReadThrottled(out ThrottledFlags flags);
}
