// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.Text.Json;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Cli.Commands.Wallet;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Wallets;
using Spectre.Console;
using CoreWallet = Bittensor.Edge.Core.Wallets.Wallet;

namespace Bittensor.Edge.Cli.Commands.Chain;

/// <summary>The options every chain command shares: the node, the wallet keys and the output form.</summary>
internal sealed class ChainOptions
{
    private readonly bool _ownsWalletPath;

    public const string NodeUrlVariable = "BTE_NODE_URL";
    public const string DefaultNodeUrl = "http://127.0.0.1:9944";

    public ChainOptions(WalletCliEnvironment environment, Option<string?>? walletPath = null)
    {
        Node = new Option<string>("--node")
        {
            Description = $"The node's RPC base URL (default: ${NodeUrlVariable}, else {DefaultNodeUrl}).",
            DefaultValueFactory = _ => environment.GetEnvironmentVariable(NodeUrlVariable) ?? DefaultNodeUrl,
        };
        Json = new Option<bool>("--json") { Description = "Write one JSON object for scripts instead of tables." };
        Name = new Option<string>("--name")
        {
            Description = "Wallet name (default: $BTE_WALLET_NAME, else \"default\").",
            DefaultValueFactory = _ => CoreWallet.DefaultWalletName(environment.GetEnvironmentVariable),
        };
        Hotkey = new Option<string>("--hotkey")
        {
            Description = "Hotkey name in the wallet (default: $BTE_WALLET_HOTKEY, else \"default\").",
            DefaultValueFactory = _ => CoreWallet.DefaultHotkeyName(environment.GetEnvironmentVariable),
        };
        _ownsWalletPath = walletPath is null;
        WalletPath = walletPath ?? new Option<string?>("--wallet-path") { Description = "Wallet root directory (default: $BTE_WALLET_PATH, else ~/.bittensor-edge/wallets)." };
        PasswordFile = new Option<string?>("--password-file")
        {
            Description = "Read the coldkey password from this file (else $CREDENTIALS_DIRECTORY/wallet-password, else a prompt).",
        };
        WaitTimeout = new Option<int>("--wait-timeout") { Description = "Seconds to wait for inclusion in a block.", DefaultValueFactory = _ => 120 };
        Environment = environment;
    }

    public WalletCliEnvironment Environment { get; }

    public Option<string> Node { get; }

    public Option<bool> Json { get; }

    public Option<string> Name { get; }

    public Option<string> Hotkey { get; }

    public Option<string?> WalletPath { get; }

    public Option<string?> PasswordFile { get; }

    public Option<int> WaitTimeout { get; }

    /// <summary>Adds --node and --json (read-only commands).</summary>
    public void AddRead(Command command)
    {
        command.Options.Add(Node);
        command.Options.Add(Json);
    }

    /// <summary>Adds every option (commands that sign).</summary>
    public void AddSigning(Command command)
    {
        AddRead(command);
        command.Options.Add(Name);
        command.Options.Add(Hotkey);
        if (_ownsWalletPath)
        {
            command.Options.Add(WalletPath);
        }

        command.Options.Add(PasswordFile);
        command.Options.Add(WaitTimeout);
    }
}

/// <summary>One run of a chain command: its client, wallet, output and the error handling that maps failures to advice.</summary>
internal sealed class ChainCliContext : IDisposable
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly ChainOptions _options;

    private ChainCliContext(ParseResult result, ChainOptions options, Uri nodeUrl)
    {
        Result = result;
        _options = options;
        NodeUrl = nodeUrl;
        Client = new ChainRpcClient(_http, nodeUrl);
        Json = result.GetValue(options.Json);
    }

    public ParseResult Result { get; }

    public Uri NodeUrl { get; }

    public ChainRpcClient Client { get; }

    public bool Json { get; }

    public TextWriter Output => Result.InvocationConfiguration.Output;

    public TextWriter Error => Result.InvocationConfiguration.Error;

    /// <summary>A console over <see cref="Output"/>; when it is not a terminal, wide enough that tables do not wrap.</summary>
    public IAnsiConsole Console
    {
        get
        {
            IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Output) });
            if (!ReferenceEquals(Output, System.Console.Out) || System.Console.IsOutputRedirected)
            {
                console.Profile.Width = 240;
            }

            return console;
        }
    }

    /// <summary>Runs <paramref name="body"/>, turning expected failures into messages that say what to do, and exit codes.</summary>
    public static async Task<int> RunAsync(ParseResult result, ChainOptions options, Func<ChainCliContext, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        TextWriter error = result.InvocationConfiguration.Error;
        string url = result.GetValue(options.Node)!;
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out Uri? nodeUrl) || nodeUrl.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"error: --node '{url}' is not an http(s) URL, such as {ChainOptions.DefaultNodeUrl}.").ConfigureAwait(false);
            return Usage;
        }

        using ChainCliContext context = new(result, options, nodeUrl);
        try
        {
            return await body(context, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"error: cannot reach the node at {nodeUrl} ({e.Message}): start one with `bte node run`, or point --node (or ${ChainOptions.NodeUrlVariable}) at a running node.").ConfigureAwait(false);
            return Failed;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"error: the node at {nodeUrl} did not answer in time; check that it is running and producing blocks (`bte node run`).").ConfigureAwait(false);
            return Failed;
        }
        catch (RpcException e)
        {
            await error.WriteLineAsync($"error: the node refused the request: {e.Name} ({e.Code}): {e.Message}").ConfigureAwait(false);
            return Failed;
        }
        catch (WalletException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return Failed;
        }
    }

    public CoreWallet Wallet()
    {
        string root = Result.GetValue(_options.WalletPath) ?? CoreWallet.DefaultRootPath(_options.Environment.GetEnvironmentVariable);
        return new CoreWallet(root, Result.GetValue(_options.Name)!);
    }

    /// <summary>The wallet's coldkey, asking for its password when it is encrypted.</summary>
    public WalletKey LoadColdkey()
    {
        CoreWallet wallet = Wallet();
        if (!wallet.Exists)
        {
            throw new WalletException($"no wallet '{wallet.Name}' under {wallet.RootPath}. Create it with: bte wallet create --name {wallet.Name}");
        }

        string? password = null;
        if (wallet.IsColdkeyEncrypted())
        {
            string? file = Result.GetValue(_options.PasswordFile);
            if (file is not null)
            {
                password = WalletPassword.ReadFile(file);
            }
            else if (!WalletPassword.TryReadCredential(_options.Environment.GetEnvironmentVariable, out password))
            {
                if (!_options.Environment.Prompt.IsAvailable)
                {
                    throw new WalletException("the coldkey is encrypted and there is no terminal to ask for its password: pass --password-file, or set $CREDENTIALS_DIRECTORY/wallet-password.");
                }

                password = _options.Environment.Prompt.Ask($"Password of wallet '{wallet.Name}':");
            }
        }

        return wallet.LoadColdkey(password);
    }

    /// <summary>The wallet's hotkey (--hotkey).</summary>
    public WalletKey LoadHotkey() => Wallet().LoadHotkey(Result.GetValue(_options.Hotkey)!);

    /// <summary>The hotkey's public key from its pub file (no secret needed).</summary>
    public PublicKey HotkeyPublic() => Wallet().ReadHotkeyPublic(Result.GetValue(_options.Hotkey)!);

    /// <summary>Signs, submits and waits for inclusion, then reports the dispatch result; exit 1 on a dispatch error or a drop.</summary>
    public async Task<int> SubmitAsync(Ed25519KeyPair signer, RuntimeCall call, string what, CancellationToken cancellationToken, Action<Utf8JsonWriter>? extraJson = null)
    {
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, Result.GetValue(_options.WaitTimeout))));
        if (!Json)
        {
            await Error.WriteLineAsync($"{what}: submitted to {NodeUrl}, waiting for a block ...").ConfigureAwait(false);
        }

        RpcExtrinsicStatus status;
        try
        {
            status = await Client.SignAndSubmitAsync(signer, call, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await Error.WriteLineAsync($"error: {what} was not included within {Result.GetValue(_options.WaitTimeout)} s; is the node producing blocks? Check with: bte subnet list --node {NodeUrl}").ConfigureAwait(false);
            return Failed;
        }

        bool ok = status.IsIncluded && status.Ok == true;
        if (Json)
        {
            WriteJson(w =>
            {
                w.WriteString("action", what);
                w.WriteString("status", status.Status);
                if (status.Block is ulong block)
                {
                    w.WriteNumber("block", block);
                    w.WriteNumber("index", status.Index ?? 0);
                }

                w.WriteBoolean("ok", ok);
                if (status.Error is not null)
                {
                    w.WriteString("error", status.Error);
                }

                extraJson?.Invoke(w);
            });
        }
        else if (ok)
        {
            await Output.WriteLineAsync($"{what}: ok (block {status.Block}, index {status.Index})").ConfigureAwait(false);
        }
        else if (status.IsDropped)
        {
            await Error.WriteLineAsync($"error: {what} was dropped by the node before inclusion (its nonce went stale or it expired); run the command again.").ConfigureAwait(false);
        }
        else
        {
            await Error.WriteLineAsync($"error: {what} failed in block {status.Block}: {status.Error}").ConfigureAwait(false);
        }

        return ok ? Ok : Failed;
    }

    public void WriteJson(Action<Utf8JsonWriter> body)
    {
        using MemoryStream stream = new();
        using (Utf8JsonWriter writer = new(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        Output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    public void Dispose() => _http.Dispose();
}
