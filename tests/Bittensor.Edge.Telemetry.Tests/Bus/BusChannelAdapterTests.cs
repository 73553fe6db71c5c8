// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Bittensor.Edge.Telemetry.Bus;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Bittensor.Edge.Telemetry.Tests.Bus;

/// <summary>
/// The device bus's receive path: a PUBLISH decodes exactly as MQTTnet decodes it, with the payload left in the packet's
/// own array, and a packet over the announced maximum is read past without being held.
/// </summary>
public sealed class BusChannelAdapterTests
{
    private const int MaximumPacketSize = 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MqttClientOptions Options(int port = 1883) => new MqttClientOptionsBuilder()
        .WithProtocolVersion(MqttProtocolVersion.V500)
        .WithTcpServer("127.0.0.1", port)
        .WithMaximumPacketSize(MaximumPacketSize)
        .Build();

    private static BusChannelAdapter Unconnected() => new(new MqttTcpChannel(), Options(), null, MqttNetNullLogger.Instance);

    /// <summary>Encodes a packet with MQTTnet's own MQTT 5 encoder and splits it into its fixed header byte and body.</summary>
    private static (byte FixedHeader, byte[] Body) Encode(MqttPacket packet)
    {
        byte[] bytes = new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 65535)).Encode(packet).ToArray();
        int position = 1;
        while ((bytes[position] & 0x80) != 0)
        {
            position++;
        }

        return (bytes[0], bytes[(position + 1)..]);
    }

    private static MqttPacket DecodeWithMqttnet(byte fixedHeader, byte[] body) =>
        new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 65535))
            .Decode(new ReceivedMqttPacket(fixedHeader, new ArraySegment<byte>(body), body.Length + 2));

    /// <summary>Everything a PUBLISH carries, as text, so that two decodes compare in one assertion.</summary>
    private static string Describe(MqttPacket packet)
    {
        MqttPublishPacket p = Assert.IsType<MqttPublishPacket>(packet);
        string users = string.Join(",", (p.UserProperties ?? []).Select(u => $"{u.Name}={Convert.ToHexString(u.ValueBuffer.Span)}"));
        return $"{p.Topic}|{p.QualityOfServiceLevel}|{p.PacketIdentifier}|{p.Retain}|{p.Dup}|{p.ResponseTopic}|"
            + $"{(p.CorrelationData is null ? "-" : Convert.ToHexString(p.CorrelationData))}|{p.ContentType}|{p.MessageExpiryInterval}|"
            + $"{p.PayloadFormatIndicator}|{p.TopicAlias}|{users}|{Convert.ToHexString(System.Buffers.BuffersExtensions.ToArray(p.Payload))}";
    }

    public static TheoryData<int, int, bool, int> PublishForms() => new()
    {
        // payload bytes, QoS, with properties, topic length
        { 0, 0, false, 1 },
        { 1, 0, false, 5 },
        { 100, 1, true, 40 },
        { 100_000, 1, true, 300 },
        { 4 * 1024 * 1024, 1, true, 60 },
        { 17, 2, true, 1 },
        { 5, 1, false, 2000 },
    };

    [Theory]
    [MemberData(nameof(PublishForms))]
    public void A_publish_decodes_as_MQTTnet_decodes_it_with_the_payload_left_in_the_packet_array(int payloadBytes, int qos, bool properties, int topicLength)
    {
        byte[] payload = new byte[payloadBytes];
        new Random(payloadBytes).NextBytes(payload);
        MqttPublishPacket sent = new()
        {
            Topic = new string('t', topicLength),
            QualityOfServiceLevel = (MqttQualityOfServiceLevel)qos,
            PacketIdentifier = qos > 0 ? (ushort)4242 : (ushort)0,
            Retain = qos == 2,
            Payload = new System.Buffers.ReadOnlySequence<byte>(payload),
        };
        if (properties)
        {
            sent.ResponseTopic = "bt/dev/rpc/resp";
            sent.CorrelationData = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
            sent.ContentType = "application/octet-stream";
            sent.MessageExpiryInterval = 30;
            sent.PayloadFormatIndicator = MqttPayloadFormatIndicator.Unspecified;
            sent.UserProperties = [new MqttUserProperty("k", new ReadOnlyMemory<byte>("v"u8.ToArray()))];
        }

        (byte fixedHeader, byte[] body) = Encode(sent);
        using BusChannelAdapter adapter = Unconnected();

        MqttPacket ours = adapter.Decode(fixedHeader, body);

        Assert.Equal(Describe(DecodeWithMqttnet(fixedHeader, body)), Describe(ours));
        MqttPublishPacket publish = (MqttPublishPacket)ours;
        if (payloadBytes > 0)
        {
            Assert.True(MemoryMarshal.TryGetArray(publish.Payload.First, out ArraySegment<byte> segment));
            Assert.Same(body, segment.Array);
            Assert.Equal(body.Length - payloadBytes, segment.Offset);
            Assert.Equal(1, adapter.ZeroCopyPublishes);
        }
    }

    [Fact]
    public void A_damaged_publish_header_is_read_as_MQTTnet_reads_it_or_refused_as_MQTTnet_refuses_it()
    {
        MqttPublishPacket sent = new()
        {
            Topic = "bt/dev-abc/rpc/req",
            QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
            PacketIdentifier = 7,
            ResponseTopic = "bt/gw/rpc/resp",
            CorrelationData = [9, 9, 9, 9],
            Payload = new System.Buffers.ReadOnlySequence<byte>(new byte[64]),
        };
        (byte fixedHeader, byte[] original) = Encode(sent);
        Random random = new(5);
        int agreed = 0;
        for (int i = 0; i < 2000; i++)
        {
            // Damage one of the first 48 bytes (topic length, topic, packet id, properties), or cut the body short.
            byte[] body = [.. original];
            int at = random.Next(Math.Min(48, body.Length));
            body[at] = (byte)random.Next(256);
            if (i % 10 == 0)
            {
                body = body[..random.Next(body.Length)];
            }

            string expected;
            long mqttnetPayload = -1;
            try
            {
                MqttPacket theirs = DecodeWithMqttnet(fixedHeader, body);
                mqttnetPayload = ((MqttPublishPacket)theirs).Payload.Length;
                expected = Describe(theirs);
            }
            catch (Exception e) when (e is MqttProtocolViolationException or ArgumentOutOfRangeException or IndexOutOfRangeException or ArgumentException or InvalidOperationException)
            {
                expected = "refused";
            }

            string actual;
            using BusChannelAdapter adapter = Unconnected();
            try
            {
                actual = Describe(adapter.Decode(fixedHeader, body));
            }
            catch (Exception e) when (e is MqttProtocolViolationException or ArgumentOutOfRangeException or IndexOutOfRangeException or ArgumentException or InvalidOperationException)
            {
                actual = "refused";
            }

            // MQTTnet reads a property whose own length runs past the declared property length on into the payload; that
            // packet is malformed (MQTT 5 §2.2.2), and refusing it is the stricter, correct answer.
            bool readPastProperties = expected != "refused"
                && BusChannelAdapter.TryMeasurePublishHeader(fixedHeader, body, out int headerLength)
                && headerLength < body.Length
                && mqttnetPayload < body.Length - headerLength;
            string wanted = readPastProperties ? "refused" : expected;
            Assert.True(wanted == actual, $"case {i}: byte {at} of {Convert.ToHexString(body)}: MQTTnet {expected}, ours {actual}");
            agreed++;
        }

        Assert.Equal(2000, agreed);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x05, (byte)'a' }, false)]                       // topic runs past the body
    [InlineData(new byte[] { 0x00, 0x01, (byte)'a', 0x00, 0x07, 0x80, 0x80, 0x80, 0x80, 0x01 }, false)]   // 5-byte property length
    [InlineData(new byte[] { 0x00, 0x01, (byte)'a', 0x00, 0x07, 0x09 }, false)]     // properties run past the body
    [InlineData(new byte[] { 0x00, 0x01, (byte)'a', 0x00, 0x07, 0x00 }, true)]      // QoS 1, no properties: 6 bytes
    [InlineData(new byte[] { 0x00 }, false)]
    public void The_publish_header_is_measured_only_when_it_fits_the_body(byte[] body, bool fits)
    {
        Assert.Equal(fits, BusChannelAdapter.TryMeasurePublishHeader(0x32, body, out int length));
        Assert.Equal(fits ? 6 : 0, length);
    }

    /// <summary>A TCP peer on 127.0.0.1 that writes <paramref name="script"/>'s bytes to the first client, then closes.</summary>
    private static async Task<(BusChannelAdapter Adapter, Task Server)> ConnectToScriptAsync(Func<NetworkStream, Task> script)
    {
        TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task server = Task.Run(async () =>
        {
            try
            {
                using TcpClient client = await listener.AcceptTcpClientAsync(Ct);
                await using NetworkStream stream = client.GetStream();
                await script(stream);
            }
            finally
            {
                listener.Stop();
            }
        }, Ct);
        MqttClientOptions options = Options(port);
        BusChannelAdapter adapter = new(new MqttTcpChannel(options), options, null, MqttNetNullLogger.Instance);
        await adapter.ConnectAsync(Ct);
        return (adapter, server);
    }

    private static byte[] RemainingLength(int value)
    {
        List<byte> bytes = [];
        do
        {
            byte b = (byte)(value % 128);
            value /= 128;
            bytes.Add(value > 0 ? (byte)(b | 0x80) : b);
        }
        while (value > 0);
        return [.. bytes];
    }

    [Fact]
    public async Task An_oversized_publish_is_read_past_without_being_held_and_the_next_packet_arrives_whole()
    {
        MqttPublishPacket small = new() { Topic = "next", QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, PacketIdentifier = 2, Payload = new System.Buffers.ReadOnlySequence<byte>([1, 2, 3]) };
        (byte smallHeader, byte[] smallBody) = Encode(small);
        byte[] header = [0x00, 0x03, (byte)'b', (byte)'i', (byte)'g', 0x00, 0x01, 0x00]; // topic "big", packet id 1, no properties
        const int payload = 9 * 1024 * 1024;
        byte[] chunk = new byte[64 * 1024];
        (BusChannelAdapter adapter, Task server) = await ConnectToScriptAsync(async stream =>
        {
            await stream.WriteAsync((byte[])[0x32, .. RemainingLength(header.Length + payload), .. header], Ct);
            for (int sent = 0; sent < payload; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk, Ct);
            }

            await stream.WriteAsync((byte[])[smallHeader, .. RemainingLength(smallBody.Length), .. smallBody], Ct);
            await stream.FlushAsync(Ct);
        });
        using (adapter)
        {
            MqttPacket? first = await adapter.ReceivePacketAsync(Ct);
            MqttPacket? second = await adapter.ReceivePacketAsync(Ct);
            await server;

            MqttPublishPacket big = Assert.IsType<MqttPublishPacket>(first);
            Assert.Equal(("big", (ushort)1, 0L), (big.Topic, big.PacketIdentifier, big.Payload.Length));
            MqttUserProperty marker = Assert.Single(big.UserProperties);
            Assert.Equal(BusChannelAdapter.OversizedProperty, marker.Name);
            Assert.Equal((1 + 4 + header.Length + payload).ToString(System.Globalization.CultureInfo.InvariantCulture), System.Text.Encoding.ASCII.GetString(marker.ValueBuffer.Span));
            Assert.Equal(Describe(DecodeWithMqttnet(smallHeader, smallBody)), Describe(Assert.IsType<MqttPublishPacket>(second)));
            Assert.Equal(2 + smallBody.Length + 1 + 4 + header.Length + payload, adapter.BytesReceived);
        }
    }

    [Fact]
    public async Task An_oversized_packet_of_another_type_is_a_protocol_error_before_its_body_is_read()
    {
        (BusChannelAdapter adapter, Task server) = await ConnectToScriptAsync(async stream =>
            await stream.WriteAsync((byte[])[0x90, .. RemainingLength(200 * 1024 * 1024)], Ct));
        using (adapter)
        {
            MqttProtocolViolationException e = await Assert.ThrowsAsync<MqttProtocolViolationException>(() => adapter.ReceivePacketAsync(Ct));
            Assert.Contains($"over the maximum packet size of {MaximumPacketSize} bytes", e.Message, StringComparison.Ordinal);
            await server;
        }
    }

    [Fact]
    public async Task A_five_byte_remaining_length_is_a_protocol_error()
    {
        (BusChannelAdapter adapter, Task server) = await ConnectToScriptAsync(async stream =>
            await stream.WriteAsync((byte[])[0x30, 0x80, 0x80, 0x80, 0x80, 0x01], Ct));
        using (adapter)
        {
            await Assert.ThrowsAsync<MqttProtocolViolationException>(() => adapter.ReceivePacketAsync(Ct));
            await server;
        }
    }

    [Theory]
    [InlineData(0)]   // closed before any byte
    [InlineData(1)]   // inside the remaining length
    [InlineData(2)]   // inside the body
    public async Task A_connection_that_closes_inside_a_packet_reads_as_closed(int cut)
    {
        byte[][] scripts = [[], [0x30, 0x85], [0x30, 0x10, 0x00, 0x01, (byte)'t']];
        (BusChannelAdapter adapter, Task server) = await ConnectToScriptAsync(async stream => await stream.WriteAsync(scripts[cut], Ct));
        using (adapter)
        {
            Assert.Null(await adapter.ReceivePacketAsync(Ct));
            await server;
        }
    }
}
