// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;

namespace Bittensor.Edge.Miner.Hosting;

/// <summary>Load, memory and disk for telemetry, read from <c>/proc</c> and the file system; null where unreadable.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class SystemReadings
{
    /// <summary>The 1-minute load average from <c>/proc/loadavg</c>.</summary>
    public static double? Load1()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            int space = text.IndexOf(' ', StringComparison.Ordinal);
            return space > 0 && double.TryParse(text.AsSpan(0, space), NumberStyles.Float, CultureInfo.InvariantCulture, out double load) ? load : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>RAM in use, percent, from <c>MemTotal</c> and <c>MemAvailable</c> of <c>/proc/meminfo</c>.</summary>
    public static double? MemoryUsedPercent()
    {
        try
        {
            long? total = null;
            long? available = null;
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    total = Kib(line);
                }
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    available = Kib(line);
                }
            }

            return total is > 0 && available is { } free ? Math.Round(100.0 * (total.Value - free) / total.Value, 1) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The file system holding <paramref name="path"/> in use, percent (of what a non-root user may fill).</summary>
    public static double? DiskUsedPercent(string path)
    {
        try
        {
            DriveInfo drive = new(Path.GetFullPath(path));
            long total = drive.TotalSize;
            return total <= 0 ? null : Math.Clamp(100.0 * (total - drive.AvailableFreeSpace) / total, 0, 100);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Bytes this process caused to be written to block devices since it started (<c>write_bytes</c> of
    /// <paramref name="ioPath"/>, <c>/proc/self/io</c>): the SD-card wear the miner causes. Writes to tmpfs do not count.
    /// Null without task I/O accounting in the kernel.
    /// </summary>
    public static long? ProcessWriteBytes(string ioPath = "/proc/self/io")
    {
        try
        {
            foreach (string line in File.ReadLines(ioPath))
            {
                if (line.StartsWith("write_bytes:", StringComparison.Ordinal))
                {
                    return long.TryParse(line.AsSpan("write_bytes:".Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long bytes) ? bytes : null;
                }
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The 1-minute load average as a percentage of the cores (100 % = every core busy), capped at 100.</summary>
    public static double? CpuLoadPercent() => Load1() is { } load ? Math.Clamp(100.0 * load / Environment.ProcessorCount, 0, 100) : null;

    private static long? Kib(string line)
    {
        ReadOnlySpan<char> rest = line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim();
        int space = rest.IndexOf(' ');
        ReadOnlySpan<char> number = space > 0 ? rest[..space] : rest;
        return long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long kib) ? kib * 1024 : null;
    }
}
