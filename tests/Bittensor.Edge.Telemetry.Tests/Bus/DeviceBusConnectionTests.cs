// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Telemetry.Bus;
using Bittensor.Edge.Telemetry.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Bittensor.Edge.Telemetry.Tests.Bus;

public sealed class DeviceBusConnectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StatusMessage Status(Received r)
    {
        Assert.True(StatusMessage.TryDecode(r.Payload, out StatusMessage? status), r.Text);
        return status!;
    }

    [Fact]
    public async Task Connect_uses_the_spec_client_settings_and_a_15_s_will_delay()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using TestDevice device = new(broker.Uri);
        await device.StartAndWaitAsync();

        ConnectInfo connect = Assert.Single(broker.Connects);
        Assert.Equal(TestDevice.Id, connect.ClientId);
        Assert.Equal(TestDevice.Id, connect.UserName);
        Assert.Equal("pw-1", connect.Password);
        Assert.False(connect.CleanSession);
        Assert.Equal(3600u, connect.SessionExpiryInterval);
        Assert.Equal((ushort)30, connect.KeepAlivePeriod);
        Assert.Equal(8u * 1024 * 1024, connect.MaximumPacketSize);
        Assert.Equal((ushort)16, connect.ReceiveMaximum);
        Assert.Equal(15u, connect.WillDelayInterval);
        Assert.Equal(1ul, device.Connection.BdSeq);
        Assert.Equal("1", File.ReadAllText(device.Options.BdSeqPath).Trim());
    }

    // MQTTnet's client pins SO_SNDBUF/SO_RCVBUF to 8 KiB by default; on loopback that made a 4 MiB storage envelope take
    // ~2 s (32 KiB: still ~2 s; 64 KiB and up: tens of ms), with every smaller message queued behind it.
    [Theory]
    [InlineData("mqtt://127.0.0.1:1883")]
    [InlineData("mqtts://gateway.local:8883")]
    public async Task The_client_asks_for_socket_buffers_big_enough_for_sector_sized_envelopes(string broker)
    {
        await using TestDevice device = new(new Uri(broker));

        MqttClientOptions options = device.Connection.BuildClientOptions(1, "pw-1");

        MqttClientTcpOptions tcp = Assert.IsType<MqttClientTcpOptions>(options.ChannelOptions);
        Assert.Equal(DeviceBusConnection.SocketBufferBytes, tcp.BufferSize);
        Assert.True(tcp.BufferSize >= 256 * 1024, $"BufferSize {tcp.BufferSize} is back near MQTTnet's 8 KiB default");
        Assert.True(tcp.NoDelay);
    }

    [Fact]
    public async Task Birth_is_retained_online_with_the_bdSeq_and_hooks_run_after_it()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using TestDevice device = new(broker.Uri);
        List<BusPublishTrigger> triggers = [];
        bool birthRetainedWhenHookRan = false;
        TaskCompletionSource hookRan = new(TaskCreationOptions.RunContinuationsAsynchronously);
        device.Connection.AddPublishHook(async (trigger, ct) =>
        {
            MQTTnet.MqttApplicationMessage? retained = await broker.Server.GetRetainedMessageAsync(device.Topics.Status(TestDevice.Id));
            birthRetainedWhenHookRan = retained is not null;
            lock (triggers)
            {
                triggers.Add(trigger);
            }

            hookRan.TrySetResult();
        });
        await device.StartAndWaitAsync();

        // "Online" is signalled once the birth is acknowledged; the hooks run after that, so wait for them.
        await hookRan.Task.WaitAsync(Ct);

        await using TestClient observer = await TestClient.ConnectAsync(broker.Uri, "observer", device.Topics.Status(TestDevice.Id));
        Received birth = await observer.WaitForTopicAsync(device.Topics.Status(TestDevice.Id));
        Assert.True(birth.Retain);
        StatusMessage status = Status(birth);
        Assert.Equal(StatusMessage.Online, status.State);
        Assert.Equal(1ul, status.BdSeq);
        Assert.Equal(device.Clock.UtcNow.ToUnixTimeMilliseconds(), status.Ts);
        Assert.True(birthRetainedWhenHookRan);
        Assert.Equal([BusPublishTrigger.Connected], triggers);
    }

    [Fact]
    public async Task Reconnect_increments_bdSeq_and_asks_the_password_factory_again()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using TestDevice device = new(broker.Uri);
        await device.StartAndWaitAsync();
        await using TestClient observer = await TestClient.ConnectAsync(broker.Uri, "observer", device.Topics.Status(TestDevice.Id));

        await broker.Server.DisconnectClientAsync(TestDevice.Id, MqttDisconnectReasonCode.AdministrativeAction);
        await observer.WaitForAsync(list => list.Any(r => Status(r) is { State: "online", BdSeq: 2 }));

        Assert.Equal(2, device.PasswordsIssued);
        Assert.Equal(["pw-1", "pw-2"], broker.Connects.Where(c => c.ClientId == TestDevice.Id).Select(c => c.Password));
        Assert.Equal("2", File.ReadAllText(device.Options.BdSeqPath).Trim());
        TimeSpan delay = Assert.Single(device.Delays);
        Assert.InRange(delay, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(1.2));
    }

    [Fact]
    public async Task BdSeq_continues_from_the_file_across_restarts()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        string dir = Directory.CreateTempSubdirectory("bte-bdseq-").FullName;
        string path = Path.Combine(dir, "bdseq");
        File.WriteAllText(path, "41\n");
        await using TestDevice device = new(broker.Uri, b => b.BdSeqPath = path);
        await device.StartAndWaitAsync();
        Assert.Equal(42ul, device.Connection.BdSeq);
        Assert.Equal("42", File.ReadAllText(path).Trim());
    }

    [Fact]
    public async Task A_damaged_bdSeq_file_restarts_from_the_wall_clock_and_says_so()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        string dir = Directory.CreateTempSubdirectory("bte-bdseq-").FullName;
        string path = Path.Combine(dir, "bdseq");
        File.WriteAllText(path, "\0\0garbage");
        await using TestDevice device = new(broker.Uri, b => b.BdSeqPath = path);
        await device.StartAndWaitAsync();
        ulong expected = (ulong)device.Clock.UtcNow.ToUnixTimeSeconds() + 1;
        Assert.Equal(expected, device.Connection.BdSeq);
        Assert.True(device.Logger.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, "damaged"));
    }

    [Fact]
    public async Task Broker_down_at_start_backs_off_on_the_clock_doubling_with_jitter_then_connects()
    {
        TestBroker broker = TestBroker.NotStarted();
        await using (broker)
        {
            await using TestDevice device = new(broker.Uri, autoAdvance: false);
            TaskCompletionSource<TimeSpan>[] scheduled = [.. Enumerable.Range(0, 9).Select(_ => new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously))];
            int n = 0;
            device.Connection.RetryScheduled += d =>
            {
                int i = Interlocked.Increment(ref n) - 1;
                if (i < scheduled.Length)
                {
                    scheduled[i].TrySetResult(d);
                }
            };
            await device.Connection.StartAsync(Ct);

            double[] expected = [1, 2, 4, 8, 16, 32, 60, 60];
            for (int i = 0; i < expected.Length; i++)
            {
                TimeSpan delay = await scheduled[i].Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
                Assert.InRange(delay.TotalSeconds, expected[i] * 0.8, expected[i] * 1.2);
                Assert.Equal(i + 1, device.Connection.ConnectAttempts);

                // Nothing happens until the clock moves: just short of the delay, no new attempt.
                device.Clock.Advance(delay - TimeSpan.FromMilliseconds(1));
                Assert.Equal(i + 1, device.Connection.ConnectAttempts);
                Assert.False(device.Connection.IsConnected);
                if (i == expected.Length - 1)
                {
                    await broker.RestartAsync();
                }

                device.Clock.Advance(TimeSpan.FromMilliseconds(1));
            }

            await device.Connection.WaitConnectedAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
            Assert.Equal(9, device.Connection.ConnectAttempts);
            Assert.Equal(9ul, device.Connection.BdSeq);
        }
    }

    [Fact]
    public async Task Jitter_spreads_delays_over_plus_minus_twenty_percent()
    {
        ReconnectBackoff backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0.2, new Random(1));
        double[] samples = [.. Enumerable.Range(0, 2000).Select(_ => backoff.Delay(10).TotalSeconds)];
        Assert.All(samples, s => Assert.InRange(s, 48, 72));
        Assert.True(samples.Min() < 50 && samples.Max() > 70, "jitter should use the whole ±20 % band");
        Assert.Equal(1, new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0, new Random(1)).Delay(0).TotalSeconds);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Rpc_request_reaches_the_handler_with_correlation_and_response_topic_and_the_response_goes_back()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using TestDevice device = new(broker.Uri);
        device.Connection.InboundHandler = async (message, ct) =>
        {
            Assert.Equal(BusInboundKind.RpcRequest, message.Kind);
            byte[] reply = [.. "re:"u8, .. message.Payload.Span];
            Assert.True(await device.Connection.PublishResponseAsync(message, reply, ct));
        };
        await device.StartAndWaitAsync();
        await using TestClient gateway = await TestClient.ConnectAsync(broker.Uri, "gateway", device.Topics.RpcResponse(TestDevice.Id));

        byte[] correlation = [.. Enumerable.Range(1, 16).Select(i => (byte)i)];
        await gateway.PublishAsync(device.Topics.RpcRequest(TestDevice.Id), "ping"u8.ToArray(), correlation, device.Topics.RpcResponse(TestDevice.Id));
        Received response = await gateway.WaitForTopicAsync(device.Topics.RpcResponse(TestDevice.Id));
        Assert.Equal("re:ping", response.Text);
        Assert.Equal(correlation, response.CorrelationData);
        Assert.False(response.Retain);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, response.Qos);
    }

    [Fact]
    public async Task Commands_shares_blobs_and_registries_are_classified_and_other_devices_topics_are_not_seen()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using TestDevice device = new(broker.Uri);
        List<(BusInboundKind Kind, string? Command, string Topic)> seen = [];
        TaskCompletionSource four = new(TaskCreationOptions.RunContinuationsAsynchronously);
        device.Connection.InboundHandler = (message, ct) =>
        {
            lock (seen)
            {
                seen.Add((message.Kind, message.CommandName, message.Topic));
                if (seen.Count == 4)
                {
                    four.TrySetResult();
                }
            }

            return Task.CompletedTask;
        };
        await device.StartAndWaitAsync();
        await using TestClient gateway = await TestClient.ConnectAsync(broker.Uri, "gateway");
        FleetTopics t = device.Topics;
        await gateway.PublishAsync(t.Command("dev-zzzzzzzzzzzzzzzz", "restart"), [1]);
        await gateway.PublishAsync(t.Command(TestDevice.Id, "rebirth"), [1]);
        await gateway.PublishAsync(t.Share(TestDevice.Id), [2]);
        await gateway.PublishAsync(t.BlobResponse(TestDevice.Id), [3]);
        await gateway.PublishAsync(t.GatewayRegistry("gw1"), [4]);
        await four.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        Assert.Equal(
            [
                (BusInboundKind.Command, "rebirth", t.Command(TestDevice.Id, "rebirth")),
                (BusInboundKind.Share, null, t.Share(TestDevice.Id)),
                (BusInboundKind.BlobResponse, null, t.BlobResponse(TestDevice.Id)),
                (BusInboundKind.Registry, null, t.GatewayRegistry("gw1")),
            ],
            seen.OrderBy(s => s.Kind switch { BusInboundKind.Command => 0, BusInboundKind.Share => 1, BusInboundKind.BlobResponse => 2, _ => 3 }));
    }

    [Fact]
    public async Task Home_assistant_online_runs_the_hooks_and_rebirth_republishes_the_birth()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using TestDevice device = new(broker.Uri);
        List<BusPublishTrigger> triggers = [];
        TaskCompletionSource haSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource connectedSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        device.Connection.AddPublishHook((trigger, ct) =>
        {
            lock (triggers)
            {
                triggers.Add(trigger);
            }

            (trigger == BusPublishTrigger.HomeAssistantOnline ? haSeen : connectedSeen).TrySetResult();
            return Task.CompletedTask;
        });
        await device.StartAndWaitAsync();
        await connectedSeen.Task.WaitAsync(Ct); // the Connected hooks run just after "online" is signalled
        await using TestClient ha = await TestClient.ConnectAsync(broker.Uri, "homeassistant", device.Topics.Status(TestDevice.Id));
        await ha.PublishAsync(device.Topics.HaStatus, "offline"u8.ToArray(), retain: true);
        await ha.PublishAsync(device.Topics.HaStatus, "online"u8.ToArray(), retain: true);
        await haSeen.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        Assert.True(await device.Connection.RebirthAsync(Ct));
        await ha.WaitForAsync(list => list.Count(r => r.Topic == device.Topics.Status(TestDevice.Id)) >= 2);
        Assert.Equal([BusPublishTrigger.Connected, BusPublishTrigger.HomeAssistantOnline, BusPublishTrigger.Rebirth], triggers);
        Assert.All(ha.Messages, r => Assert.Equal(new StatusMessage("online", 1, 0, false), Status(r) with { Ts = 0 }));
    }

    [Fact]
    public async Task Clean_stop_publishes_a_clean_offline_and_disconnects_without_the_will()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using TestDevice device = new(broker.Uri, b => b.WillDelay = TimeSpan.Zero);
        await device.StartAndWaitAsync();
        await using TestClient observer = await TestClient.ConnectAsync(broker.Uri, "observer", device.Topics.Status(TestDevice.Id));
        await observer.WaitForTopicAsync(device.Topics.Status(TestDevice.Id));

        await device.Connection.StopAsync(Ct);
        Assert.False(device.Connection.IsConnected);
        Received offline = await observer.WaitForTopicAsync(device.Topics.Status(TestDevice.Id), r => Status(r).State == StatusMessage.Offline);
        Assert.Equal(new StatusMessage("offline", 1, 0, true), Status(offline) with { Ts = 0 });
        await broker.FirstDisconnect.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.Equal(MqttClientDisconnectType.Clean, Assert.Single(broker.Disconnects));
        MQTTnet.MqttApplicationMessage? retained = await broker.Server.GetRetainedMessageAsync(device.Topics.Status(TestDevice.Id));
        Assert.True(StatusMessage.TryDecode(retained!.Payload.FirstSpan, out StatusMessage? last));
        Assert.True(last!.Clean);
        Assert.Equal(2, observer.Messages.Count);
    }

    [Fact]
    public async Task A_dropped_connection_leaves_the_will_offline_with_its_bdSeq()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        await using TcpProxy proxy = await TcpProxy.StartAsync(broker.Port);
        await using TestDevice device = new(proxy.Uri, b => b.WillDelay = TimeSpan.Zero, autoAdvance: false);
        await device.StartAndWaitAsync();
        await using TestClient observer = await TestClient.ConnectAsync(broker.Uri, "observer", device.Topics.Status(TestDevice.Id));

        proxy.Cut();
        Received will = await observer.WaitForTopicAsync(device.Topics.Status(TestDevice.Id), r => Status(r).State == StatusMessage.Offline);
        Assert.Equal(new StatusMessage("offline", 1, 0, false), Status(will) with { Ts = 0 });
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, will.Qos);
        MQTTnet.MqttApplicationMessage? retained = await broker.Server.GetRetainedMessageAsync(device.Topics.Status(TestDevice.Id));
        Assert.True(StatusMessage.TryDecode(retained!.Payload.FirstSpan, out StatusMessage? last));
        Assert.Equal(StatusMessage.Offline, last!.State);
    }
}
