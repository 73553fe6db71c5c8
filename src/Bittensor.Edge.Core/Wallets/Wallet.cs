// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Core.Wallets;

/// <summary>
/// One wallet directory (protocol.md §5): a coldkey and any number of hotkeys.
/// <code>
/// &lt;root&gt;/&lt;name&gt;/coldkey                 secret, encrypted by default
/// &lt;root&gt;/&lt;name&gt;/coldkeypub.txt          public JSON
/// &lt;root&gt;/&lt;name&gt;/hotkeys/&lt;hotkey&gt;        secret, plaintext by default
/// &lt;root&gt;/&lt;name&gt;/hotkeys/&lt;hotkey&gt;pub.txt
/// </code>
/// </summary>
/// <remarks>
/// Creating a wallet object touches nothing on disk. Directories are created 0700 and files 0600; key files
/// are never overwritten. Thread-safe as far as the file system is: two processes creating the same key
/// race, and one of them gets <see cref="WalletErrorCode.AlreadyExists"/>.
/// </remarks>
public sealed class Wallet
{
    /// <summary>The environment variable that overrides the wallet root.</summary>
    public const string RootVariable = "BTE_WALLET_PATH";

    /// <summary>The environment variable that overrides the default wallet name.</summary>
    public const string NameVariable = "BTE_WALLET_NAME";

    /// <summary>The environment variable that overrides the default hotkey name.</summary>
    public const string HotkeyVariable = "BTE_WALLET_HOTKEY";

    /// <summary>The wallet and hotkey name used when none is given.</summary>
    public const string DefaultName = "default";

    private const string PubSuffix = "pub.txt";

    /// <summary>The wallet <paramref name="name"/> under <paramref name="rootPath"/>.</summary>
    /// <exception cref="WalletException"><see cref="WalletErrorCode.InvalidName"/>: the name is not a plain file name.</exception>
    public Wallet(string rootPath, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        EnsureValidName(name, "wallet");
        RootPath = Path.GetFullPath(rootPath);
        Name = name;
        DirectoryPath = Path.Combine(RootPath, name);
    }

    /// <summary>The wallet root.</summary>
    public string RootPath { get; }

    /// <summary>The wallet name.</summary>
    public string Name { get; }

    /// <summary><c>&lt;root&gt;/&lt;name&gt;</c>.</summary>
    public string DirectoryPath { get; }

    /// <summary>The secret coldkey file.</summary>
    public string ColdkeyPath => Path.Combine(DirectoryPath, "coldkey");

    /// <summary>The public coldkey file.</summary>
    public string ColdkeyPubPath => Path.Combine(DirectoryPath, "coldkeypub.txt");

    /// <summary>The directory of hotkey files.</summary>
    public string HotkeysPath => Path.Combine(DirectoryPath, "hotkeys");

    /// <summary>Whether a coldkey or coldkeypub.txt exists.</summary>
    public bool Exists => File.Exists(ColdkeyPath) || File.Exists(ColdkeyPubPath);

    /// <summary>
    /// The wallet root: <paramref name="getEnvironmentVariable"/>("BTE_WALLET_PATH") when set, else
    /// <c>~/.bittensor-edge/wallets</c>.
    /// </summary>
    public static string DefaultRootPath(Func<string, string?>? getEnvironmentVariable = null)
    {
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        string? fromEnvironment = getEnvironmentVariable(RootVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return ExpandHome(fromEnvironment);
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".bittensor-edge", "wallets");
    }

    /// <summary>The wallet name from <c>BTE_WALLET_NAME</c>, else <c>default</c>.</summary>
    public static string DefaultWalletName(Func<string, string?>? getEnvironmentVariable = null) =>
        NonEmpty((getEnvironmentVariable ?? Environment.GetEnvironmentVariable)(NameVariable)) ?? DefaultName;

    /// <summary>The hotkey name from <c>BTE_WALLET_HOTKEY</c>, else <c>default</c>.</summary>
    public static string DefaultHotkeyName(Func<string, string?>? getEnvironmentVariable = null) =>
        NonEmpty((getEnvironmentVariable ?? Environment.GetEnvironmentVariable)(HotkeyVariable)) ?? DefaultName;

    /// <summary>The names of the wallets under <paramref name="rootPath"/> (directories holding a coldkey or coldkeypub.txt), sorted.</summary>
    public static IReadOnlyList<string> List(string rootPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        if (!System.IO.Directory.Exists(rootPath))
        {
            return [];
        }

        List<string> names = [];
        foreach (string directory in System.IO.Directory.EnumerateDirectories(rootPath))
        {
            string name = Path.GetFileName(directory);
            if (IsValidName(name) && new Wallet(rootPath, name).Exists)
            {
                names.Add(name);
            }
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>Whether <paramref name="name"/> can name a wallet or hotkey: 1–64 of <c>A–Z a–z 0–9 . _ -</c>, not starting with a dot.</summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64 || name[0] == '.')
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The secret file of hotkey <paramref name="hotkey"/>.</summary>
    public string HotkeyPath(string hotkey)
    {
        EnsureValidName(hotkey, "hotkey");
        return Path.Combine(HotkeysPath, hotkey);
    }

    /// <summary>The public file of hotkey <paramref name="hotkey"/>.</summary>
    public string HotkeyPubPath(string hotkey)
    {
        EnsureValidName(hotkey, "hotkey");
        return Path.Combine(HotkeysPath, hotkey + PubSuffix);
    }

    /// <summary>The hotkey names (those with a secret or a public file), sorted.</summary>
    public IReadOnlyList<string> ListHotkeys()
    {
        if (!System.IO.Directory.Exists(HotkeysPath))
        {
            return [];
        }

        SortedSet<string> names = new(StringComparer.Ordinal);
        foreach (string file in System.IO.Directory.EnumerateFiles(HotkeysPath))
        {
            string name = Path.GetFileName(file);
            if (name.EndsWith(PubSuffix, StringComparison.Ordinal) && IsValidName(name[..^PubSuffix.Length]))
            {
                names.Add(name[..^PubSuffix.Length]);
            }
            else if (IsValidName(name) && !name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                names.Add(name);
            }
        }

        return [.. names];
    }

    /// <summary>
    /// Writes the coldkey and coldkeypub.txt: encrypted with <paramref name="password"/> at <paramref name="cost"/>
    /// (default <see cref="KdfCost.Coldkey"/>), or plaintext when <paramref name="password"/> is <see langword="null"/>.
    /// </summary>
    /// <exception cref="WalletException"><see cref="WalletErrorCode.AlreadyExists"/> or <see cref="WalletErrorCode.PasswordTooShort"/>.</exception>
    public void WriteColdkey(WalletKey key, string? password, KdfCost? cost = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (File.Exists(ColdkeyPath) || File.Exists(ColdkeyPubPath))
        {
            throw new WalletException(WalletErrorCode.AlreadyExists, $"Wallet '{Name}' already has a coldkey at {ColdkeyPath}. Choose another wallet name, or remove {DirectoryPath} if you mean to replace it.");
        }

        SecureFile.CreateDirectory(DirectoryPath);
        WriteSecret(ColdkeyPath, key, password, cost ?? KdfCost.Coldkey);
        KeyFile.WritePublic(ColdkeyPubPath, key.PublicKey);
    }

    /// <summary>
    /// Writes hotkey <paramref name="hotkey"/> and its pub file: plaintext by default, or encrypted with
    /// <paramref name="password"/> at <paramref name="cost"/> (default <see cref="KdfCost.Hotkey"/>).
    /// </summary>
    /// <exception cref="WalletException"><see cref="WalletErrorCode.AlreadyExists"/> or <see cref="WalletErrorCode.PasswordTooShort"/>.</exception>
    public void WriteHotkey(string hotkey, WalletKey key, string? password = null, KdfCost? cost = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        string path = HotkeyPath(hotkey);
        string pubPath = HotkeyPubPath(hotkey);
        if (File.Exists(path) || File.Exists(pubPath))
        {
            throw new WalletException(WalletErrorCode.AlreadyExists, $"Wallet '{Name}' already has a hotkey '{hotkey}' at {path}. Choose another hotkey name, or remove both of its files if you mean to replace it.");
        }

        SecureFile.CreateDirectory(HotkeysPath);
        WriteSecret(path, key, password, cost ?? KdfCost.Hotkey);
        KeyFile.WritePublic(pubPath, key.PublicKey);
    }

    /// <summary>The coldkey's public key, from coldkeypub.txt (no password needed).</summary>
    /// <exception cref="WalletException">The file is missing or corrupt.</exception>
    public PublicKey ReadColdkeyPublic() => KeyFile.ReadPublic(ColdkeyPubPath);

    /// <summary>Hotkey <paramref name="hotkey"/>'s public key, from its pub file.</summary>
    /// <exception cref="WalletException">The file is missing or corrupt.</exception>
    public PublicKey ReadHotkeyPublic(string hotkey) => KeyFile.ReadPublic(HotkeyPubPath(hotkey));

    /// <summary>Whether the coldkey file is encrypted.</summary>
    /// <exception cref="WalletException">The file is missing, not private or corrupt.</exception>
    public bool IsColdkeyEncrypted() => KeyFile.IsEncrypted(ColdkeyPath);

    /// <summary>Whether hotkey <paramref name="hotkey"/>'s file is encrypted.</summary>
    /// <exception cref="WalletException">The file is missing, not private or corrupt.</exception>
    public bool IsHotkeyEncrypted(string hotkey) => KeyFile.IsEncrypted(HotkeyPath(hotkey));

    /// <summary>Loads the coldkey, decrypting it with <paramref name="password"/> when it is encrypted.</summary>
    /// <exception cref="WalletException"><see cref="WalletErrorCode.WalletDecryptFailed"/> for a wrong password, and the other read failures.</exception>
    public WalletKey LoadColdkey(string? password) => KeyFile.ReadSecret(ColdkeyPath, password);

    /// <summary>Loads hotkey <paramref name="hotkey"/>, decrypting it with <paramref name="password"/> when it is encrypted.</summary>
    /// <exception cref="WalletException"><see cref="WalletErrorCode.WalletDecryptFailed"/> for a wrong password, and the other read failures.</exception>
    public WalletKey LoadHotkey(string hotkey, string? password = null) => KeyFile.ReadSecret(HotkeyPath(hotkey), password);

    private static void WriteSecret(string path, WalletKey key, string? password, KdfCost cost)
    {
        if (password is null)
        {
            KeyFile.WritePlaintext(path, key);
        }
        else
        {
            KeyFile.WriteEncrypted(path, key, password, cost);
        }
    }

    private static void EnsureValidName(string? name, string what)
    {
        if (!IsValidName(name))
        {
            throw new WalletException(WalletErrorCode.InvalidName, $"'{name}' is not a valid {what} name: use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'.");
        }
    }

    private static string ExpandHome(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : string.Empty);
        }

        return path;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
