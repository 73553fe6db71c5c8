// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.InteropServices;

namespace Bittensor.Edge.Miner.Interop;

/// <summary>
/// The libc calls .NET lacks: madvise and malloc_trim for the working-set trim, and for <c>temp → fsync → rename</c> of the device's own files (key, enrollment, first-boot
/// copy): fsync of the directory, so the rename survives power loss. Linux only; elsewhere a no-op. (The sector store
/// has its own copy in Storage, internal there.)
/// </summary>
internal static partial class Libc
{
    // Values shared by x86_64, arm64 and armhf glibc. O_DIRECTORY differs between them, so it is not used:
    // open(O_RDONLY) on a directory works on Linux.
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

    /// <summary>glibc's <c>malloc_trim</c>: returns free heap pages to the OS. Absent on musl (EntryPointNotFoundException).</summary>
    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    public static partial int MallocTrim(nuint pad);

    /// <summary><c>madvise</c>; returns -1 (EINVAL) for advice the kernel does not know.</summary>
    [LibraryImport("libc", EntryPoint = "madvise")]
    public static partial int Madvise(nint address, nint length, int advice);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
