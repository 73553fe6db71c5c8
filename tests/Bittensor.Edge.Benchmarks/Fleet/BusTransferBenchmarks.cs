// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using BenchmarkDotNet.Attributes;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Gateway;
using Bittensor.Edge.Gateway.Broker;
using Bittensor.Edge.Gateway.Bus;
using Bittensor.Edge.Gateway.Fleet;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Telemetry.Bus;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Benchmarks.Fleet;

/// <summary>
/// One bus round trip on 127.0.0.1 through the real parts: the embedded <see cref="FleetBroker"/> (authentication, topic
/// ACL, interceptors), <see cref="GatewayBus.CallAsync"/> (bus-key-signed request) and a <see cref="DeviceBusConnection"/>
/// whose handler answers with a device-signed envelope at once: a <c>storage.put</c>-sized (4 MiB) request, and a 64-byte one.
/// With MQTTnet's default 8 KiB client socket buffers the 4 MiB call took ~2 s; it should take tens of milliseconds.
/// </summary>
public class BusTransferBenchmarks : IDisposable
{
    private readonly byte[] _sector = new byte[StorageConstants.SectorSize];
    private readonly byte[] _small = new byte[64];
    private readonly CancellationTokenSource _stop = new();
    private readonly Ed25519KeyPair _busKey = Ed25519KeyPair.Generate();
    private readonly Ed25519KeyPair _deviceKey = Ed25519KeyPair.Generate();
    private string _directory = "";
    private FleetStore _store = null!;
    private FleetGateway _gateway = null!;
    private DeviceBusConnection _device = null!;
    private Task _running = Task.CompletedTask;
    private string _deviceId = "";
    private byte[] _header = [];

    /// <summary>Starts a gateway on a free loopback port, enrolls one device and connects it.</summary>
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    /// <summary>A 4 MiB request and its (small) signed answer.</summary>
    [Benchmark]
    public BusCallStatus PutSizedCall() => Call(_sector);

    /// <summary>A 64-byte request and its signed answer.</summary>
    [Benchmark]
    public BusCallStatus SmallCall() => Call(_small);

    /// <summary>Disconnects the device, stops the gateway and deletes its folder.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        if (_device is null)
        {
            return;
        }

        CleanupAsync().GetAwaiter().GetResult();
        _device = null!;
    }

    private BusCallStatus Call(byte[] body)
    {
        BusCallResult result = _gateway.Bus.CallAsync(_deviceId, _header, body, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        return result.Status == BusCallStatus.Answered ? result.Status : throw new InvalidOperationException($"The bus call ended {result.Status}.");
    }

    private async Task SetupAsync()
    {
        new Random(1).NextBytes(_sector);
        _directory = Directory.CreateTempSubdirectory("bte-bus-bench-").FullName;
        if (!FleetStore.TryOpen(_directory, out FleetStore? store, out string? error))
        {
            throw new InvalidOperationException(error);
        }

        _store = store;
        SystemClock clock = SystemClock.Instance;
        FleetTopics topics = FleetTopics.ForFleet("bench");
        FleetGatewayOptions options = new("bench", "gw1", topics, new FleetBrokerOptions(IPAddress.Loopback, 0, topics, "gw1", GatewayConstants.DefaultJoinConnectsPerMinute, null), "mlp-tiny-v1", 4, TimeSpan.FromSeconds(20));
        _gateway = await FleetGateway.StartAsync(options, store, _busKey, clock, NullLogger.Instance).ConfigureAwait(false);
        _running = _gateway.RunAsync(_stop.Token);

        _deviceId = DeviceIds.FromPublicKey(_deviceKey.PublicKey);
        JoinToken token = JoinToken.Create();
        store.AddToken(token, clock.UtcNow, TimeSpan.FromHours(1), 1, null);
        JoinHello hello = new(_deviceKey.PublicKey.ToArray(), "rpi4", "bench", "bench", new byte[16]);
        EnrollOutcome enrolled = store.TryEnroll(hello, _deviceKey.PublicKey, JoinToken.FormatTokenId(token.TokenId), clock.UtcNow, out _);
        if (enrolled != EnrollOutcome.Enrolled)
        {
            throw new InvalidOperationException($"Enrolling the bench device failed: {enrolled}.");
        }

        long lastLogin = 0;
        _device = new DeviceBusConnection(
            new DeviceBusOptions
            {
                BrokerUri = new Uri($"mqtt://127.0.0.1:{_gateway.Broker.Port}"),
                DeviceId = _deviceId,
                Topics = topics,
                PasswordFactory = _ => ValueTask.FromResult(MqttLogin.CreatePassword(_deviceKey, _deviceId, lastLogin = Math.Max(lastLogin + 1, clock.UtcNow.ToUnixTimeSeconds()))),
                BdSeqPath = Path.Combine(_directory, "bdseq"),
            },
            clock);
        byte[] answer = BusResponseHeader.Failure(BusErrors.BadRequest, "bench echo");
        _device.InboundHandler = (message, ct) =>
            _device.PublishResponseAsync(message, BusEnvelope.Seal(message.CorrelationData.GetValueOrDefault().Span, answer, [], _deviceKey), ct);
        await _device.StartAsync().ConfigureAwait(false);
        await _device.WaitConnectedAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        _header = BusRequestHeader.Encode(BusMethods.StoragePut, clock.UtcNow.AddDays(1).ToUnixTimeMilliseconds());
    }

    private async Task CleanupAsync()
    {
        await _device.DisposeAsync().ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _gateway.DisposeAsync().ConfigureAwait(false);
        _store.Dispose();
        _busKey.Dispose();
        _deviceKey.Dispose();
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
