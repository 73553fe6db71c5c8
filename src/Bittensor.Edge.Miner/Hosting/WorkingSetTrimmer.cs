// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using Bittensor.Edge.Miner.Interop;

namespace Bittensor.Edge.Miner.Hosting;

/// <summary>
/// Gives back memory that only start-up needed, so an idle device holds what serving needs and no more
/// (fleet.md's footprint targets: idle RSS &lt; 40 MB with the models loaded).
/// <list type="bullet">
/// <item><description>Native heap: <c>malloc_trim(0)</c> returns the free pages glibc keeps after ONNX Runtime built its
/// sessions (graph optimisation allocates and frees several MB).</description></item>
/// <item><description>Code: loading ONNX Runtime runs its kernel registration across most of its 22 MB of code once, and the
/// kernel maps whole 64 KB windows around each page touched; <c>madvise(MADV_PAGEOUT)</c> on the read-only file mappings
/// hands those clean pages back (Linux 5.4+). What inference and the bus use faults back in from the page cache on first
/// use, so the working set afterwards is the real one; <c>load_rss_mb</c> measures it under load.</description></item>
/// </list>
/// Linux only and best effort: anything refused (older kernel, musl without <c>malloc_trim</c>) is skipped.
/// </summary>
internal static class WorkingSetTrimmer
{
    private const int MadvPageout = 21;

    /// <summary>Trims now; returns the resident set before and after in bytes (0 where unknown).</summary>
    public static (long Before, long After) Trim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (0, 0);
        }

        long before = Environment.WorkingSet;
        try
        {
            _ = Libc.MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // musl: no malloc_trim; its allocator returns memory on its own.
        }

        foreach ((nint start, nint length) in ReadOnlyFileMappings(File.ReadLines("/proc/self/maps")))
        {
            // EINVAL before Linux 5.4 (no MADV_PAGEOUT): nothing to do there, and nothing is lost.
            _ = Libc.Madvise(start, length, MadvPageout);
        }

        return (before, Environment.WorkingSet);
    }

    /// <summary>The private, read-only, file-backed mappings of a <c>/proc/PID/maps</c> listing (code and constants).</summary>
    internal static IEnumerable<(nint Start, nint Length)> ReadOnlyFileMappings(IEnumerable<string> maps)
    {
        foreach (string line in maps)
        {
            // 7f43a0000000-7f43a0021000 r-xp 00000000 08:01 1234   /usr/lib/libfoo.so
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || !fields[5].StartsWith('/') || fields[1].Length != 4 || fields[1][1] != '-' || fields[1][3] != 'p')
            {
                continue;
            }

            int dash = fields[0].IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0
                || !long.TryParse(fields[0].AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long start)
                || !long.TryParse(fields[0].AsSpan(dash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long end)
                || end <= start)
            {
                continue;
            }

            yield return ((nint)start, (nint)(end - start));
        }
    }
}
