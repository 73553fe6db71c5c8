// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Miner.Device;

/// <summary>
/// The <c>waiting-for-time</c> gate (fleet.md §2, Clock): nonces and logins need wall time within seconds, so the
/// device connects only once systemd-timesyncd says the clock is synchronized (its flag file exists) or a battery-backed
/// RTC is present; the x64-sim board and <c>trustClock: true</c> skip the gate.
/// </summary>
/// <remarks>Thread-safe; each <see cref="IsTimeTrusted"/> looks at the file system afresh (two <c>stat</c>s).</remarks>
public sealed class TimeGate
{
    private readonly bool _trusted;
    private readonly string _syncFile;
    private readonly string _rtcDevice;

    /// <summary>A gate; <paramref name="trustClock"/> opens it for good.</summary>
    public TimeGate(bool trustClock, string syncFile, string rtcDevice)
    {
        ArgumentException.ThrowIfNullOrEmpty(syncFile);
        ArgumentException.ThrowIfNullOrEmpty(rtcDevice);
        _trusted = trustClock;
        _syncFile = syncFile;
        _rtcDevice = rtcDevice;
    }

    /// <summary>The NTP sync flag file looked for.</summary>
    public string SyncFile => _syncFile;

    /// <summary>Whether the gate is skipped whatever the clock says.</summary>
    public bool AlwaysOpen => _trusted;

    /// <summary>Whether the wall clock can be used for logins now.</summary>
    public bool IsTimeTrusted() => _trusted || File.Exists(_syncFile) || File.Exists(_rtcDevice);
}
