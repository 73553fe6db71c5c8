// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Cli.Commands;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Cli.Tests;

public sealed class NodeCommandsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bte-cli-node-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Wallets => Path.Combine(_root, "wallets");

    private string NodeDir => Path.Combine(_root, "node");

    [Fact]
    public async Task Node_init_creates_signing_wallets_for_the_funded_accounts_and_prints_the_next_command()
    {
        CliResult result = await RunAsync("node", "init", "--dir", NodeDir, "--accounts", "2", "--tempo", "5", "--block-time-ms", "1000");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"bte node run --dir {NodeDir}", result.Output, StringComparison.Ordinal);
        Assert.True(GenesisParser.TryParse(File.ReadAllBytes(Path.Combine(NodeDir, "genesis.json")), out GenesisConfig? genesis, out string? error), error);
        Assert.Equal(1000UL, genesis.BlockTimeMs);
        Assert.Single(genesis.Subnets);
        foreach (string name in new[] { "dev-sudo", "dev1", "dev2" })
        {
            Wallet wallet = new(Wallets, name);
            using WalletKey coldkey = wallet.LoadColdkey(password: null);
            Assert.Contains(genesis.Balances, b => b.Account == coldkey.PublicKey);
            Assert.Contains(name, result.Output, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Path.Combine(NodeDir, "node.settings.jsonc")));
        Assert.True(File.Exists(Path.Combine(NodeDir, "authority.key")));
    }

    [Fact]
    public async Task Node_init_twice_needs_force()
    {
        Assert.Equal(0, (await RunAsync("node", "init", "--dir", NodeDir, "--accounts", "1")).ExitCode);
        CliResult again = await RunAsync("node", "init", "--dir", NodeDir, "--accounts", "1");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--force", again.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("node", "init", "--dir", NodeDir, "--accounts", "1", "--force")).ExitCode);
    }

    [Fact]
    public async Task Node_run_without_settings_is_a_usage_error_naming_the_file()
    {
        CliResult result = await RunAsync("node", "run", "--dir", Path.Combine(_root, "absent"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("node.settings.jsonc", result.Error, StringComparison.Ordinal);
    }

    private Task<CliResult> RunAsync(params string[] args)
    {
        RootCommand root = new("bte (test)");
        root.Subcommands.Add(NodeCommands.Create(name => name == Wallet.RootVariable ? Wallets : null, SystemClock.Instance));
        return WalletCliHarness.InvokeAsync(root, args);
    }
}
