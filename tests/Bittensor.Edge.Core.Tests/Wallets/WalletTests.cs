// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Core.Tests.Wallets;

public sealed class WalletTests : IDisposable
{
    private const string Password = "correct horse battery";
    private const UnixFileMode Mode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode700 = Mode600 | UnixFileMode.UserExecute;

    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Creating_a_wallet_writes_the_spec_layout_with_private_modes()
    {
        Wallet wallet = new(Path.Combine(_root.Path, "wallets"), "alice");
        using WalletKey coldkey = WalletKey.Generate();
        using WalletKey hotkey = WalletKey.Generate();

        wallet.WriteColdkey(coldkey, Password, TempDirectory.LightCost);
        wallet.WriteHotkey("miner1", hotkey);

        string dir = Path.Combine(_root.Path, "wallets", "alice");
        Assert.Equal(Path.Combine(dir, "coldkey"), wallet.ColdkeyPath);
        Assert.Equal(Path.Combine(dir, "coldkeypub.txt"), wallet.ColdkeyPubPath);
        Assert.Equal(Path.Combine(dir, "hotkeys", "miner1"), wallet.HotkeyPath("miner1"));
        Assert.Equal(Path.Combine(dir, "hotkeys", "miner1pub.txt"), wallet.HotkeyPubPath("miner1"));
        Assert.Equal(
            ["coldkey", "coldkeypub.txt", "hotkeys"],
            Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["miner1", "miner1pub.txt"], Directory.EnumerateFiles(wallet.HotkeysPath).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(Mode700, File.GetUnixFileMode(Path.Combine(_root.Path, "wallets")));
            Assert.Equal(Mode700, File.GetUnixFileMode(dir));
            Assert.Equal(Mode700, File.GetUnixFileMode(wallet.HotkeysPath));
            foreach (string file in new[] { wallet.ColdkeyPath, wallet.ColdkeyPubPath, wallet.HotkeyPath("miner1"), wallet.HotkeyPubPath("miner1") })
            {
                Assert.Equal(Mode600, File.GetUnixFileMode(file));
            }
        }

        Assert.True(wallet.IsColdkeyEncrypted());
        Assert.False(wallet.IsHotkeyEncrypted("miner1"));
        Assert.Equal(coldkey.PublicKey, wallet.ReadColdkeyPublic());
        Assert.Equal(hotkey.PublicKey, wallet.ReadHotkeyPublic("miner1"));
    }

    [Fact]
    public void Keys_load_back_and_sign_like_the_originals()
    {
        Wallet wallet = new(_root.Path, "w");
        using WalletKey coldkey = WalletKey.GenerateWithMnemonic();
        using WalletKey hotkey = WalletKey.Generate();
        wallet.WriteColdkey(coldkey, Password, TempDirectory.LightCost);
        wallet.WriteHotkey("default", hotkey);

        using WalletKey loadedCold = wallet.LoadColdkey(Password);
        using WalletKey loadedHot = wallet.LoadHotkey("default");

        Assert.Equal(coldkey.SecretPhrase, loadedCold.SecretPhrase);
        Assert.True(Ed25519.Verify(coldkey.PublicKey, "m"u8, loadedCold.KeyPair.Sign("m"u8)));
        Assert.Equal(hotkey.PublicKey, loadedHot.PublicKey);
        Assert.Null(loadedHot.SecretPhrase);
    }

    [Fact]
    public void Wrong_password_gives_WalletDecryptFailed()
    {
        Wallet wallet = new(_root.Path, "w");
        using WalletKey coldkey = WalletKey.Generate();
        wallet.WriteColdkey(coldkey, Password, TempDirectory.LightCost);

        Assert.Equal(WalletErrorCode.WalletDecryptFailed, Assert.Throws<WalletException>(() => wallet.LoadColdkey("wrong password")).Code);
    }

    [Fact]
    public void An_encrypted_hotkey_round_trips()
    {
        Wallet wallet = new(_root.Path, "w");
        using WalletKey hotkey = WalletKey.Generate();
        wallet.WriteHotkey("h", hotkey, Password, TempDirectory.LightCost);

        using WalletKey loaded = wallet.LoadHotkey("h", Password);

        Assert.True(wallet.IsHotkeyEncrypted("h"));
        Assert.Equal(hotkey.PublicKey, loaded.PublicKey);
    }

    [Fact]
    public void Existing_keys_are_never_overwritten()
    {
        Wallet wallet = new(_root.Path, "w");
        using WalletKey first = WalletKey.Generate();
        using WalletKey second = WalletKey.Generate();
        wallet.WriteColdkey(first, null);
        wallet.WriteHotkey("h", first);

        WalletException cold = Assert.Throws<WalletException>(() => wallet.WriteColdkey(second, null));
        WalletException hot = Assert.Throws<WalletException>(() => wallet.WriteHotkey("h", second));

        Assert.Equal(WalletErrorCode.AlreadyExists, cold.Code);
        Assert.Contains("another wallet name", cold.Message, StringComparison.Ordinal);
        Assert.Equal(WalletErrorCode.AlreadyExists, hot.Code);
        Assert.Equal(first.PublicKey, wallet.ReadColdkeyPublic());
        Assert.Equal(first.PublicKey, wallet.ReadHotkeyPublic("h"));
    }

    [Fact]
    public void A_group_or_world_readable_secret_is_refused_with_the_fix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Wallet wallet = new(_root.Path, "w");
        using WalletKey hotkey = WalletKey.Generate();
        wallet.WriteHotkey("h", hotkey);
        File.SetUnixFileMode(wallet.HotkeyPath("h"), Mode600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        WalletException e = Assert.Throws<WalletException>(() => wallet.LoadHotkey("h"));

        Assert.Equal(WalletErrorCode.InsecurePermissions, e.Code);
        Assert.Contains($"chmod 600 '{wallet.HotkeyPath("h")}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("0644", e.Message, StringComparison.Ordinal);
        Assert.Equal(hotkey.PublicKey, wallet.ReadHotkeyPublic("h"));
    }

    [Fact]
    public void No_temporary_files_are_left_behind()
    {
        Wallet wallet = new(_root.Path, "w");
        using WalletKey key = WalletKey.Generate();
        wallet.WriteColdkey(key, null);

        Assert.DoesNotContain(Directory.EnumerateFiles(wallet.DirectoryPath), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Wallets_and_hotkeys_are_listed_by_name()
    {
        using WalletKey key = WalletKey.Generate();
        new Wallet(_root.Path, "zeta").WriteColdkey(key, null);
        Wallet alpha = new(_root.Path, "alpha");
        alpha.WriteColdkey(key, null);
        alpha.WriteHotkey("b", key);
        alpha.WriteHotkey("a", key);
        Directory.CreateDirectory(Path.Combine(_root.Path, "empty"));

        Assert.Equal(["alpha", "zeta"], Wallet.List(_root.Path));
        Assert.Equal(["a", "b"], alpha.ListHotkeys());
        Assert.Empty(Wallet.List(Path.Combine(_root.Path, "missing")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("a b")]
    public void Names_that_are_not_plain_file_names_are_refused(string name)
    {
        Assert.Equal(WalletErrorCode.InvalidName, Assert.Throws<WalletException>(() => new Wallet(_root.Path, name)).Code);
        Assert.Equal(WalletErrorCode.InvalidName, Assert.Throws<WalletException>(() => new Wallet(_root.Path, "w").HotkeyPath(name)).Code);
    }

    [Fact]
    public void Missing_files_say_so()
    {
        Wallet wallet = new(_root.Path, "nobody");

        Assert.False(wallet.Exists);
        Assert.Equal(WalletErrorCode.NotFound, Assert.Throws<WalletException>(() => wallet.ReadColdkeyPublic()).Code);
        Assert.Equal(WalletErrorCode.NotFound, Assert.Throws<WalletException>(() => wallet.LoadColdkey(Password)).Code);
    }

    [Fact]
    public void Defaults_come_from_the_environment_or_the_home_directory()
    {
        Dictionary<string, string> env = new()
        {
            ["BTE_WALLET_PATH"] = "/srv/wallets",
            ["BTE_WALLET_NAME"] = "ops",
            ["BTE_WALLET_HOTKEY"] = "m1",
        };

        Assert.Equal("/srv/wallets", Wallet.DefaultRootPath(env.GetValueOrDefault));
        Assert.Equal("ops", Wallet.DefaultWalletName(env.GetValueOrDefault));
        Assert.Equal("m1", Wallet.DefaultHotkeyName(env.GetValueOrDefault));
        Assert.EndsWith(Path.Combine(".bittensor-edge", "wallets"), Wallet.DefaultRootPath(_ => null), StringComparison.Ordinal);
        Assert.Equal("default", Wallet.DefaultWalletName(_ => null));
        Assert.Equal("default", Wallet.DefaultHotkeyName(_ => ""));
    }

    [Fact]
    public void Password_files_lose_one_trailing_line_break()
    {
        string path = Path.Combine(_root.Path, "pw");
        File.WriteAllText(path, "secret password\n");
        string crlf = Path.Combine(_root.Path, "pw2");
        File.WriteAllText(crlf, " spaced \r\n");

        Assert.Equal("secret password", WalletPassword.ReadFile(path));
        Assert.Equal(" spaced ", WalletPassword.ReadFile(crlf));
    }

    [Fact]
    public void The_systemd_credential_is_read_from_CREDENTIALS_DIRECTORY()
    {
        File.WriteAllText(Path.Combine(_root.Path, "wallet-password"), "from systemd\n");

        Assert.True(WalletPassword.TryReadCredential(name => name == "CREDENTIALS_DIRECTORY" ? _root.Path : null, out string? password));
        Assert.Equal("from systemd", password);
        Assert.False(WalletPassword.TryReadCredential(_ => null, out _));
        Assert.False(WalletPassword.TryReadCredential(_ => Path.Combine(_root.Path, "none"), out _));
    }
}
