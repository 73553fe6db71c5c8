// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands;
using Bittensor.Edge.Cli.Commands.Wallet;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Cli.Tests;

/// <summary>The outcome of one in-process <c>bte</c> run.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>A password prompt that answers from a queue, or reports that there is no terminal.</summary>
internal sealed class ScriptedPrompt(params string[] answers) : IPasswordPrompt
{
    private readonly Queue<string> _answers = new(answers);

    public bool IsAvailable => _answers.Count > 0;

    public List<string> Questions { get; } = [];

    public string Ask(string question)
    {
        Questions.Add(question);
        return _answers.Dequeue();
    }
}

/// <summary>
/// Runs the wallet commands in-process against a temporary wallet root, with a private environment
/// (nothing is read from the real one) and a light Argon2id cost.
/// </summary>
internal sealed class WalletCliHarness : IDisposable
{
    public WalletCliHarness()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("bte-cli-").FullName;
        WalletRoot = Path.Combine(Directory, "wallets");
        Environment["BTE_WALLET_PATH"] = WalletRoot;
    }

    public static KdfCost LightCost { get; } = new(8192, 1);

    public string Directory { get; }

    public string WalletRoot { get; }

    public Dictionary<string, string> Environment { get; } = [];

    public IPasswordPrompt Prompt { get; set; } = new ScriptedPrompt();

    public string WritePasswordFile(string password, string name = "password")
    {
        string path = Path.Combine(Directory, name);
        File.WriteAllText(path, password + "\n");
        return path;
    }

    public Task<CliResult> RunAsync(params string[] args)
    {
        WalletCliEnvironment environment = new(name => Environment.GetValueOrDefault(name), Prompt, LightCost);
        RootCommand root = new("bte (test)");
        root.Subcommands.Add(WalletCommands.Create(environment));
        return InvokeAsync(root, args);
    }

    public static async Task<CliResult> InvokeAsync(RootCommand root, string[] args)
    {
        using StringWriter output = new();
        using StringWriter error = new();
        int exitCode = await root.Parse(args).InvokeAsync(
            new InvocationConfiguration { Output = output, Error = error },
            TestContext.Current.CancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
