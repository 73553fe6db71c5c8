// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using System.Security.Cryptography.X509Certificates;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Gateway.Admin;
using Bittensor.Edge.Gateway.Broker;
using Bittensor.Edge.Gateway.Fleet;
using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Gateway.Tests.Support;

/// <summary>
/// A real gateway in-process: a LiteDB fleet store in a temp folder, a fresh bus key, the embedded broker on 127.0.0.1
/// port 0, the bus client and its join worker running; the clock is manual (starting at the real time so device logins
/// are plausible) and the logs are collected.
/// </summary>
internal sealed class GatewayFixture : IAsyncDisposable
{
    public const string FleetId = "lab1";
    public const string GatewayId = "gw1";

    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    private GatewayFixture(string directory, FleetStore store, Ed25519KeyPair busKey)
    {
        Directory = directory;
        Store = store;
        BusKey = busKey;
    }

    public string Directory { get; }

    public FleetStore Store { get; }

    public Ed25519KeyPair BusKey { get; }

    public ManualClock Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public CollectingLogger Logger { get; } = new();

    public FleetGateway Gateway { get; private set; } = null!;

    public FleetTopics Topics { get; } = FleetTopics.ForFleet(FleetId);

    public int Port => Gateway.Broker.Port;

    /// <summary>The mqtts listener's certificate when started with <c>tls: true</c>.</summary>
    public X509Certificate2? TlsCertificate { get; private set; }

    public static async Task<GatewayFixture> StartAsync(int joinConnectsPerMinute = 1000, string? homeAssistantPassword = null, string? directory = null, bool tls = false)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("bte-gw-").FullName;
        Assert.True(FleetStore.TryOpen(directory, out FleetStore? store, out string? error), error);
        GatewayFixture fixture = new(directory, store, Ed25519KeyPair.Generate());
        if (tls)
        {
            Assert.True(GatewayFiles.TryLoadOrCreateTlsCertificate(directory, "bte-gateway test", fixture.Clock.UtcNow, out X509Certificate2? certificate, out _, out error), error);
            fixture.TlsCertificate = certificate;
        }

        FleetGatewayOptions options = new(
            FleetId,
            GatewayId,
            fixture.Topics,
            new FleetBrokerOptions(IPAddress.Loopback, 0, fixture.Topics, GatewayId, joinConnectsPerMinute, homeAssistantPassword, fixture.TlsCertificate, TlsPort: 0),
            "mlp-tiny-v1",
            4,
            TimeSpan.FromSeconds(20));
        fixture.Gateway = await FleetGateway.StartAsync(options, store, fixture.BusKey, fixture.Clock, fixture.Logger, TestContext.Current.CancellationToken);
        fixture._running = fixture.Gateway.RunAsync(fixture._stop.Token);
        return fixture;
    }

    /// <summary>Makes a token through the same path as the admin API.</summary>
    public TokenCreated CreateToken(int uses = 1, string? board = null, long ttlS = 3600)
    {
        Assert.True(Gateway.TryCreateToken(new TokenCreateRequest(ttlS, uses, board), out TokenCreated? created, out string? problem), problem);
        return created;
    }

    public TestDevice NewDevice(string board = "rpi4") => new(this, board);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Gateway.DisposeAsync();
        Store.Dispose();
        BusKey.Dispose();
        TlsCertificate?.Dispose();
        _stop.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
