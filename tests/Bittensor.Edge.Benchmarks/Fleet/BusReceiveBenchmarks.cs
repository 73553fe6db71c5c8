// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Telemetry.Bus;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Bittensor.Edge.Benchmarks.Fleet;

/// <summary>
/// Receiving one <c>storage.put</c>-sized PUBLISH (a 4 MiB sector plus an envelope header, QoS 1, response topic and
/// correlation data) from an in-memory channel: MQTTnet's own channel adapter (the baseline: it reads the packet into one
/// array and copies the payload into a second) against <see cref="BusChannelAdapter"/> (one array, the payload a slice
/// of it). The memory diagnoser's Allocated column is the figure that matters on a 1 GB board.
/// </summary>
[MemoryDiagnoser]
public class BusReceiveBenchmarks
{
    private byte[] _packet = [];
    private MqttClientOptions _options = null!;

    /// <summary>Encodes the packet once with MQTTnet's MQTT 5 encoder.</summary>
    [GlobalSetup]
    public void Setup()
    {
        byte[] payload = new byte[StorageConstants.SectorSize + 300];
        new Random(1).NextBytes(payload);
        MqttPublishPacket publish = new()
        {
            Topic = "bt/lab1/dev/dev-abcdefgh234567ab/rpc/req",
            QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
            PacketIdentifier = 7,
            ResponseTopic = "bt/lab1/dev/dev-abcdefgh234567ab/rpc/resp",
            CorrelationData = new byte[16],
            Payload = new ReadOnlySequence<byte>(payload),
        };
        _packet = new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 65535)).Encode(publish).ToArray();
        _options = new MqttClientOptionsBuilder().WithProtocolVersion(MqttProtocolVersion.V500).WithTcpServer("127.0.0.1").WithMaximumPacketSize(8 * 1024 * 1024).Build();
    }

    /// <summary>MQTTnet 5.2's <see cref="MqttChannelAdapter"/>.</summary>
    [Benchmark(Baseline = true)]
    public long Mqttnet()
    {
        using MqttChannelAdapter adapter = new(new ReplayChannel(_packet), new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 65535)), MqttNetNullLogger.Instance);
        return ((MqttPublishPacket)adapter.ReceivePacketAsync(CancellationToken.None).GetAwaiter().GetResult()).Payload.Length;
    }

    /// <summary>The device bus's <see cref="BusChannelAdapter"/>.</summary>
    [Benchmark]
    public long ReadOnce()
    {
        using BusChannelAdapter adapter = new(new ReplayChannel(_packet), _options, null, MqttNetNullLogger.Instance);
        return ((MqttPublishPacket)adapter.ReceivePacketAsync(CancellationToken.None).GetAwaiter().GetResult()!).Payload.Length;
    }

    /// <summary>A channel that hands out one packet's bytes in 64 KiB reads, as a socket would.</summary>
    private sealed class ReplayChannel(byte[] bytes) : IMqttChannel
    {
        private int _position;

        public X509Certificate2 ClientCertificate => null!;

        public EndPoint RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1883);

        public EndPoint LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 50000);

        public bool IsSecureConnection => false;

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DisconnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            int n = Math.Min(Math.Min(count, 64 * 1024), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return Task.FromResult(n);
        }

        public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
