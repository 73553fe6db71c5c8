// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Core.Wallets;
using Bittensor.Edge.Node.Tests.Process;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Node.Tests.Validator;

/// <summary>
/// <see cref="NodeHost"/> with <c>validator:enabled</c>, in process on a <see cref="ManualClock"/>: the storage validator
/// runs as one more service against the node's own RPC, rounds follow the clock, and a stop ends it cleanly.
/// </summary>
public sealed class NodeHostValidatorTests : IDisposable
{
    private readonly TestNetwork _net = new(blockTimeMs: 1000);
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly LogWaiter _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public NodeHostValidatorTests()
    {
        _loggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Information).AddProvider(_logs));
        using WalletKey hotkey = WalletKey.Generate();
        KeyFile.WritePlaintext(Path.Combine(_net.Root, "validator.key"), hotkey);
    }

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _net.Dispose();
    }

    [Fact]
    public async Task An_enabled_validator_runs_rounds_on_the_clock_against_the_nodes_own_rpc_and_stops_with_the_node()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task<int> host = NodeHost.RunAsync(Settings(netuid: 1), Environment(), stop.Token);

        string started = await _logs.WaitForAsync("Storage validator ", ct);
        Assert.Contains("on subnet 1 via http://127.0.0.1:", started, StringComparison.Ordinal);
        Assert.Contains("a round every 00:00:30, weights every 1 rounds", started, StringComparison.Ordinal);
        await _logs.WaitForAsync("Storage validator round 1: 0 miners, 0 scored, 0 sectors stored", ct);

        // The next round waits for the clock: nothing happens until 30 s have passed on it.
        await WaitForPendingDelayAsync(ct);
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.DoesNotContain("round 2", _logs.Text, StringComparison.Ordinal);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await _logs.WaitForAsync("Storage validator round 2:", ct);

        await stop.CancelAsync();
        Assert.Equal(NodeConstants.ExitOk, await host.WaitAsync(TimeSpan.FromSeconds(30), ct));
        Assert.Contains("Storage validator stopped after 2 rounds", _logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("failed", _logs.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_round_that_the_chain_refuses_is_logged_and_the_node_keeps_running()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task<int> host = NodeHost.RunAsync(Settings(netuid: 77), Environment(), stop.Token);

        string failed = await _logs.WaitForAsync("Storage validator round 1 failed", ct);
        Assert.Contains("77", failed, StringComparison.Ordinal);
        Assert.False(host.IsCompleted);

        await stop.CancelAsync();
        Assert.Equal(NodeConstants.ExitOk, await host.WaitAsync(TimeSpan.FromSeconds(30), ct));
        Assert.DoesNotContain("Service storage validator failed", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_validator_hotkey_stops_the_node_at_start_up()
    {
        NodeSettings settings = Settings(netuid: 1);
        settings.Validator.HotkeyUri = "file://" + Path.Combine(_net.Root, "absent.key");

        Assert.Equal(NodeConstants.ExitStartup, await NodeHost.RunAsync(settings, Environment(), TestContext.Current.CancellationToken));
        Assert.Contains("validator hotkey", _logs.Text, StringComparison.Ordinal);
        Assert.Contains("validator:hotkeyUri", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_validator_is_not_started()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        NodeSettings settings = Settings(netuid: 1);
        settings.Validator.Enabled = false;
        Task<int> host = NodeHost.RunAsync(settings, Environment(), stop.Token);

        await _logs.WaitForAsync("RPC listening on", ct);
        await stop.CancelAsync();
        Assert.Equal(NodeConstants.ExitOk, await host.WaitAsync(TimeSpan.FromSeconds(30), ct));
        Assert.DoesNotContain("Storage validator", _logs.Text, StringComparison.Ordinal);
    }

    private NodeSettings Settings(int netuid)
    {
        NodeSettings settings = new();
        settings.Node.DataDir = _net.DataDir;
        settings.Node.GenesisPath = Path.Combine(_net.Root, "genesis.json");
        settings.Rpc.Port = 0;
        settings.Validator.Enabled = true;
        settings.Validator.Netuid = netuid;
        settings.Validator.HotkeyUri = "file://" + Path.Combine(_net.Root, "validator.key");
        settings.Validator.RoundS = 30;
        settings.Validator.WeightsEveryRounds = 1;
        Assert.Empty(NodeSettingsValidator.Validate(settings));
        return settings;
    }

    private NodeHostEnvironment Environment() => new(_loggerFactory, _clock, _ => null, "test");

    // The validator's wait for the next round is the only clock delay of a node that produces no blocks.
    private async Task WaitForPendingDelayAsync(CancellationToken cancellationToken)
    {
        while (_clock.PendingDelays == 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }
}
