// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.Text.Json;
using Bittensor.Edge.Core.Wallets;
using Spectre.Console;
using CoreWallet = Bittensor.Edge.Core.Wallets.Wallet;

namespace Bittensor.Edge.Cli.Commands.Wallet;

/// <summary>What <c>bte wallet create</c> was asked to do.</summary>
internal sealed record WalletCreateRequest(
    string? WalletPath,
    string Name,
    string Hotkey,
    bool WithMnemonic,
    int Words,
    bool WordsGiven,
    string? PasswordFile,
    bool EncryptColdkey,
    bool Json);

/// <summary>The bodies of the wallet commands. Exit codes: 0 ok, 1 error, 2 usage.</summary>
internal static class WalletActions
{
    public const int Ok = 0;
    public const int Error = 1;
    public const int Usage = 2;

    public static int Create(ParseResult result, WalletCliEnvironment environment, WalletCreateRequest request)
    {
        TextWriter output = result.InvocationConfiguration.Output;
        TextWriter error = result.InvocationConfiguration.Error;
        if (request.Words is not (12 or 24))
        {
            error.WriteLine($"error: --words must be 12 or 24, not {request.Words}.");
            return Usage;
        }

        if (!request.WithMnemonic && request.WordsGiven)
        {
            error.WriteLine("error: --words has no effect with --no-mnemonic.");
            return Usage;
        }

        try
        {
            string root = Root(request.WalletPath, environment);
            CoreWallet wallet = new(root, request.Name);
            if (wallet.Exists || Directory.Exists(wallet.DirectoryPath))
            {
                error.WriteLine($"error: wallet '{wallet.Name}' already exists at {wallet.DirectoryPath}. Use --name to create another wallet, or remove that directory to start over.");
                return Error;
            }

            string? password = null;
            if (request.EncryptColdkey && !TryGetNewPassword(request.PasswordFile, environment, error, out password))
            {
                return Error;
            }

            using WalletKey coldkey = request.WithMnemonic ? WalletKey.GenerateWithMnemonic(request.Words) : WalletKey.Generate();
            using WalletKey hotkey = request.WithMnemonic ? WalletKey.GenerateWithMnemonic(request.Words) : WalletKey.Generate();
            wallet.WriteColdkey(coldkey, password, environment.ColdkeyCost);
            wallet.WriteHotkey(request.Hotkey, hotkey);

            KeyJson cold = new("coldkey", coldkey.Ss58Address, coldkey.PublicKey.ToString(), wallet.ColdkeyPath, wallet.ColdkeyPubPath, request.EncryptColdkey, coldkey.SecretPhrase);
            KeyJson hot = new(request.Hotkey, hotkey.Ss58Address, hotkey.PublicKey.ToString(), wallet.HotkeyPath(request.Hotkey), wallet.HotkeyPubPath(request.Hotkey), false, hotkey.SecretPhrase);
            if (request.Json)
            {
                WriteJson(output, new WalletJson(wallet.Name, wallet.DirectoryPath, cold, [hot]));
                if (request.WithMnemonic)
                {
                    error.WriteLine("warning: the mnemonics in this output are shown only once; write them down and keep them offline. Anyone with a mnemonic controls its key.");
                }

                return Ok;
            }

            IAnsiConsole console = Console(output);
            console.MarkupLine($"Created wallet [bold]{Markup.Escape(wallet.Name)}[/] in {Markup.Escape(wallet.DirectoryPath)}");
            console.Write(KeyTable([cold, hot]));
            if (request.WithMnemonic)
            {
                console.WriteLine();
                console.MarkupLine("[bold yellow]Write these mnemonics down now and keep them offline. They are shown only this once; anyone who has one controls its key.[/]");
                console.WriteLine($"coldkey mnemonic: {coldkey.SecretPhrase}");
                console.WriteLine($"hotkey '{request.Hotkey}' mnemonic: {hotkey.SecretPhrase}");
            }

            return Ok;
        }
        catch (WalletException e)
        {
            error.WriteLine($"error: {e.Message}");
            return Error;
        }
    }

    public static int List(ParseResult result, WalletCliEnvironment environment, string? walletPath, bool json)
    {
        TextWriter output = result.InvocationConfiguration.Output;
        TextWriter error = result.InvocationConfiguration.Error;
        try
        {
            string root = Root(walletPath, environment);
            List<WalletJson> wallets = [];
            foreach (string name in CoreWallet.List(root))
            {
                wallets.Add(Describe(new CoreWallet(root, name), error));
            }

            if (json)
            {
                WriteJson(output, new WalletListJson(Path.GetFullPath(root), wallets));
                return Ok;
            }

            IAnsiConsole console = Console(output);
            if (wallets.Count == 0)
            {
                console.WriteLine($"No wallets under {Path.GetFullPath(root)}. Create one with: bte wallet create");
                return Ok;
            }

            Table table = new Table().AddColumns("Wallet", "Coldkey (SS58)", "Hotkeys");
            foreach (WalletJson wallet in wallets)
            {
                string hotkeys = wallet.Hotkeys.Count == 0
                    ? "-"
                    : string.Join('\n', wallet.Hotkeys.Select(h => $"{h.Name}  {h.Ss58Address}"));
                table.AddRow(Markup.Escape(wallet.Name), Markup.Escape(wallet.Coldkey?.Ss58Address ?? "?"), Markup.Escape(hotkeys));
            }

            console.Write(table);
            return Ok;
        }
        catch (WalletException e)
        {
            error.WriteLine($"error: {e.Message}");
            return Error;
        }
    }

    public static int Show(ParseResult result, WalletCliEnvironment environment, string? walletPath, string name, bool json)
    {
        TextWriter output = result.InvocationConfiguration.Output;
        TextWriter error = result.InvocationConfiguration.Error;
        try
        {
            string root = Root(walletPath, environment);
            CoreWallet wallet = new(root, name);
            if (!wallet.Exists)
            {
                error.WriteLine($"error: no wallet '{name}' under {wallet.RootPath}. Create it with: bte wallet create --name {name}; see existing ones with: bte wallet list");
                return Error;
            }

            WalletJson described = Describe(wallet, error);
            if (json)
            {
                WriteJson(output, described);
                return Ok;
            }

            IAnsiConsole console = Console(output);
            console.MarkupLine($"Wallet [bold]{Markup.Escape(wallet.Name)}[/] in {Markup.Escape(wallet.DirectoryPath)}");
            console.Write(KeyTable(described.Coldkey is null ? described.Hotkeys : [described.Coldkey, .. described.Hotkeys]));
            return Ok;
        }
        catch (WalletException e)
        {
            error.WriteLine($"error: {e.Message}");
            return Error;
        }
    }

    private static WalletJson Describe(CoreWallet wallet, TextWriter error)
    {
        KeyJson? coldkey = DescribeKey(
            "coldkey", wallet.ColdkeyPath, wallet.ColdkeyPubPath, wallet.ReadColdkeyPublic, wallet.IsColdkeyEncrypted, error);
        List<KeyJson> hotkeys = [];
        foreach (string hotkey in wallet.ListHotkeys())
        {
            KeyJson? key = DescribeKey(
                hotkey, wallet.HotkeyPath(hotkey), wallet.HotkeyPubPath(hotkey), () => wallet.ReadHotkeyPublic(hotkey), () => wallet.IsHotkeyEncrypted(hotkey), error);
            if (key is not null)
            {
                hotkeys.Add(key);
            }
        }

        return new WalletJson(wallet.Name, wallet.DirectoryPath, coldkey, hotkeys);
    }

    private static KeyJson? DescribeKey(string name, string path, string pubPath, Func<Core.Crypto.PublicKey> readPublic, Func<bool> isEncrypted, TextWriter error)
    {
        Core.Crypto.PublicKey publicKey;
        try
        {
            publicKey = readPublic();
        }
        catch (WalletException e)
        {
            error.WriteLine($"warning: {name}: {e.Message}");
            return null;
        }

        bool? encrypted = null;
        if (File.Exists(path))
        {
            try
            {
                encrypted = isEncrypted();
            }
            catch (WalletException e)
            {
                error.WriteLine($"warning: {name}: {e.Message}");
            }
        }

        return new KeyJson(name, publicKey.ToSs58(), publicKey.ToString(), path, pubPath, encrypted);
    }

    private static bool TryGetNewPassword(string? passwordFile, WalletCliEnvironment environment, TextWriter error, out string? password)
    {
        password = null;
        if (passwordFile is not null)
        {
            password = WalletPassword.ReadFile(passwordFile);
        }
        else if (WalletPassword.TryReadCredential(environment.GetEnvironmentVariable, out string? credential))
        {
            password = credential;
        }
        else if (environment.Prompt.IsAvailable)
        {
            string first = environment.Prompt.Ask("New coldkey password (at least 8 characters):");
            string second = environment.Prompt.Ask("Repeat the password:");
            if (!string.Equals(first, second, StringComparison.Ordinal))
            {
                error.WriteLine("error: the passwords differ; nothing was created. Run the command again.");
                return false;
            }

            password = first;
        }
        else
        {
            error.WriteLine("error: the coldkey is encrypted and needs a password, but there is no terminal to ask on. Pass --password-file FILE, run under systemd with LoadCredential=wallet-password:FILE, or pass --no-encrypt-coldkey.");
            return false;
        }

        if (password is null || password.Length < WalletPassword.MinimumLength)
        {
            error.WriteLine($"error: the password must be at least {WalletPassword.MinimumLength} characters long; nothing was created.");
            return false;
        }

        return true;
    }

    private static string Root(string? walletPath, WalletCliEnvironment environment) =>
        string.IsNullOrEmpty(walletPath) ? CoreWallet.DefaultRootPath(environment.GetEnvironmentVariable) : walletPath;

    private static Table KeyTable(IEnumerable<KeyJson> keys)
    {
        Table table = new Table().AddColumns("Key", "SS58 address", "Public key", "Secret file", "Encrypted");
        foreach (KeyJson key in keys)
        {
            string encrypted = key.Encrypted switch
            {
                true => "yes",
                false => "no",
                null => File.Exists(key.Path) ? "?" : "absent",
            };
            table.AddRow(Markup.Escape(key.Name), Markup.Escape(key.Ss58Address), Markup.Escape(key.PublicKey), Markup.Escape(key.Path), encrypted);
        }

        return table;
    }

    private static IAnsiConsole Console(TextWriter output)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
        });
        if (ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected)
        {
            return console;
        }

        console.Profile.Width = 240;
        return console;
    }

    private static void WriteJson<T>(TextWriter output, T value)
    {
        output.WriteLine(JsonSerializer.Serialize(value, typeof(T), WalletJsonContext.Default));
    }
}
