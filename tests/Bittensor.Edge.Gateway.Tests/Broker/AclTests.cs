// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Gateway.Broker;
using Bittensor.Edge.Gateway.Tests.Support;
using Bittensor.Edge.Protocol.Fleet;
using MQTTnet;

namespace Bittensor.Edge.Gateway.Tests.Broker;

/// <summary>The per-device topic ACL of fleet.md §4, on the real broker and as a pure function.</summary>
public sealed class AclTests
{
    [Fact]
    public async Task A_device_cannot_publish_or_subscribe_on_another_devices_topics_but_can_on_its_own()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        await using TestDevice alice = gw.NewDevice();
        await using TestDevice bob = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await alice.JoinAsync(gw.CreateToken().Token));
        Assert.IsType<JoinAccepted>(await bob.JoinAsync(gw.CreateToken().Token));
        (MqttTestClient client, MqttClientConnectResult result) = await alice.ConnectAsync();
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        FleetTopics t = gw.Topics;

        Assert.Equal(MqttClientPublishReasonCode.Success, await client.PublishAsync(t.State(alice.DeviceId), "{}"u8.ToArray(), retain: true));
        Assert.Equal(MqttClientPublishReasonCode.Success, await client.PublishAsync(t.TelemetryBackfill(alice.DeviceId), "[]"u8.ToArray()));
        Assert.Equal(MqttClientPublishReasonCode.Success, await client.PublishAsync(t.HaDiscovery(alice.DeviceId), "{}"u8.ToArray(), retain: true));
        Assert.Equal(MqttClientPublishReasonCode.Success, await client.PublishAsync(t.GatewayBlobRequest("gw1"), [1]));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await client.SubscribeAsync(t.CommandFilter(alice.DeviceId)));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await client.SubscribeAsync(t.GatewayRegistry("gw1")));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await client.SubscribeAsync(t.HaStatus));

        string[] foreignPublishes =
        [
            t.State(bob.DeviceId), t.Status(bob.DeviceId), t.RpcResponse(bob.DeviceId), t.HaDiscovery(bob.DeviceId),
            t.Command(alice.DeviceId, "restart"), t.RpcRequest(alice.DeviceId), t.Share(alice.DeviceId), t.GatewayStatus("gw1"),
            t.JoinResponse("join-0123456789abcdef"), "elsewhere/topic",
        ];
        foreach (string topic in foreignPublishes)
        {
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await client.PublishAsync(topic, [1]));
        }

        string[] foreignFilters = [t.CommandFilter(bob.DeviceId), t.RpcRequest(bob.DeviceId), t.Base + "/dev/+/cmd/#", "#", t.Base + "/#", t.Device(bob.DeviceId) + "/+"];
        foreach (string filter in foreignFilters)
        {
            Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await client.SubscribeAsync(filter));
        }

        // MQTTnet refuses shared subscriptions itself; either way a device cannot take another's requests.
        Assert.NotEqual(MqttClientSubscribeResultCode.GrantedQoS1, await client.SubscribeAsync("$share/g/" + t.RpcRequest(bob.DeviceId)));
        Assert.Equal(foreignPublishes.Length, gw.Logger.Count("publish refused by the ACL"));
        Assert.Equal(foreignFilters.Length, gw.Logger.Count("subscribe refused by the ACL"));
        Assert.True(client.Client.IsConnected);
    }

    [Fact]
    public async Task A_refused_publish_never_reaches_the_other_device()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        await using TestDevice alice = gw.NewDevice();
        await using TestDevice bob = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await alice.JoinAsync(gw.CreateToken().Token));
        Assert.IsType<JoinAccepted>(await bob.JoinAsync(gw.CreateToken().Token));
        (MqttTestClient a, _) = await alice.ConnectAsync();
        (MqttTestClient b, _) = await bob.ConnectAsync();
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await b.SubscribeAsync(gw.Topics.CommandFilter(bob.DeviceId)));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await a.PublishAsync(gw.Topics.Command(bob.DeviceId, "reboot"), [1]));
        await gw.Gateway.Bus.PublishAsync(gw.Topics.Command(bob.DeviceId, "marker"), [2], retain: false, TestContext.Current.CancellationToken);

        // The first thing Bob receives is the gateway's marker, not Alice's forged command.
        MqttApplicationMessage first = await b.ReceiveAsync();
        Assert.Equal(gw.Topics.Command(bob.DeviceId, "marker"), first.Topic);
    }

    [Fact]
    public async Task A_join_client_may_use_only_its_own_join_topics()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        string clientId = TestDevice.NewJoinClientId();
        (MqttTestClient client, MqttClientConnectResult result) = await MqttTestClient.ConnectAsync(gw.Port, clientId, "join", "");
        await using (client)
        {
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await client.SubscribeAsync(gw.Topics.JoinResponse(clientId)));
            Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await client.SubscribeAsync(gw.Topics.JoinResponse("join-0123456789abcdef")));
            Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await client.SubscribeAsync(gw.Topics.Base + "/join/+/resp"));
            Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await client.SubscribeAsync(gw.Topics.JoinRequest(clientId)));
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await client.PublishAsync(gw.Topics.JoinRequest("join-0123456789abcdef"), "{}"u8.ToArray()));
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await client.PublishAsync(gw.Topics.State("dev-aaaaaaaaaaaaaaaa"), "{}"u8.ToArray()));
        }
    }

    [Fact]
    public async Task Home_assistant_reads_the_fleet_and_writes_only_its_status_and_command_topic()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync(homeAssistantPassword: "s3cret-ha");
        (MqttTestClient ha, MqttClientConnectResult result) = await MqttTestClient.ConnectAsync(gw.Port, "home-assistant", "homeassistant", "s3cret-ha");
        await using (ha)
        {
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await ha.SubscribeAsync("homeassistant/#"));
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await ha.SubscribeAsync(gw.Topics.Base + "/#"));
            Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await ha.SubscribeAsync("#"));
            Assert.Equal(MqttClientPublishReasonCode.Success, await ha.PublishAsync(gw.Topics.HaStatus, "online"u8.ToArray(), retain: true));
            Assert.Equal(MqttClientPublishReasonCode.Success, await ha.PublishAsync(gw.Topics.GatewayHaCommand("gw1"), "{}"u8.ToArray()));
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await ha.PublishAsync(gw.Topics.Command("dev-aaaaaaaaaaaaaaaa", "reboot"), [1]));
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await ha.PublishAsync(gw.Topics.HaDiscovery("dev-aaaaaaaaaaaaaaaa"), [], retain: true));
        }

        (MqttTestClient squatter, MqttClientConnectResult reserved) = await MqttTestClient.ConnectAsync(gw.Port, "dev-aaaaaaaaaaaaaaaa", "homeassistant", "s3cret-ha");
        await using (squatter)
        {
            Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, reserved.ResultCode);
        }
    }

    [Theory]
    [InlineData("a/b/#", "a/b", true)]
    [InlineData("a/b/#", "a/b/c/d", true)]
    [InlineData("a/b/#", "a/b/+", true)]
    [InlineData("a/+/c", "a/x/c", true)]
    [InlineData("a/+/c", "a/+/c", true)]
    [InlineData("a/+/c", "a/#", false)]
    [InlineData("a/b/c", "a/+/c", false)]
    [InlineData("a/b/c", "a/b", false)]
    [InlineData("a/b", "a/b/c", false)]
    [InlineData("#", "$SYS/x", false)]
    [InlineData("+/x", "$SYS/x", false)]
    [InlineData("a/b", "a/b", true)]
    public void Covers_follows_mqtt_filter_semantics_conservatively(string allowed, string requested, bool covered) =>
        Assert.Equal(covered, TopicAcl.Covers(allowed, requested));
}
