// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Boards.Watchdog;

/// <summary>
/// Sends sd_notify state lines (<c>READY=1</c>, <c>STATUS=…</c>, <c>WATCHDOG=1</c>, <c>STOPPING=1</c>) to systemd
/// (specs/fleet.md §2). Implementations: <see cref="SdNotifier"/>, <see cref="VirtualSystemdNotifier"/>.
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface ISystemdNotifier
{
    /// <summary>Whether notifications go anywhere; false without <c>NOTIFY_SOCKET</c> (sim, tests).</summary>
    bool IsEnabled { get; }

    /// <summary>Sends one datagram of newline-separated <c>KEY=value</c> lines.</summary>
    /// <returns><see langword="false"/> when disabled or the send failed.</returns>
    bool TryNotify(string state);
}
