// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.InteropServices;

namespace Bittensor.Edge.Telemetry.Interop;

/// <summary>
/// fsync of a directory, which .NET lacks, so a rename (the bdSeq file) survives power loss. Linux only; elsewhere a
/// no-op.
/// </summary>
internal static partial class Libc
{
    // open(O_RDONLY) on a directory works on Linux; O_DIRECTORY differs between architectures, so it is not used.
    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000;

    /// <summary>fsyncs a directory, so entries created or renamed in it are durable. Throws on an I/O error.</summary>
    public static void FsyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        int fd = Open(path, ORdOnly | OCloExec);
        if (fd < 0)
        {
            throw new IOException($"open({path}) for fsync failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync({path}) failed: errno {Marshal.GetLastPInvokeError()}.");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
