// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Telemetry.Bus;
using Bittensor.Edge.Telemetry.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace Bittensor.Edge.Telemetry.Tests.Bus;

/// <summary>Malformed inbound traffic reaches the handler (or is dropped by the broker) and never costs the connection.</summary>
public sealed class InboundFaultTests
{
    private static readonly Ed25519KeyPair s_gatewayKey = Ed25519KeyPair.Generate();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(TestBroker Broker, TestDevice Device, TestClient Gateway, Inbox Seen)> StartAsync(Func<BusInboundMessage, Task>? behaviour = null)
    {
        TestBroker broker = await TestBroker.StartAsync();
        TestDevice device = new(broker.Uri);
        Inbox seen = new();
        device.Connection.InboundHandler = async (m, ct) =>
        {
            try
            {
                if (behaviour is not null)
                {
                    await behaviour(m);
                }
            }
            finally
            {
                seen.Enqueue(m);
                seen.Arrived.Writer.TryWrite(true);
            }
        };
        await device.StartAndWaitAsync();
        TestClient gateway = await TestClient.ConnectAsync(broker.Uri, "gateway", device.Topics.RpcResponse(TestDevice.Id));
        return (broker, device, gateway, seen);
    }

    private static async Task UntilAsync(Inbox seen, int count)
    {
        using CancellationTokenSource guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        guard.CancelAfter(TimeSpan.FromSeconds(20));
        while (seen.Count < count)
        {
            await seen.Arrived.Reader.ReadAsync(guard.Token);
        }
    }

    /// <summary>The messages a handler finished, in order, with a signal per message.</summary>
    public sealed class Inbox : ConcurrentQueue<BusInboundMessage>
    {
        public System.Threading.Channels.Channel<bool> Arrived { get; } = System.Threading.Channels.Channel.CreateUnbounded<bool>();
    }

    [Fact]
    public async Task Garbage_and_wrong_correlation_data_reach_the_handler_unchanged_and_the_session_stays_up()
    {
        (TestBroker broker, TestDevice device, TestClient gateway, Inbox seen) = await StartAsync(m =>
        {
            // What the miner's handler does: try to open the envelope, drop and log what fails.
            BusEnvelopeError error = BusEnvelopeError.BadCorrelationId;
            bool opened = m.CorrelationData is { } c && BusEnvelope.TryOpen(m.Payload, c.Span, s_gatewayKey.PublicKey, out _, out error);
            Assert.False(opened);
            Assert.NotEqual(BusEnvelopeError.None, error);
            return Task.CompletedTask;
        });
        await using (broker)
        await using (device)
        await using (gateway)
        {
            string req = device.Topics.RpcRequest(TestDevice.Id);
            await gateway.PublishAsync(req, [0xde, 0xad, 0xbe, 0xef]);
            await gateway.PublishAsync(req, [], correlationData: [1, 2, 3], responseTopic: "not/a/topic/+");
            await gateway.PublishAsync(req, new byte[100_000], correlationData: new byte[16]);
            await gateway.PublishAsync(device.Topics.Command(TestDevice.Id, "restart"), "{not json"u8.ToArray());
            await UntilAsync(seen, 4);

            BusInboundMessage[] m = [.. seen.OrderBy(x => x.Payload.Length)];
            Assert.Contains(m, x => x.Payload.IsEmpty && x.CorrelationData is { Length: 3 } && x.ResponseTopic == "not/a/topic/+");
            Assert.Contains(m, x => x.Payload.Length == 4 && x.CorrelationData is null && x.ResponseTopic is null && x.Payload.Span.SequenceEqual((byte[])[0xde, 0xad, 0xbe, 0xef]));
            Assert.Contains(m, x => x.Kind == BusInboundKind.Command && x.CommandName == "restart");
            Assert.True(device.Connection.IsConnected);
            Assert.Equal(1, device.Connection.ConnectAttempts);

            // A reply to a request whose response topic is unusable fails as a value, not an exception.
            BusInboundMessage bogus = m.First(x => x.ResponseTopic == "not/a/topic/+");
            Assert.False(await device.Connection.PublishResponseAsync(bogus, "x"u8.ToArray(), Ct));
            Assert.True(device.Connection.IsConnected);
        }
    }

    [Fact]
    public async Task A_handler_that_throws_is_logged_its_message_acknowledged_and_the_next_one_handled()
    {
        (TestBroker broker, TestDevice device, TestClient gateway, Inbox seen) = await StartAsync(m =>
            m.Payload.Span[0] == 1 ? throw new InvalidDataException("poison") : Task.CompletedTask);
        await using (broker)
        await using (device)
        await using (gateway)
        {
            string req = device.Topics.RpcRequest(TestDevice.Id);
            await gateway.PublishAsync(req, [1]);
            await gateway.PublishAsync(req, [2]);
            await UntilAsync(seen, 2);
            await broker.WaitForAcksAsync(TestDevice.Id, 2);
            await device.Logger.WaitForAsync(LogLevel.Error, "inbound handler failed");
            Assert.True(device.Connection.IsConnected);

            // Acknowledged: a reconnect of the persistent session does not bring the poison message back.
            await broker.Server.DisconnectClientAsync(TestDevice.Id, MQTTnet.Protocol.MqttDisconnectReasonCode.AdministrativeAction);
            await device.Connection.WaitConnectedAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
            await gateway.PublishAsync(req, [3]);
            await UntilAsync(seen, 3);
            Assert.Equal([1, 2, 3], seen.Select(x => (int)x.Payload.Span[0]).Order());   // handlers run concurrently
            Assert.All(seen, x => Assert.False(x.Duplicate));
        }
    }

    [Fact]
    public async Task An_oversized_message_is_dropped_and_logged_before_the_handler_and_does_not_cost_the_connection()
    {
        (TestBroker broker, TestDevice device, TestClient gateway, Inbox seen) = await StartAsync();
        await using (broker)
        await using (device)
        await using (gateway)
        {
            string req = device.Topics.RpcRequest(TestDevice.Id);
            await gateway.PublishAsync(req, new byte[(8 * 1024 * 1024) + 1024]);
            await gateway.PublishAsync(req, [7]);
            await device.Logger.WaitForAsync(LogLevel.Warning, "exceed the maximum packet size");
            await UntilAsync(seen, 1);
            Assert.Equal([7], seen.Select(x => (int)x.Payload.Span[0]));
            Assert.True(device.Connection.IsConnected);
            Assert.Equal(1, device.Connection.ConnectAttempts);
        }
    }

    [Fact]
    public async Task A_4_MiB_request_reaches_the_handler_whole_and_in_the_array_it_was_read_into()
    {
        (TestBroker broker, TestDevice device, TestClient gateway, Inbox seen) = await StartAsync();
        await using (broker)
        await using (device)
        await using (gateway)
        {
            byte[] sector = new byte[4 * 1024 * 1024];
            new Random(4).NextBytes(sector);
            await gateway.PublishAsync(device.Topics.RpcRequest(TestDevice.Id), sector, correlationData: new byte[16]);
            await UntilAsync(seen, 1);

            BusInboundMessage m = Assert.Single(seen);
            Assert.True(m.Payload.Span.SequenceEqual(sector));

            // The payload is the tail of the packet's own array (topic and properties in front of it), not a copy.
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(m.Payload, out ArraySegment<byte> segment));
            Assert.True(segment.Offset > 0);
            Assert.Equal(segment.Offset + sector.Length, segment.Array!.Length);
        }
    }
}
