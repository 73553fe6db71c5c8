// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Node;

/// <summary>
/// Loads the block author's key from the URI in <c>node:authorKeyUri</c>: <c>file:///path</c> (a plaintext key file of
/// protocol.md §5, which must be private to its owner) or <c>wallet://NAME/HOTKEY</c> (a plaintext hotkey under the
/// wallet root). Encrypted files are refused: a node restarts unattended, and a password kept beside it protects nothing.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class AuthorKeyLoader
{
    private const string FileScheme = "file://";
    private const string WalletScheme = "wallet://";

    /// <summary>Whether <paramref name="uri"/> is empty (no author) or has one of the supported forms.</summary>
    public static bool IsWellFormed(string? uri, [NotNullWhen(false)] out string? problem) =>
        IsWellFormed(uri, "no block production", out problem);

    /// <summary>
    /// Whether <paramref name="uri"/> is empty or has one of the supported forms; <paramref name="emptyMeaning"/> says
    /// what an empty URI means, for the problem text.
    /// </summary>
    public static bool IsWellFormed(string? uri, string emptyMeaning, [NotNullWhen(false)] out string? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(uri))
        {
            return true;
        }

        if (uri.StartsWith(FileScheme, StringComparison.OrdinalIgnoreCase))
        {
            if (uri.Length == FileScheme.Length)
            {
                problem = "file:// needs a path, e.g. file:///etc/bte/authority.key.";
                return false;
            }

            return true;
        }

        if (uri.StartsWith(WalletScheme, StringComparison.OrdinalIgnoreCase))
        {
            string[] parts = uri[WalletScheme.Length..].Split('/');
            if (parts.Length != 2 || !Wallet.IsValidName(parts[0]) || !Wallet.IsValidName(parts[1]))
            {
                problem = $"'{uri}' is not wallet://NAME/HOTKEY with valid wallet and hotkey names.";
                return false;
            }

            return true;
        }

        problem = $"'{uri}' is neither file:///path nor wallet://NAME/HOTKEY (or empty for {emptyMeaning}).";
        return false;
    }

    /// <summary>
    /// Loads the key; <paramref name="key"/> is <see langword="null"/> (and the call succeeds) when
    /// <paramref name="uri"/> is empty. The caller disposes the key.
    /// </summary>
    public static bool TryLoad(string? uri, Func<string, string?> getEnvironmentVariable, out WalletKey? key, [NotNullWhen(false)] out string? error) =>
        TryLoad(uri, "author key", getEnvironmentVariable, out key, out error);

    /// <summary>
    /// Loads a key of the same URI forms for another use (<paramref name="role"/>, such as "validator hotkey", names it
    /// in errors); <paramref name="key"/> is <see langword="null"/> when <paramref name="uri"/> is empty. The caller
    /// disposes the key.
    /// </summary>
    public static bool TryLoad(string? uri, string role, Func<string, string?> getEnvironmentVariable, out WalletKey? key, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        key = null;
        if (!IsWellFormed(uri, $"no {role}", out error))
        {
            return false;
        }

        if (string.IsNullOrEmpty(uri))
        {
            return true;
        }

        try
        {
            if (uri.StartsWith(FileScheme, StringComparison.OrdinalIgnoreCase))
            {
                key = KeyFile.ReadSecret(Uri.UnescapeDataString(uri[FileScheme.Length..]), password: null);
            }
            else
            {
                string[] parts = uri[WalletScheme.Length..].Split('/');
                key = new Wallet(Wallet.DefaultRootPath(getEnvironmentVariable), parts[0]).LoadHotkey(parts[1], password: null);
            }

            return true;
        }
        catch (WalletException e) when (e.Code == WalletErrorCode.PasswordRequired)
        {
            error = $"The {role} at {uri} is encrypted; the node needs a plaintext key file (mode 0600) it can read unattended.";
            return false;
        }
        catch (WalletException e)
        {
            error = $"Cannot load the {role} {uri}: {e.Message}";
            return false;
        }
    }
}
