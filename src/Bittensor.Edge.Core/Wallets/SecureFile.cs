// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;

namespace Bittensor.Edge.Core.Wallets;

/// <summary>
/// Key-file I/O: directories made 0700 and files 0600 at creation (never chmod'ed afterwards), writes as
/// temp → fsync → rename, and a refusal to read secrets that group or others can reach.
/// </summary>
internal static class SecureFile
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Key files are small; anything larger is not one of ours.</summary>
    public const int MaxFileBytes = 64 * 1024;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Creates <paramref name="path"/> and any missing parents, each with mode 0700 (the mode overload of
    /// <see cref="Directory.CreateDirectory(string, UnixFileMode)"/> sets it on the last one only).
    /// </summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Stack<string> missing = new();
        for (string? current = Path.GetFullPath(path); current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing.Push(current);
        }

        while (missing.TryPop(out string? directory))
        {
            Directory.CreateDirectory(directory, DirectoryMode);
        }
    }

    /// <summary>
    /// Writes <paramref name="contents"/> to a new 0600 temporary file beside <paramref name="path"/>, flushes it
    /// to disk, then renames it to <paramref name="path"/>; fails if <paramref name="path"/> exists.
    /// </summary>
    public static void WriteNew(string path, ReadOnlySpan<byte> contents)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
        FileStreamOptions options = new()
        {
            Mode = System.IO.FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        try
        {
            using (FileStream stream = new(temp, options))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            if (File.Exists(path))
            {
                throw new WalletException(WalletErrorCode.AlreadyExists, $"{path} already exists; key files are never overwritten. Remove it first if you mean to replace it.");
            }

            File.Move(temp, path, overwrite: false);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Reads a key file, first refusing a secret one that group or others can access.</summary>
    public static byte[] ReadAll(string path, bool secret)
    {
        if (!File.Exists(path))
        {
            throw new WalletException(WalletErrorCode.NotFound, $"No key file at {path}.");
        }

        if (secret)
        {
            EnsurePrivate(path);
        }

        using FileStream stream = new(path, System.IO.FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > MaxFileBytes)
        {
            throw new WalletException(WalletErrorCode.KeyFileCorrupt, $"{path} is {stream.Length} bytes, too large to be a key file.");
        }

        byte[] contents = new byte[stream.Length];
        stream.ReadExactly(contents);
        return contents;
    }

    /// <summary>Throws <see cref="WalletErrorCode.InsecurePermissions"/> when group or others have any access.</summary>
    public static void EnsurePrivate(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) != 0)
        {
            throw new WalletException(
                WalletErrorCode.InsecurePermissions,
                $"{path} is accessible by group or others (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}); a secret key file must be private. Fix it with: chmod 600 '{path}'");
        }
    }
}
