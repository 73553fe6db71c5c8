// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;

namespace Bittensor.Edge.Boards;

/// <summary>
/// Finds the profile of the board we run on from the device tree (specs/fleet.md §1, Detection):
/// <c>proc/device-tree/model</c> must start with the profile's <c>dtModelPrefix</c> and one entry of
/// <c>proc/device-tree/compatible</c> must be its <c>dtCompatible</c> (or that followed by <c>-…</c>, as the
/// Jetson's <c>nvidia,p3767-0005</c>). An x64 host without a device tree gets <c>x64-sim</c>.
/// </summary>
/// <remarks>
/// Paths are read under <see cref="Root"/> (<c>/</c> on a device) so tests use a fake tree. Reads happen
/// in <see cref="TryDetect"/>, never in the constructor. Thread-safe: it holds no mutable state.
/// </remarks>
public sealed class BoardDetector
{
    /// <summary>The id chosen on an x64 host without a device tree.</summary>
    public const string SimulatorId = "x64-sim";

    private readonly Architecture _architecture;

    /// <summary>A detector reading under <paramref name="root"/> on a host of <paramref name="architecture"/>.</summary>
    public BoardDetector(string root, Architecture architecture)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = root;
        _architecture = architecture;
    }

    /// <summary>A detector for this machine: root <c>/</c> and the OS architecture.</summary>
    public BoardDetector()
        : this("/", RuntimeInformation.OSArchitecture)
    {
    }

    /// <summary>The file-system root the device tree is read under.</summary>
    public string Root { get; }

    /// <summary>Picks the profile in <paramref name="profiles"/> that matches this board.</summary>
    /// <returns><see langword="false"/> when the tree matches no profile (or several), or there is no tree on a non-x64 host.</returns>
    public bool TryDetect(IReadOnlyList<BoardProfile> profiles, [NotNullWhen(true)] out BoardProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        profile = null;
        string? model = TryReadDeviceTreeString("model");
        string? compatible = TryReadDeviceTreeString("compatible");
        if (model is null && compatible is null)
        {
            if (_architecture == Architecture.X64)
            {
                profile = profiles.FirstOrDefault(static p => p.Id == SimulatorId);
            }

            return profile is not null;
        }

        string[] compatibleEntries = (compatible ?? string.Empty).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        foreach (BoardProfile candidate in profiles)
        {
            if (Matches(candidate.Detect, model ?? string.Empty, compatibleEntries))
            {
                if (profile is not null)
                {
                    profile = null;
                    return false;
                }

                profile = candidate;
            }
        }

        return profile is not null;
    }

    /// <summary>Whether <paramref name="detect"/> matches a model string and compatible entries.</summary>
    public static bool Matches(BoardDetect detect, string model, IReadOnlyList<string> compatibleEntries)
    {
        ArgumentNullException.ThrowIfNull(detect);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(compatibleEntries);
        if (detect.DtModelPrefix is not { Length: > 0 } prefix || detect.DtCompatible is not { Length: > 0 } wanted)
        {
            return false;
        }

        if (!model.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (string entry in compatibleEntries)
        {
            if (entry == wanted || (entry.Length > wanted.Length && entry.StartsWith(wanted, StringComparison.Ordinal) && entry[wanted.Length] == '-'))
            {
                return true;
            }
        }

        return false;
    }

    private string? TryReadDeviceTreeString(string name)
    {
        string path = Path.Combine(Root, "proc", "device-tree", name);
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            // Device-tree strings end in NUL; compatible is a NUL-separated list.
            return Encoding.UTF8.GetString(bytes).TrimEnd('\0', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
