// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;
using Bittensor.Edge.Boards.Sysfs;

namespace Bittensor.Edge.Boards.Thermal;

/// <summary>
/// A Raspberry Pi's throttling: under-voltage from hwmon <c>&lt;undervoltageHwmon&gt;/in0_lcrit_alarm</c> under a
/// sysfs root, and the full word from the profile's command (<c>vcgencmd get_throttled</c>, which needs group
/// <c>video</c>).
/// </summary>
/// <remarks>
/// Read-only: nothing is written. <see cref="TryReadThrottled"/> starts a process and waits at most
/// <see cref="CommandTimeout"/>; call it from the 30 s poll, not per tick. Holds no handles between calls.
/// </remarks>
public sealed class RpiThrottleSource : IThrottleSource
{
    /// <summary>Longest wait for the throttle command.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(2);

    private readonly string _sysfsRoot;
    private readonly BoardThrottle _config;
    private string? _alarmFile;
    private bool _started;

    /// <summary>A source for <paramref name="config"/> under <paramref name="sysfsRoot"/> (<c>/sys</c> on a device).</summary>
    public RpiThrottleSource(string sysfsRoot, BoardThrottle config)
    {
        ArgumentException.ThrowIfNullOrEmpty(sysfsRoot);
        ArgumentNullException.ThrowIfNull(config);
        _sysfsRoot = sysfsRoot;
        _config = config;
    }

    /// <inheritdoc/>
    public void Start()
    {
        if (_config.UndervoltageHwmon is { } name
            && SysfsFiles.TryFindByContent(Path.Combine(_sysfsRoot, "class", "hwmon"), "hwmon", "name", name, out string? dir))
        {
            _alarmFile = Path.Combine(dir, "in0_lcrit_alarm");
        }

        _started = true;
    }

    /// <inheritdoc/>
    public bool TryReadUnderVoltage(out bool underVoltage)
    {
        EnsureStarted();
        underVoltage = false;
        if (_alarmFile is null || !SysfsFiles.TryReadInt64(_alarmFile, out long alarm) || alarm is not (0 or 1))
        {
            return false;
        }

        underVoltage = alarm == 1;
        return true;
    }

    /// <inheritdoc/>
    public bool TryReadThrottled(out ThrottledFlags flags)
    {
        EnsureStarted();
        flags = ThrottledFlags.None;
        if (_config.Command is not { Count: > 0 } command)
        {
            return false;
        }

        ProcessStartInfo start = new(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        for (int i = 1; i < command.Count; i++)
        {
            start.ArgumentList.Add(command[i]);
        }

        try
        {
            using Process? process = Process.Start(start);
            if (process is null)
            {
                return false;
            }

            // The word is one short line; read it before waiting so a full pipe cannot stall the child.
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(CommandTimeout))
            {
                process.Kill();
                return false;
            }

            return process.ExitCode == 0 && output.Wait(CommandTimeout) && ThrottledWord.TryParse(output.Result, out flags);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    private void EnsureStarted()
    {
        if (!_started)
        {
            ThrowHelper.ThrowInvalidOperation("Call Start before reading.");
        }
    }
}
