// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using Bittensor.Edge.Miner.Interop;

namespace Bittensor.Edge.Miner.Device;

/// <summary>
/// Whole-file replacement that survives power loss at any moment: write a temporary file beside the target (created
/// with the final mode), fsync it, rename it over the target, fsync the directory. A reader sees the old file or the
/// new one, never a torn one (fleet.md §3: "temp → fsync → rename").
/// </summary>
/// <remarks>Stateless and thread-safe; concurrent writers of one path each succeed, the last rename wins.</remarks>
public static class DurableFile
{
    /// <summary>Owner read and write only (0600): the first-boot copy, the enrollment and the device key.</summary>
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Replaces (or creates) <paramref name="path"/> with <paramref name="contents"/>.</summary>
    /// <exception cref="IOException">The folder is missing or not writable, or the disk failed.</exception>
    public static void Write(string path, ReadOnlySpan<byte> contents, UnixFileMode mode = Private)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
        FileStreamOptions options = new() { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        try
        {
            using (FileStream stream = new(temp, options))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }

        Libc.FsyncDirectory(directory);
    }

    /// <summary>Makes the entry of <paramref name="path"/> in its folder durable (after a rename done elsewhere).</summary>
    public static void SyncDirectoryOf(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Libc.FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
