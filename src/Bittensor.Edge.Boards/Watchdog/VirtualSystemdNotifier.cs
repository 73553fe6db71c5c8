// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Boards.Watchdog;

/// <summary>Records notifications in memory (x64-sim: missed pings can trigger a simulated reboot).</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class VirtualSystemdNotifier : ISystemdNotifier
{
    private readonly Lock _lock = new();
    private readonly List<string> _sent = [];

    /// <inheritdoc/>
    public bool IsEnabled => true;

    /// <summary>A copy of the states sent so far, oldest first.</summary>
    public IReadOnlyList<string> Sent
    {
        get
        {
            lock (_lock)
            {
                return [.. _sent];
            }
        }
    }

    /// <inheritdoc/>
    public bool TryNotify(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_lock)
        {
            _sent.Add(state);
        }

        return true;
    }
}
