// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Text.Json;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Cli.Commands.Chain;
using Bittensor.Edge.Cli.Commands.Weights;

namespace Bittensor.Edge.Cli.Tests.Chain;

public sealed class ChainCommandTests : IAsyncLifetime
{
    private ChainCliHarness _h = null!;

    public async ValueTask InitializeAsync() => _h = await ChainCliHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_subnet_walk_create_register_stake_set_weights_and_the_metagraph_shows_emission()
    {
        CliResult create = await _h.RunAsync("subnet", "create", "--name", "owner");
        Assert.True(create.ExitCode == 0, create.Error);
        Assert.Contains("register_network: ok", create.Output, StringComparison.Ordinal);

        CliResult tempo = await _h.RunAsync("subnet", "hparams", "1", "--set", "tempo=10", "--name", "owner", "--json");
        Assert.True(tempo.ExitCode == 0, tempo.Error);
        CliResult registerValidator = await _h.RunAsync("register", "--netuid", "1", "--name", "validator");
        Assert.True(registerValidator.ExitCode == 0, registerValidator.Error);
        Assert.Contains("TAO (the burn price", registerValidator.Output, StringComparison.Ordinal);
        CliResult registerMiner = await _h.RunAsync("register", "--netuid", "1", "--name", "miner", "--json");
        Assert.True(registerMiner.ExitCode == 0, registerMiner.Error);
        CliResult stake = await _h.RunAsync("stake", "add", "--netuid", "1", "--amount", "100.5", "--name", "validator");
        Assert.True(stake.ExitCode == 0, stake.Error);

        // Tempo 10 on netuid 1: epochs run in blocks b with (b + 2) % 11 == 10; the next one hands out permits.
        _h.ProduceUntil(NextEpoch(_h.Node.Head.Number + 1));
        CliResult weights = await _h.RunAsync("weights", "set", "--netuid", "1", "--weights", "1=0.25,2=1", "--name", "validator");
        Assert.True(weights.ExitCode == 0, weights.Error);
        _h.ProduceUntil(NextEpoch(_h.Node.Head.Number + 1));

        CliResult metagraph = await _h.RunAsync("metagraph", "1", "--json");
        CliResult table = await _h.RunAsync("metagraph", "1");
        CliResult hparams = await _h.RunAsync("subnet", "hparams", "1", "--json");

        Assert.True(metagraph.ExitCode == 0, metagraph.Error);
        using JsonDocument json = JsonDocument.Parse(metagraph.Output);
        JsonElement[] neurons = [.. json.RootElement.GetProperty("neurons").EnumerateArray()];
        Assert.Equal(3, neurons.Length);
        Assert.Equal(_h.Hotkey("validator").ToSs58(), neurons[1].GetProperty("hotkey").GetString());
        Assert.Equal(_h.Hotkey("miner").ToSs58(), neurons[2].GetProperty("hotkey").GetString());
        Assert.True(ulong.Parse(neurons[2].GetProperty("emission").GetString()!, CultureInfo.InvariantCulture) > 0, metagraph.Output);
        Assert.True(neurons[1].GetProperty("validatorPermit").GetBoolean());
        Assert.True(ulong.Parse(neurons[1].GetProperty("stake").GetString()!, CultureInfo.InvariantCulture) >= 100_500_000_000UL);
        Assert.Contains("metagraph of subnet 1", table.Output, StringComparison.Ordinal);
        Assert.Contains("emission (TAO)", table.Output, StringComparison.Ordinal);
        using JsonDocument hp = JsonDocument.Parse(hparams.Output);
        Assert.Equal(10UL, hp.RootElement.GetProperty("hyperparameters").GetProperty("tempo").GetUInt64());
    }

    [Fact]
    public async Task Transfer_moves_exact_rao_and_reports_the_block()
    {
        Rao before = _h.Free(_h.Coldkey("miner"));

        CliResult result = await _h.RunAsync("wallet", "transfer", "--to", _h.Coldkey("miner").ToSs58(), "--amount", "1.000000001", "--name", "validator", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("included", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(before + new Rao(1_000_000_001), _h.Free(_h.Coldkey("miner")));
    }

    [Fact]
    public async Task A_dispatch_error_is_reported_by_name_and_exits_1()
    {
        CliResult result = await _h.RunAsync("wallet", "transfer", "--to", _h.Coldkey("miner").ToSs58(), "--amount", "5000", "--name", "validator");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("InsufficientBalance", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subnet_list_and_show_read_the_node()
    {
        Assert.Equal(0, (await _h.RunAsync("subnet", "create", "--name", "owner")).ExitCode);

        CliResult list = await _h.RunAsync("subnet", "list", "--json");
        CliResult show = await _h.RunAsync("subnet", "show", "1");

        using JsonDocument json = JsonDocument.Parse(list.Output);
        JsonElement subnet = Assert.Single(json.RootElement.GetProperty("subnets").EnumerateArray());
        Assert.Equal(_h.Coldkey("owner").ToSs58(), subnet.GetProperty("owner").GetString());
        Assert.Equal(1, subnet.GetProperty("n").GetInt32());
        Assert.Contains(_h.Hotkey("owner").ToSs58(), show.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commit_keeps_the_salt_under_the_wallet_and_reveal_uses_it()
    {
        Assert.Equal(0, (await _h.RunAsync("subnet", "create", "--name", "owner")).ExitCode);
        Assert.Equal(0, (await _h.RunAsync("subnet", "hparams", "1", "--set", "commit_reveal_enabled=1", "--set", "tempo=10", "--name", "owner")).ExitCode);

        CliResult commit = await _h.RunAsync("weights", "commit", "--netuid", "1", "--weights", "0=1", "--name", "owner");
        Assert.True(commit.ExitCode == 0, commit.Error);
        string commits = Path.Combine(_h.WalletRoot, "owner", "commits");
        Assert.Single(Directory.GetFiles(commits));

        CliResult early = await _h.RunAsync("weights", "reveal", "--netuid", "1", "--name", "owner");
        Assert.Equal(1, early.ExitCode);
        Assert.Contains("RevealTooEarly", early.Error, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(commits));

        // The reveal window is the epoch after the commit's: produce into it.
        ulong commitBlock = _h.Node.Head.Number - 1;
        ulong windowStart = (((commitBlock + 2) / 11) + 1) * 11 - 2;
        _h.ProduceUntil(windowStart);
        CliResult reveal = await _h.RunAsync("weights", "reveal", "--netuid", "1", "--name", "owner");
        Assert.True(reveal.ExitCode == 0, reveal.Error);
        Assert.Empty(Directory.GetFiles(commits));
    }

    [Fact]
    public async Task An_unreachable_node_says_how_to_start_one()
    {
        CliResult result = await _h.RunAsync("subnet", "list", "--node", "http://127.0.0.1:1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot reach the node at http://127.0.0.1:1/", result.Error, StringComparison.Ordinal);
        Assert.Contains("bte node run", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 1_000_000_000UL)]
    [InlineData("0.000000001", 1UL)]
    [InlineData("1.5", 1_500_000_000UL)]
    [InlineData(".25", 250_000_000UL)]
    [InlineData("18446744073.709551615", ulong.MaxValue)]
    public void TAO_amounts_parse_exactly_into_rao(string text, ulong rao)
    {
        Assert.True(TaoAmount.TryParse(text, out Rao amount, out _));
        Assert.Equal(rao, amount.Value);
    }

    [Theory]
    [InlineData("1.0000000001")]
    [InlineData("-1")]
    [InlineData("1e9")]
    [InlineData("")]
    [InlineData("18446744073.709551616")]
    public void Bad_TAO_amounts_are_refused(string text) => Assert.False(TaoAmount.TryParse(text, out _, out _));

    [Fact]
    public void Float_weights_become_u16_scaled_to_the_largest()
    {
        Assert.True(WeightsActions.TryParseWeights("0=0.5, 3=1, 7=0", out ushort[] uids, out ushort[] values, out _));
        Assert.Equal([0, 3, 7], uids);
        Assert.Equal([32768, 65535, 0], values);
        Assert.False(WeightsActions.TryParseWeights("0=x", out _, out _, out _));
    }

    private static ulong NextEpoch(ulong from)
    {
        ulong b = from;
        while ((b + 2) % 11 != 10)
        {
            b++;
        }

        return b;
    }
}
