// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Miner.Device;

/// <summary>
/// The device's Ed25519 key in <c>&lt;dataDir&gt;/device.key</c> (fleet.md §3, step 2): plaintext key JSON as in
/// protocol.md §5 (Core's <see cref="KeyFile"/>), mode 0600, created on first start as temp → fsync → rename and then
/// the folder fsynced, so a power cut never leaves a half key or a key the fleet knows but the disk forgot.
/// </summary>
/// <remarks>Stateless and thread-safe. The caller disposes the returned key.</remarks>
public static class DeviceKeyStore
{
    /// <summary>Loads the key, creating it (and the data folder, 0700) when absent.</summary>
    /// <param name="path">The key file.</param>
    /// <param name="key">The key.</param>
    /// <param name="created">Whether it was generated now.</param>
    /// <param name="error">Why it cannot be used: unreadable, readable by group or others, corrupt, or encrypted.</param>
    public static bool TryLoadOrCreate(string path, [NotNullWhen(true)] out WalletKey? key, out bool created, [NotNullWhen(false)] out string? error)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        key = null;
        created = false;
        try
        {
            if (File.Exists(path))
            {
                if (KeyFile.IsEncrypted(path))
                {
                    error = $"{path} is encrypted; a device key must be a plaintext key file (an unattended boot has no one to type its password).";
                    return false;
                }

                key = KeyFile.ReadSecret(path, password: null);
                error = null;
                return true;
            }

            string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!Directory.Exists(directory))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(directory);
                }
                else
                {
                    Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            WalletKey generated = WalletKey.Generate();
            try
            {
                KeyFile.WritePlaintext(path, generated);
                DurableFile.SyncDirectoryOf(path);
            }
            catch
            {
                generated.Dispose();
                throw;
            }

            key = generated;
            created = true;
            error = null;
            return true;
        }
        catch (WalletException e)
        {
            error = e.Message;
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{path}: {e.Message}";
            return false;
        }
    }
}
