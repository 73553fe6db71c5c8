// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Protocol;

/// <summary>Wall-clock time as nanoseconds since the Unix epoch, the unit of nonces (specs/protocol.md §3.2).</summary>
public static class UnixNanos
{
    /// <summary>Nanoseconds since 1970-01-01T00:00:00Z of <paramref name="time"/>; 0 for earlier times.</summary>
    public static ulong From(DateTimeOffset time)
    {
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return ticks <= 0 ? 0 : (ulong)ticks * 100UL;
    }
}
