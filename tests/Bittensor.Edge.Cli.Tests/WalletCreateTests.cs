// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Cli.Tests;

public sealed class WalletCreateTests : IDisposable
{
    private const string Password = "correct horse battery";
    private const UnixFileMode Mode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode700 = Mode600 | UnixFileMode.UserExecute;

    private readonly WalletCliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Create_with_a_password_file_writes_an_encrypted_coldkey_and_a_plaintext_hotkey()
    {
        CliResult result = await _cli.RunAsync("wallet", "create", "--name", "alice", "--hotkey", "miner", "--password-file", _cli.WritePasswordFile(Password), "--json");

        Assert.Equal(0, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement coldkey = json.RootElement.GetProperty("coldkey");
        JsonElement hotkey = json.RootElement.GetProperty("hotkeys")[0];
        Wallet wallet = new(_cli.WalletRoot, "alice");
        Assert.Equal("alice", json.RootElement.GetProperty("name").GetString());
        Assert.Equal(wallet.ColdkeyPath, coldkey.GetProperty("path").GetString());
        Assert.True(coldkey.GetProperty("encrypted").GetBoolean());
        Assert.Equal("miner", hotkey.GetProperty("name").GetString());
        Assert.False(hotkey.GetProperty("encrypted").GetBoolean());
        Assert.True(wallet.IsColdkeyEncrypted());
        Assert.False(wallet.IsHotkeyEncrypted("miner"));

        using WalletKey loaded = wallet.LoadColdkey(Password);
        string mnemonic = coldkey.GetProperty("mnemonic").GetString()!;
        using Ed25519KeyPair fromMnemonic = Mnemonic.ToKeyPair(mnemonic);
        Assert.Equal(loaded.PublicKey, fromMnemonic.PublicKey);
        Assert.Equal(loaded.Ss58Address, coldkey.GetProperty("ss58Address").GetString());
        Assert.Equal(12, mnemonic.Split(' ').Length);
        Assert.Contains("write them down", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Directories_are_0700_and_files_0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        CliResult result = await _cli.RunAsync("wallet", "create", "--password-file", _cli.WritePasswordFile(Password));

        Assert.Equal(0, result.ExitCode);
        Wallet wallet = new(_cli.WalletRoot, "default");
        foreach (string directory in new[] { _cli.WalletRoot, wallet.DirectoryPath, wallet.HotkeysPath })
        {
            Assert.Equal(Mode700, File.GetUnixFileMode(directory));
        }

        foreach (string file in new[] { wallet.ColdkeyPath, wallet.ColdkeyPubPath, wallet.HotkeyPath("default"), wallet.HotkeyPubPath("default") })
        {
            Assert.Equal(Mode600, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task Create_prints_the_mnemonic_once_with_a_warning()
    {
        CliResult created = await _cli.RunAsync("wallet", "create", "--password-file", _cli.WritePasswordFile(Password));
        using WalletKey hotkey = new Wallet(_cli.WalletRoot, "default").LoadHotkey("default");

        Assert.Equal(0, created.ExitCode);
        Assert.Contains("Write these mnemonics down", created.Output, StringComparison.Ordinal);
        Assert.Contains("coldkey mnemonic: ", created.Output, StringComparison.Ordinal);
        Assert.Contains($"hotkey 'default' mnemonic: {hotkey.SecretPhrase}", created.Output, StringComparison.Ordinal);

        CliResult shown = await _cli.RunAsync("wallet", "show");
        Assert.DoesNotContain(hotkey.SecretPhrase!, shown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_refuses_an_existing_wallet_and_says_what_to_do()
    {
        string passwordFile = _cli.WritePasswordFile(Password);
        await _cli.RunAsync("wallet", "create", "--password-file", passwordFile);
        string before = File.ReadAllText(new Wallet(_cli.WalletRoot, "default").ColdkeyPubPath);

        CliResult again = await _cli.RunAsync("wallet", "create", "--password-file", passwordFile);

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
        Assert.Contains("--name", again.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(new Wallet(_cli.WalletRoot, "default").ColdkeyPubPath));
    }

    [Fact]
    public async Task Without_a_terminal_or_password_file_create_says_to_pass_one_and_writes_nothing()
    {
        CliResult result = await _cli.RunAsync("wallet", "create");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--password-file", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_cli.WalletRoot, "default")));
    }

    [Fact]
    public async Task The_prompt_asks_twice_and_accepts_matching_passwords()
    {
        ScriptedPrompt prompt = new(Password, Password);
        _cli.Prompt = prompt;

        CliResult result = await _cli.RunAsync("wallet", "create");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, prompt.Questions.Count);
        using WalletKey loaded = new Wallet(_cli.WalletRoot, "default").LoadColdkey(Password);
    }

    [Fact]
    public async Task Different_passwords_at_the_prompt_create_nothing()
    {
        _cli.Prompt = new ScriptedPrompt(Password, Password + "x");

        CliResult result = await _cli.RunAsync("wallet", "create");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("differ", result.Error, StringComparison.Ordinal);
        Assert.False(new Wallet(_cli.WalletRoot, "default").Exists);
    }

    [Fact]
    public async Task A_password_shorter_than_8_characters_is_refused()
    {
        CliResult result = await _cli.RunAsync("wallet", "create", "--password-file", _cli.WritePasswordFile("1234567"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("at least 8 characters", result.Error, StringComparison.Ordinal);
        Assert.False(new Wallet(_cli.WalletRoot, "default").Exists);
    }

    [Fact]
    public async Task The_systemd_credential_supplies_the_password()
    {
        string credentials = Path.Combine(_cli.Directory, "credentials");
        Directory.CreateDirectory(credentials);
        File.WriteAllText(Path.Combine(credentials, "wallet-password"), Password);
        _cli.Environment["CREDENTIALS_DIRECTORY"] = credentials;

        CliResult result = await _cli.RunAsync("wallet", "create");

        Assert.Equal(0, result.ExitCode);
        using WalletKey loaded = new Wallet(_cli.WalletRoot, "default").LoadColdkey(Password);
    }

    [Fact]
    public async Task A_password_in_an_environment_variable_is_ignored()
    {
        _cli.Environment["BTE_WALLET_PASSWORD"] = Password;
        _cli.Environment["WALLET_PASSWORD"] = Password;
        _cli.Environment["PASSWORD"] = Password;

        CliResult result = await _cli.RunAsync("wallet", "create");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--password-file", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Words_24_makes_24_word_mnemonics()
    {
        CliResult result = await _cli.RunAsync("wallet", "create", "--no-encrypt-coldkey", "--words", "24", "--json");

        Assert.Equal(0, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.Equal(24, json.RootElement.GetProperty("coldkey").GetProperty("mnemonic").GetString()!.Split(' ').Length);
        Assert.False(new Wallet(_cli.WalletRoot, "default").IsColdkeyEncrypted());
    }

    [Theory]
    [InlineData("--words", "13")]
    [InlineData("--no-mnemonic", "--words", "24")]
    public async Task Unsupported_word_choices_are_usage_errors(params string[] options)
    {
        CliResult result = await _cli.RunAsync(["wallet", "create", "--no-encrypt-coldkey", .. options]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--words", result.Error, StringComparison.Ordinal);
        Assert.False(new Wallet(_cli.WalletRoot, "default").Exists);
    }

    [Fact]
    public async Task No_mnemonic_makes_raw_seeds_and_prints_no_phrase()
    {
        CliResult result = await _cli.RunAsync("wallet", "create", "--no-encrypt-coldkey", "--no-mnemonic", "--json");

        Assert.Equal(0, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.False(json.RootElement.GetProperty("coldkey").TryGetProperty("mnemonic", out _));
        using WalletKey coldkey = new Wallet(_cli.WalletRoot, "default").LoadColdkey(null);
        Assert.Null(coldkey.SecretPhrase);
        Assert.DoesNotContain("secretPhrase", File.ReadAllText(new Wallet(_cli.WalletRoot, "default").ColdkeyPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wallet_path_option_overrides_BTE_WALLET_PATH_and_names_come_from_the_environment()
    {
        string other = Path.Combine(_cli.Directory, "elsewhere");
        _cli.Environment["BTE_WALLET_NAME"] = "ops";
        _cli.Environment["BTE_WALLET_HOTKEY"] = "m7";

        CliResult result = await _cli.RunAsync("wallet", "create", "--wallet-path", other, "--no-encrypt-coldkey");

        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(new Wallet(other, "ops").HotkeyPath("m7")));
        Assert.False(Directory.Exists(_cli.WalletRoot));
    }

    [Fact]
    public async Task An_invalid_wallet_name_is_explained()
    {
        CliResult result = await _cli.RunAsync("wallet", "create", "--name", "../escape", "--no-encrypt-coldkey");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not a valid wallet name", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_command_tree_creates_a_wallet()
    {
        string root = Path.Combine(_cli.Directory, "real");

        CliResult result = await WalletCliHarness.InvokeAsync(
            Program.BuildRoot(),
            ["wallet", "create", "--wallet-path", root, "--name", "w", "--hotkey", "h", "--no-encrypt-coldkey", "--json"]);

        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(new Wallet(root, "w").HotkeyPubPath("h")));
    }
}
