// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands.Wallet;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte wallet ...</c>: create, list and show wallets (protocol.md §5).</summary>
internal static class WalletCommands
{
    public static Command Create() => Create(WalletCliEnvironment.Default);

    /// <summary>The command tree over <paramref name="environment"/> (tests pass their own).</summary>
    internal static Command Create(WalletCliEnvironment environment)
    {
        Command wallet = new("wallet", "Create, list and show wallets (coldkeys and hotkeys).");
        Option<string?> walletPath = new("--wallet-path")
        {
            Description = "Wallet root directory (default: $BTE_WALLET_PATH, else ~/.bittensor-edge/wallets).",
            Recursive = true,
        };
        wallet.Options.Add(walletPath);

        wallet.Subcommands.Add(CreateCommand(environment, walletPath));
        wallet.Subcommands.Add(ListCommand(environment, walletPath));
        wallet.Subcommands.Add(ShowCommand(environment, walletPath));
        wallet.Subcommands.Add(TransferCommand(environment, walletPath));
        return wallet;
    }

    private static Command TransferCommand(WalletCliEnvironment environment, Option<string?> walletPath)
    {
        Chain.ChainOptions options = new(environment, walletPath);
        Option<string> to = new("--to") { Description = "The receiving account (SS58).", Required = true };
        Option<string> amount = new("--amount") { Description = "TAO to send, up to 9 decimals (e.g. 1.5); the 0.0001 TAO fee comes on top.", Required = true };
        Command transfer = new("transfer", "Send TAO from the wallet's coldkey to another account and wait for the block.") { to, amount };
        options.AddSigning(transfer);
        transfer.SetAction((result, ct) => Chain.ChainCliContext.RunAsync(
            result, options, (c, t) => TransferAction.RunAsync(c, result.GetValue(to)!, result.GetValue(amount)!, t), ct));
        return transfer;
    }

    private static Command CreateCommand(WalletCliEnvironment environment, Option<string?> walletPath)
    {
        Command create = new("create", "Create a wallet: an encrypted coldkey and a plaintext hotkey, each with a mnemonic printed once.");
        Option<string> name = NameOption(environment);
        Option<string> hotkey = new("--hotkey")
        {
            Description = "Hotkey name (default: $BTE_WALLET_HOTKEY, else \"default\").",
            DefaultValueFactory = _ => Core.Wallets.Wallet.DefaultHotkeyName(environment.GetEnvironmentVariable),
        };
        Option<bool> noMnemonic = new("--no-mnemonic") { Description = "Make raw random seeds instead of BIP-39 mnemonics (no recovery phrase)." };
        Option<int> words = new("--words") { Description = "Mnemonic length: 12 or 24 words.", DefaultValueFactory = _ => 12 };
        Option<string?> passwordFile = PasswordFileOption();
        Option<bool> noEncrypt = new("--no-encrypt-coldkey") { Description = "Store the coldkey in plaintext (not recommended outside tests and dev networks)." };
        Option<bool> json = JsonOption();
        foreach (Option option in new Option[] { name, hotkey, noMnemonic, words, passwordFile, noEncrypt, json })
        {
            create.Options.Add(option);
        }

        create.SetAction((ParseResult result, CancellationToken cancellationToken) => Task.FromResult(WalletActions.Create(
            result,
            environment,
            new WalletCreateRequest(
                result.GetValue(walletPath),
                result.GetValue(name)!,
                result.GetValue(hotkey)!,
                !result.GetValue(noMnemonic),
                result.GetValue(words),
                result.GetResult(words) is { Implicit: false },
                result.GetValue(passwordFile),
                !result.GetValue(noEncrypt),
                result.GetValue(json)))));
        return create;
    }

    private static Command ListCommand(WalletCliEnvironment environment, Option<string?> walletPath)
    {
        Command list = new("list", "List the wallets under the wallet root with their coldkey addresses and hotkeys.");
        Option<bool> json = JsonOption();
        list.Options.Add(json);
        list.SetAction((ParseResult result, CancellationToken cancellationToken) =>
            Task.FromResult(WalletActions.List(result, environment, result.GetValue(walletPath), result.GetValue(json))));
        return list;
    }

    private static Command ShowCommand(WalletCliEnvironment environment, Option<string?> walletPath)
    {
        Command show = new("show", "Show one wallet: addresses, public keys, file paths and whether each secret is encrypted.");
        Option<string> name = NameOption(environment);
        Option<bool> json = JsonOption();
        show.Options.Add(name);
        show.Options.Add(json);
        show.SetAction((ParseResult result, CancellationToken cancellationToken) =>
            Task.FromResult(WalletActions.Show(result, environment, result.GetValue(walletPath), result.GetValue(name)!, result.GetValue(json))));
        return show;
    }

    private static Option<string> NameOption(WalletCliEnvironment environment) => new("--name")
    {
        Description = "Wallet name (default: $BTE_WALLET_NAME, else \"default\").",
        DefaultValueFactory = _ => Core.Wallets.Wallet.DefaultWalletName(environment.GetEnvironmentVariable),
    };

    private static Option<string?> PasswordFileOption() => new("--password-file")
    {
        Description = "Read the coldkey password from this file (else $CREDENTIALS_DIRECTORY/wallet-password, else a prompt). Environment variables are never read for passwords.",
    };

    private static Option<bool> JsonOption() => new("--json") { Description = "Write JSON instead of text." };
}
