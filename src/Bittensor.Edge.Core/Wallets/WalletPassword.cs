// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Core.Wallets;

/// <summary>
/// Where wallet passwords come from besides a TTY prompt (protocol.md §5): a password file, or the systemd
/// credential <c>$CREDENTIALS_DIRECTORY/wallet-password</c>. Environment variables never hold passwords;
/// only the credential directory's location is read from one.
/// </summary>
public static class WalletPassword
{
    /// <summary>The shortest password accepted for a new encrypted key file.</summary>
    public const int MinimumLength = 8;

    /// <summary>The systemd credential name (<c>LoadCredential=wallet-password:...</c>).</summary>
    public const string CredentialName = "wallet-password";

    /// <summary>
    /// Reads a password file: its whole content as UTF-8, without one trailing line break.
    /// </summary>
    /// <exception cref="WalletException"><see cref="WalletErrorCode.NotFound"/>: no such file.</exception>
    public static string ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new WalletException(WalletErrorCode.NotFound, $"The password file {path} does not exist.");
        }

        string text = File.ReadAllText(path);
        if (text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            return text[..^2];
        }

        return text.EndsWith('\n') ? text[..^1] : text;
    }

    /// <summary>
    /// Reads <c>$CREDENTIALS_DIRECTORY/wallet-password</c> when systemd provides it.
    /// </summary>
    /// <param name="getEnvironmentVariable">Reads an environment variable; <see cref="Environment.GetEnvironmentVariable(string)"/> by default.</param>
    /// <param name="password">The password, when the credential exists.</param>
    public static bool TryReadCredential(Func<string, string?>? getEnvironmentVariable, out string? password)
    {
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        string? directory = getEnvironmentVariable("CREDENTIALS_DIRECTORY");
        password = null;
        if (string.IsNullOrEmpty(directory))
        {
            return false;
        }

        string path = Path.Combine(directory, CredentialName);
        if (!File.Exists(path))
        {
            return false;
        }

        password = ReadFile(path);
        return true;
    }

    /// <summary>Throws <see cref="WalletErrorCode.PasswordTooShort"/> for a new password under <see cref="MinimumLength"/> characters.</summary>
    public static void EnsureStrongEnough(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length < MinimumLength)
        {
            throw new WalletException(WalletErrorCode.PasswordTooShort, $"The password must be at least {MinimumLength} characters long.");
        }
    }
}
