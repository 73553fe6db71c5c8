// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Gateway.Admin;
using Bittensor.Edge.Gateway.Tests.Support;
using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Gateway.Tests.Bus;

/// <summary><c>bte fleet probe</c>: signed requests over rpc/req, device-signed answers verified.</summary>
public sealed class ProbeTests
{
    [Fact]
    public async Task A_probe_of_an_honest_device_puts_a_sector_then_verifies_proofs_and_inference()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        await using TestDevice device = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await device.JoinAsync(gw.CreateToken().Token));
        await device.ConnectAndServeAsync();

        ProbeReport first = await gw.Gateway.ProbeAsync(device.DeviceId, TestContext.Current.CancellationToken);
        ProbeReport second = await gw.Gateway.ProbeAsync(device.DeviceId, TestContext.Current.CancellationToken);

        Assert.True(first.Ok, string.Join("; ", first.Checks.Select(c => $"{c.Name}: {c.Detail}")));
        Assert.Equal([BusMethods.StoragePut, BusMethods.StorageProve, BusMethods.InferRun], first.Checks.Select(c => c.Name));
        Assert.True(second.Ok, string.Join("; ", second.Checks.Select(c => $"{c.Name}: {c.Detail}")));
        Assert.Equal([BusMethods.StorageProve, BusMethods.InferRun], second.Checks.Select(c => c.Name));
        Assert.True(gw.Store.TryGetProbeSector(device.DeviceId, out _));
    }

    [Fact]
    public async Task A_device_answering_with_a_corrupted_leaf_fails_the_storage_check()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        await using TestDevice device = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await device.JoinAsync(gw.CreateToken().Token));
        await device.ConnectAndServeAsync();
        device.CorruptProofs = true;

        ProbeReport report = await gw.Gateway.ProbeAsync(device.DeviceId, TestContext.Current.CancellationToken);

        Assert.False(report.Ok);
        ProbeCheck prove = report.Checks.Single(c => c.Name == BusMethods.StorageProve);
        Assert.False(prove.Ok);
        Assert.Contains("RootMismatch", prove.Detail, StringComparison.Ordinal);
        Assert.True(report.Checks.Single(c => c.Name == BusMethods.InferRun).Ok);
    }

    [Fact]
    public async Task Responses_signed_by_anyone_but_the_enrolled_key_are_dropped_and_the_call_times_out()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        await using TestDevice device = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await device.JoinAsync(gw.CreateToken().Token));
        await device.ConnectAndServeAsync();
        using Ed25519KeyPair forger = Ed25519KeyPair.Generate();
        device.SignResponsesWith = forger;

        Task<ProbeReport> probe = gw.Gateway.ProbeAsync(device.DeviceId, TestContext.Current.CancellationToken);

        // Each request times out on the gateway clock once its forged answer has been dropped.
        for (int dropped = 1; dropped <= 2; dropped++)
        {
            int expected = dropped;
            await Eventually.TrueAsync(() => gw.Logger.Count("not signed by the enrolled device key") >= expected && gw.Clock.PendingDelays > 0);

            gw.Clock.Advance(TimeSpan.FromSeconds(21));
        }

        ProbeReport report = await probe;
        Assert.False(report.Ok);
        Assert.All(report.Checks, c => Assert.False(c.Ok));
        Assert.Contains("no answer signed by the device", report.Checks[0].Detail, StringComparison.Ordinal);
        Assert.False(gw.Store.TryGetProbeSector(device.DeviceId, out _));
    }
}
