// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Node.Tests;

public sealed class DevNetworkTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "bte-init-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string NodeDir => Path.Combine(_root, "node");

    private string Wallets => Path.Combine(_root, "wallets");

    [Fact]
    public void Init_writes_a_genesis_funding_dev_wallets_a_loadable_settings_file_and_the_authority_key()
    {
        ManualClock clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000));
        Assert.True(DevNetwork.TryInit(new DevNetworkOptions(NodeDir, Wallets, Accounts: 2, Tempo: 7, BlockTimeMs: 500), clock, out DevNetworkResult? result, out string? error), error);

        Assert.True(GenesisParser.TryParse(File.ReadAllBytes(result.GenesisPath), out GenesisConfig? genesis, out error), error);
        Assert.Equal(result.Genesis.Hash, genesis.Hash);
        Assert.Equal(500UL, genesis.BlockTimeMs);
        Assert.True(genesis.AllowLoopbackAxons);
        PublicKeyOf(DevNetwork.SudoWallet, out Core.Crypto.PublicKey sudo);
        Assert.Equal(sudo, genesis.Sudo);
        PublicKeyOf("dev1", out Core.Crypto.PublicKey dev1);
        PublicKeyOf("dev2", out Core.Crypto.PublicKey dev2);
        Assert.Equal(3, genesis.Balances.Length);
        Assert.Contains(genesis.Balances, b => b.Account == dev2 && b.Amount == DevGenesis.DefaultBalance);
        GenesisSubnet subnet = Assert.Single(genesis.Subnets);
        Assert.Equal(dev1, subnet.Owner);
        Assert.Equal(7UL, subnet.Hyperparameters[HyperparameterId.Tempo]);

        Assert.True(NodeSettingsLoader.TryLoad(result.SettingsPath, [], new Dictionary<string, string?>(), out NodeSettings? settings, out List<string> errors), string.Join('\n', errors));
        Assert.True(AuthorKeyLoader.TryLoad(settings.Node.AuthorKeyUri, _ => null, out WalletKey? authority, out error), error);
        using (authority)
        {
            Assert.Equal(genesis.Authorities[0], authority!.PublicKey);
        }

        Assert.Equal(Path.Combine(NodeDir, "data"), settings.Node.DataDir);
        string report = DevNetworkReport.Format(result, "bte node run");
        Assert.Contains("dev2", report, StringComparison.Ordinal);
        Assert.EndsWith("bte node run" + Environment.NewLine, report, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_refuses_an_existing_node_without_force_and_reuses_existing_wallets_with_it()
    {
        SystemClock clock = SystemClock.Instance;
        Assert.True(DevNetwork.TryInit(new DevNetworkOptions(NodeDir, Wallets, Accounts: 1), clock, out DevNetworkResult? first, out _));
        Directory.CreateDirectory(Path.Combine(NodeDir, "data"));

        Assert.False(DevNetwork.TryInit(new DevNetworkOptions(NodeDir, Wallets, Accounts: 1), clock, out _, out string? error));
        Assert.Contains("--force", error, StringComparison.Ordinal);

        Assert.True(DevNetwork.TryInit(new DevNetworkOptions(NodeDir, Wallets, Accounts: 1, Force: true), clock, out DevNetworkResult? second, out error), error);
        Assert.False(Directory.Exists(Path.Combine(NodeDir, "data")));
        Assert.All(second.Wallets, w => Assert.True(w.Reused));
        Assert.Equal(first.Wallets.Select(w => w.Address), second.Wallets.Select(w => w.Address));
        Assert.NotEqual(first.Genesis.Authorities[0], second.Genesis.Authorities[0]);
    }

    [Theory]
    [InlineData(0, 1000UL)]
    [InlineData(65, 1000UL)]
    [InlineData(2, 5UL)]
    public void Init_refuses_out_of_range_options(int accounts, ulong blockTimeMs)
    {
        Assert.False(DevNetwork.TryInit(new DevNetworkOptions(NodeDir, Wallets, accounts, BlockTimeMs: blockTimeMs), SystemClock.Instance, out _, out string? error));
        Assert.StartsWith("--", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(NodeDir));
    }

    private void PublicKeyOf(string wallet, out Core.Crypto.PublicKey key) => key = new Wallet(Wallets, wallet).ReadColdkeyPublic();
}
