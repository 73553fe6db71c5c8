// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Bittensor.Edge.Boards.Sysfs;

/// <summary>
/// Small sysfs helpers: every read is a <c>Try…</c> that returns <see langword="false"/> for a missing,
/// unreadable or malformed file, since kernels differ and files come and go with drivers.
/// </summary>
internal static class SysfsFiles
{
    /// <summary>Reads a whole small file, trimmed of trailing whitespace and NULs.</summary>
    public static bool TryReadText(string path, [NotNullWhen(true)] out string? text)
    {
        try
        {
            text = File.ReadAllText(path).TrimEnd('\n', '\r', ' ', '\t', '\0');
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            text = null;
            return false;
        }
    }

    /// <summary>Reads a decimal integer file (<c>temp</c>, <c>pwm1</c>, <c>in0_lcrit_alarm</c>).</summary>
    public static bool TryReadInt64(string path, out long value)
    {
        value = 0;
        return TryReadText(path, out string? text)
            && long.TryParse(text.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Writes a small file; false when it is missing or not writable.</summary>
    public static bool TryWriteText(string path, string text)
    {
        try
        {
            File.WriteAllText(path, text);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Finds the directory <c>&lt;classDir&gt;/&lt;prefix&gt;*</c> whose <paramref name="keyFile"/> reads
    /// <paramref name="wanted"/>, as zones are found by <c>type</c> and hwmons by <c>name</c>.
    /// </summary>
    public static bool TryFindByContent(string classDir, string prefix, string keyFile, string wanted, [NotNullWhen(true)] out string? directory)
    {
        directory = null;
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateDirectories(classDir, prefix + "*").Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        foreach (string candidate in candidates)
        {
            if (TryReadText(Path.Combine(candidate, keyFile), out string? content) && content == wanted)
            {
                directory = candidate;
                return true;
            }
        }

        return false;
    }
}
