// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Cli.Commands.Axon;
using Bittensor.Edge.Cli.Tests.Chain;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Core.Wallets;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage.Sectors;
using Bittensor.Edge.Storage.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Cli.Tests.Axon;

public sealed class AxonServeTests : IAsyncLifetime
{
    private ChainCliHarness _h = null!;

    public async ValueTask InitializeAsync() => _h = await ChainCliHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Serving_an_unregistered_hotkey_fails_and_says_how_to_register()
    {
        Assert.Equal(0, (await _h.RunAsync("subnet", "create", "--name", "owner")).ExitCode);

        CliResult result = await _h.RunAsync("axon", "serve", "--netuid", "1", "--port", "0", "--name", "miner");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not registered on subnet 1", result.Error, StringComparison.Ordinal);
        Assert.Contains("bte register --netuid 1", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.95")]
    [InlineData("-0.5")]
    public async Task A_reserve_fraction_outside_0_to_0_9_is_a_usage_error_before_anything_starts(string reserve)
    {
        CliResult result = await _h.RunAsync("axon", "serve", "--netuid", "1", "--port", "0", "--name", "miner", "--reserve-fraction", reserve);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--reserve-fraction: storage.reserveFraction must be between 0 and 0.9.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_served_axon_is_announced_on_chain_and_answers_registered_callers_only()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        Assert.Equal(0, (await _h.RunAsync("subnet", "create", "--name", "owner")).ExitCode);
        Assert.Equal(0, (await _h.RunAsync("register", "--netuid", "1", "--name", "miner")).ExitCode);
        Assert.Equal(0, (await _h.RunAsync("register", "--netuid", "1", "--name", "validator")).ExitCode);
        using HttpClient http = new();
        ChainRpcClient client = new(http, _h.NodeUrl);
        using WalletKey miner = new Core.Wallets.Wallet(_h.WalletRoot, "miner").LoadHotkey("default");
        using WalletKey validator = new Core.Wallets.Wallet(_h.WalletRoot, "validator").LoadHotkey("default");
        using Core.Crypto.Ed25519KeyPair stranger = Core.Crypto.Ed25519KeyPair.Generate();
        StringWriter error = new();
        using MemorySectorStore store = new(new SectorStoreOptions(), SystemClock.Instance);
        using SectorOwnerLog owners = new();

        RunningAxon? axon = await AxonServeAction.StartAsync(
            client, miner.KeyPair, new AxonServeSettings(1, IPAddress.Loopback, 0, null, AnnounceOnChain: true),
            new SectorService(store, owners), SystemClock.Instance, NullLoggerFactory.Instance, error, ct);

        Assert.NotNull(axon);
        await using (axon)
        {
            RpcMetagraph metagraph = await client.GetMetagraphAsync(1, ct);
            RpcAxon? announced = metagraph.Axons[metagraph.Hotkeys.IndexOf(miner.PublicKey)];
            Assert.NotNull(announced);
            Assert.Equal("127.0.0.1", announced.Ip);
            Assert.Equal(axon.Host.Endpoint.Port, announced.Port);
            Assert.Equal(4, announced.IpType);

            AxonTarget target = new(axon.Host.Endpoint, miner.PublicKey);
            using Dendrite fromValidator = new(validator.KeyPair, SystemClock.Instance);
            using Dendrite fromStranger = new(stranger, SystemClock.Instance);
            DendriteResult<HealthResponse> health = await fromValidator.HealthAsync(target, cancellationToken: ct);
            DendriteResult<HealthResponse> refused = await fromStranger.HealthAsync(target, cancellationToken: ct);

            Assert.Equal(AxonStatus.Ok, health.Status);
            Assert.Equal(miner.KeyPair.Ss58Address, health.Response!.Hotkey);
            Assert.Equal(0UL, health.Response.Storage.Sectors);
            Assert.Equal((ulong)SectorStoreOptions.DefaultQuotaBytes, health.Response.Storage.FreeBytes);
            Assert.Equal(AxonStatus.Forbidden, refused.Status);
        }

        Assert.Equal("", error.ToString());
    }

    [Fact]
    public void Addresses_are_encoded_as_the_chain_expects()
    {
        Assert.Equal(((UInt128)0x7F000001, (byte)4), AxonServeAction.Encode(IPAddress.Parse("127.0.0.1")));
        Assert.Equal(((UInt128)1, (byte)6), AxonServeAction.Encode(IPAddress.IPv6Loopback));
    }
}
