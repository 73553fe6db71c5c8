// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Bittensor.Edge.Storage.Interop;

/// <summary>
/// The few libc calls .NET lacks: fsync of a directory (so a rename survives power loss),
/// <c>posix_fadvise(DONTNEED)</c> (to measure cold proofs) and <c>posix_fadvise(WILLNEED)</c> (to prefetch a challenge's reads). Linux only; every caller checks
/// <see cref="OperatingSystem.IsLinux"/> first, and elsewhere these are no-ops.
/// </summary>
internal static partial class Libc
{
    // Values shared by x86_64, arm64 and armhf glibc. O_DIRECTORY differs between them, so it is not used:
    // open(O_RDONLY) on a directory works on Linux.
    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000;
    private const int PosixFadvWillNeed = 3;
    private const int PosixFadvDontNeed = 4;

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

    /// <summary>Asks the kernel to drop a file's clean pages from the page cache; returns whether it accepted.</summary>
    public static bool DropPageCache(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return PosixFadvise((int)handle.DangerousGetHandle(), 0, 0, PosixFadvDontNeed) == 0;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Asks the kernel to start reading a range into the page cache now, without waiting (<c>posix_fadvise(WILLNEED)</c>):
    /// a prover hints all its ranges first, so the device works on them concurrently while earlier items hash.
    /// </summary>
    public static bool PrefetchRange(SafeFileHandle handle, long offset, long length)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return PosixFadvise((int)handle.DangerousGetHandle(), (nint)offset, (nint)length, PosixFadvWillNeed) == 0;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    // off_t is 64-bit on the 64-bit targets (x64, arm64) and 32-bit on armhf without _FILE_OFFSET_BITS, like nint.
    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, nint offset, nint length, int advice);
}
