// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using System.Text.Json.Serialization.Metadata;
using Bittensor.Edge.Boards;
using Bittensor.Edge.Boards.Watchdog;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Miner.Board;
using Bittensor.Edge.Miner.Bus;
using Bittensor.Edge.Miner.Hosting;
using Bittensor.Edge.Miner.Models;
using Bittensor.Edge.Miner.Settings;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Storage.Sectors;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Miner.Tests.Bus;

/// <summary>A dispatcher over a real file store and real model folder in a temp dir, and a gateway key to sign with.</summary>
internal sealed class DispatcherRig : IAsyncDisposable
{
    private readonly TempDir _dir = new();

    public DispatcherRig(IClock clock, int maxConcurrent = 4, IInferenceService? inference = null)
    {
        Clock = clock;
        Store = FileSectorStore.Open(new SectorStoreOptions { Directory = _dir.Path("store"), ReserveFraction = 0, QuotaBytes = 8L * 4 * 1024 * 1024 }, clock);
        Holder.Set(Store);
        Status.SetStoreReady(true);
        Status.SetState(MinerState.Online);
        ModelService.EnsureBundled(_dir.Path("models"));
        BoardProfile x64 = BoardRuntime.EmbeddedProfiles.Single(p => p.Id == "x64-sim");
        Models = new ModelService(_dir.Path("models"), DeviceKey, x64, new InferenceSection(), clock, NullLogger.Instance);
        Health = new WatchdogHealth(clock);
        Dispatcher = new BusDispatcher(DeviceKey, GatewayKey.PublicKey, clock, Status, Health, Holder, inference ?? Models, Commands, maxConcurrent, NullLogger.Instance);
    }

    public IClock Clock { get; }

    public Ed25519KeyPair DeviceKey { get; } = Ed25519KeyPair.Generate();

    public Ed25519KeyPair GatewayKey { get; } = Ed25519KeyPair.Generate();

    public DeviceStatus Status { get; } = new();

    public StoreHolder Holder { get; } = new();

    public FileSectorStore Store { get; }

    public ModelService Models { get; }

    public WatchdogHealth Health { get; }

    public RecordingCommands Commands { get; } = new();

    public BusDispatcher Dispatcher { get; }

    public long Deadline(double seconds = 30) => (Clock.UtcNow + TimeSpan.FromSeconds(seconds)).ToUnixTimeMilliseconds();

    public BusRequest Request<T>(string method, T parameters, JsonTypeInfo<T> typeInfo, ReadOnlySpan<byte> body, out byte[] correlation, long? deadline = null, Ed25519KeyPair? signer = null)
    {
        correlation = BusEnvelope.NewCorrelationId();
        byte[] header = BusRequestHeader.Encode(method, deadline ?? Deadline(), parameters, typeInfo);
        return new BusRequest(BusEnvelope.Seal(correlation, header, body, signer ?? GatewayKey), correlation, "bte/lab1/dev/x/rpc/resp");
    }

    public BusRequest Command(string name, byte[] header, Ed25519KeyPair? signer = null)
    {
        byte[] correlation = BusEnvelope.NewCorrelationId();
        return new BusRequest(BusEnvelope.Seal(correlation, header, [], signer ?? GatewayKey), correlation, null, name);
    }

    public (BusResponseHeader Header, byte[] Body) Open(byte[]? response, byte[] correlation)
    {
        Assert.NotNull(response);
        Assert.True(BusEnvelope.TryOpen(response, correlation, DeviceKey.PublicKey, out BusEnvelope envelope, out BusEnvelopeError error), $"the response does not open with the device key: {error}");
        return (BusResponseHeader.Decode(envelope.Header.Span), envelope.Body.ToArray());
    }

    public async Task<(BusResponseHeader Header, byte[] Body)> CallAsync<T>(string method, T parameters, JsonTypeInfo<T> typeInfo, byte[]? body = null, long? deadline = null)
    {
        BusRequest request = Request(method, parameters, typeInfo, body ?? [], out byte[] correlation, deadline);
        return Open(await Handle(request), correlation);
    }

    public Task<byte[]?> Handle(BusRequest request) => Dispatcher.HandleAsync(request, TestContext.Current.CancellationToken);

    public static byte[] RandomSector() => RandomNumberGenerator.GetBytes(Storage.StorageConstants.SectorSize);

    public async ValueTask DisposeAsync()
    {
        Dispatcher.Dispose();
        await Models.DisposeAsync();
        Store.Dispose();
        DeviceKey.Dispose();
        GatewayKey.Dispose();
        _dir.Dispose();
    }
}

internal sealed class RecordingCommands : IBusCommandSink
{
    public List<string> Received { get; } = [];

    public int? TelemetryPeriodS { get; private set; }

    public void Identify() => Received.Add("identify");

    public void Rebirth() => Received.Add("rebirth");

    public void ConfigSet(int telemetryPeriodS)
    {
        Received.Add("config.set");
        TelemetryPeriodS = telemetryPeriodS;
    }

    public void Revoke() => Received.Add("revoke");

    public void Restart() => Received.Add("restart");
}
