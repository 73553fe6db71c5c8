// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Cli.Tests;

public sealed class WalletListShowTests : IDisposable
{
    private const string Password = "correct horse battery";

    private readonly WalletCliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task List_shows_each_wallet_with_its_coldkey_address_and_hotkeys()
    {
        await _cli.RunAsync("wallet", "create", "--name", "alice", "--hotkey", "m1", "--no-encrypt-coldkey");
        await _cli.RunAsync("wallet", "create", "--name", "bob", "--no-encrypt-coldkey");
        Wallet alice = new(_cli.WalletRoot, "alice");

        CliResult result = await _cli.RunAsync("wallet", "list");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Coldkey (SS58)", result.Output, StringComparison.Ordinal);
        Assert.Contains("alice", result.Output, StringComparison.Ordinal);
        Assert.Contains("bob", result.Output, StringComparison.Ordinal);
        Assert.Contains(alice.ReadColdkeyPublic().ToSs58(), result.Output, StringComparison.Ordinal);
        Assert.Contains(alice.ReadHotkeyPublic("m1").ToSs58(), result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_json_has_every_wallet_and_key()
    {
        await _cli.RunAsync("wallet", "create", "--name", "alice", "--hotkey", "m1", "--password-file", _cli.WritePasswordFile(Password));

        CliResult result = await _cli.RunAsync("wallet", "list", "--json");

        Assert.Equal(0, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement wallet = json.RootElement.GetProperty("wallets")[0];
        Assert.Equal(_cli.WalletRoot, json.RootElement.GetProperty("root").GetString());
        Assert.Equal("alice", wallet.GetProperty("name").GetString());
        Assert.Equal(new Wallet(_cli.WalletRoot, "alice").ReadColdkeyPublic().ToSs58(), wallet.GetProperty("coldkey").GetProperty("ss58Address").GetString());
        Assert.True(wallet.GetProperty("coldkey").GetProperty("encrypted").GetBoolean());
        Assert.Equal("m1", wallet.GetProperty("hotkeys")[0].GetProperty("name").GetString());
        Assert.DoesNotContain("mnemonic", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_of_an_empty_root_says_how_to_create_a_wallet()
    {
        CliResult result = await _cli.RunAsync("wallet", "list");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("bte wallet create", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_json_gives_addresses_public_keys_paths_and_encryption_state()
    {
        await _cli.RunAsync("wallet", "create", "--name", "alice", "--hotkey", "m1", "--password-file", _cli.WritePasswordFile(Password));
        Wallet wallet = new(_cli.WalletRoot, "alice");

        CliResult result = await _cli.RunAsync("wallet", "show", "--name", "alice", "--json");

        Assert.Equal(0, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement coldkey = json.RootElement.GetProperty("coldkey");
        JsonElement hotkey = json.RootElement.GetProperty("hotkeys")[0];
        Assert.Equal(wallet.DirectoryPath, json.RootElement.GetProperty("path").GetString());
        Assert.Equal(wallet.ReadColdkeyPublic().ToString(), coldkey.GetProperty("publicKey").GetString());
        Assert.Equal(wallet.ReadColdkeyPublic().ToSs58(), coldkey.GetProperty("ss58Address").GetString());
        Assert.Equal(wallet.ColdkeyPath, coldkey.GetProperty("path").GetString());
        Assert.Equal(wallet.ColdkeyPubPath, coldkey.GetProperty("pubPath").GetString());
        Assert.True(coldkey.GetProperty("encrypted").GetBoolean());
        Assert.Equal(wallet.HotkeyPath("m1"), hotkey.GetProperty("path").GetString());
        Assert.Equal(wallet.HotkeyPubPath("m1"), hotkey.GetProperty("pubPath").GetString());
        Assert.False(hotkey.GetProperty("encrypted").GetBoolean());
    }

    [Fact]
    public async Task Show_text_lists_both_keys()
    {
        await _cli.RunAsync("wallet", "create", "--no-encrypt-coldkey");
        Wallet wallet = new(_cli.WalletRoot, "default");

        CliResult result = await _cli.RunAsync("wallet", "show");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(wallet.ReadColdkeyPublic().ToSs58(), result.Output, StringComparison.Ordinal);
        Assert.Contains(wallet.HotkeyPath("default"), result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_of_a_missing_wallet_says_how_to_create_it()
    {
        CliResult result = await _cli.RunAsync("wallet", "show", "--name", "ghost");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("bte wallet create --name ghost", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_warns_about_a_world_readable_secret_with_the_fix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await _cli.RunAsync("wallet", "create", "--no-encrypt-coldkey");
        Wallet wallet = new(_cli.WalletRoot, "default");
        File.SetUnixFileMode(wallet.HotkeyPath("default"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        CliResult result = await _cli.RunAsync("wallet", "show");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"chmod 600 '{wallet.HotkeyPath("default")}'", result.Error, StringComparison.Ordinal);
    }
}
