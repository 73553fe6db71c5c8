// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Gateway.Broker;
using Bittensor.Edge.Gateway.Tests.Support;
using Bittensor.Edge.Protocol.Fleet;
using MQTTnet;
using MQTTnet.Protocol;

namespace Bittensor.Edge.Gateway.Tests.Broker;

/// <summary>Last wills: a client may only leave the will its role allows (own status for a device), checked at CONNECT.</summary>
public sealed class WillTests
{
    private const string HaPassword = "s3cret-ha";

    [Fact]
    public async Task A_device_whose_will_targets_another_devices_status_is_refused_and_that_will_is_never_published()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync(homeAssistantPassword: HaPassword);
        await using TestDevice alice = gw.NewDevice();
        await using TestDevice bob = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await alice.JoinAsync(gw.CreateToken().Token));
        Assert.IsType<JoinAccepted>(await bob.JoinAsync(gw.CreateToken().Token));
        string bobStatus = gw.Topics.Status(bob.DeviceId);
        (MqttTestClient watcher, _) = await MqttTestClient.ConnectAsync(gw.Port, "watcher", "homeassistant", HaPassword);
        await using (watcher)
        {
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await watcher.SubscribeAsync(bobStatus));
            byte[] forged = new StatusMessage(StatusMessage.Offline, ulong.MaxValue, 0, Clean: true).Encode();

            (MqttTestClient forger, MqttClientConnectResult result) = await alice.ConnectAsync(configure: b => Will(b, bobStatus, forged));

            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result.ResultCode);
            Assert.Contains("last will", result.ReasonString, StringComparison.Ordinal);
            Assert.False(forger.Client.IsConnected);
            Assert.Equal(1, gw.Logger.Count("last will refused: a device's last will may only be its own status topic"));

            // Alice's login mark was not spent on the refused CONNECT: the same password still logs in (without the will).
            string password = alice.Password();
            (_, MqttClientConnectResult refusedAgain) = await alice.ConnectAsync(password, configure: b => Will(b, bobStatus, forged));
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, refusedAgain.ResultCode);
            (_, MqttClientConnectResult accepted) = await alice.ConnectAsync(password);
            Assert.Equal(MqttClientConnectResultCode.Success, accepted.ResultCode);

            // Had the broker kept a will of a refused CONNECT, it would reach the watcher before this marker.
            await gw.Gateway.Bus.PublishAsync(bobStatus, new StatusMessage(StatusMessage.Online, 1, 1, false).Encode(), retain: false, TestContext.Current.CancellationToken);
            MqttApplicationMessage first = await watcher.ReceiveOnAsync(bobStatus);
            Assert.True(StatusMessage.TryDecode(MqttTestClient.PayloadOf(first), out StatusMessage? status));
            Assert.Equal((StatusMessage.Online, 1UL), (status!.State, status.BdSeq));
        }
    }

    [Fact]
    public async Task A_device_will_on_its_own_status_is_accepted_and_published_when_it_dies()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync(homeAssistantPassword: HaPassword);
        (TestDevice alice, string status, MqttTestClient watcher) = await JoinedAndWatchedAsync(gw);
        await using (alice)
        await using (watcher)
        {
            (MqttTestClient client, MqttClientConnectResult result) = await alice.ConnectAsync(configure: b => Will(b, status, new StatusMessage(StatusMessage.Offline, 9, 1, false).Encode()));
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            Assert.Equal(MqttClientPublishReasonCode.Success, await client.PublishAsync(status, new StatusMessage(StatusMessage.Online, 9, 2, false).Encode(), retain: true));
            await Eventually.TrueAsync(() => gw.Gateway.ListDevices().Devices.Single().Presence == "online");

            client.Client.Dispose();

            await Eventually.TrueAsync(() => gw.Gateway.ListDevices().Devices.Single().Presence == "offline");
            Assert.Equal((ulong?)9, gw.Gateway.ListDevices().Devices.Single().BdSeq);
            Assert.Empty(gw.Logger.Errors);
        }
    }

    [Fact]
    public async Task A_device_will_with_a_delay_is_held_for_that_long_on_the_clock_then_published()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync(homeAssistantPassword: HaPassword);
        (TestDevice alice, string status, MqttTestClient watcher) = await JoinedAndWatchedAsync(gw);
        await using (alice)
        await using (watcher)
        {
            (MqttTestClient client, _) = await OnlineWithDelayedWillAsync(alice, status, bdSeq: 9, ts: 2);
            Assert.Equal(StatusMessage.Online, StatusOf(await watcher.ReceiveOnAsync(status)).State);

            client.Client.Dispose(); // no DISCONNECT: the broker fires the will

            await Eventually.TrueAsync(() => gw.Logger.Count("waits 15 s (its will delay)") == 1);
            gw.Clock.Advance(TimeSpan.FromSeconds(14));
            Assert.Equal("online", gw.Gateway.ListDevices().Devices.Single().Presence);

            gw.Clock.Advance(TimeSpan.FromSeconds(1));
            StatusMessage will = StatusOf(await watcher.ReceiveOnAsync(status));
            Assert.Equal((StatusMessage.Offline, 9UL, false), (will.State, will.BdSeq, will.Clean));
            await Eventually.TrueAsync(() => gw.Gateway.ListDevices().Devices.Single().Presence == "offline");
            Assert.Empty(gw.Logger.Errors);
        }
    }

    [Fact]
    public async Task A_device_that_logs_in_again_within_the_will_delay_never_shows_offline()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync(homeAssistantPassword: HaPassword);
        (TestDevice alice, string status, MqttTestClient watcher) = await JoinedAndWatchedAsync(gw);
        await using (alice)
        await using (watcher)
        {
            (MqttTestClient first, _) = await OnlineWithDelayedWillAsync(alice, status, bdSeq: 9, ts: 2);
            first.Client.Dispose();
            await Eventually.TrueAsync(() => gw.Logger.Count("waits 15 s (its will delay)") == 1);

            // A network blip: back after 5 s with the next bdSeq, before the will's 15 s are up.
            gw.Clock.Advance(TimeSpan.FromSeconds(5));
            (MqttTestClient second, MqttClientConnectResult result) = await OnlineWithDelayedWillAsync(alice, status, bdSeq: 10, ts: 3);
            await using MqttTestClient reconnected = second; // connected until the test ends
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);

            gw.Clock.Advance(TimeSpan.FromSeconds(10));
            await Eventually.TrueAsync(() => gw.Logger.Count("was dropped: it reconnected within the will delay") == 1);

            // The watcher saw online 9 then online 10, and what Home Assistant finds retained is still online 10: the will
            // (offline 9) would have overwritten it.
            StatusMessage seen = StatusOf(await watcher.ReceiveOnAsync(status));
            Assert.Equal((StatusMessage.Online, 9UL), (seen.State, seen.BdSeq));
            seen = StatusOf(await watcher.ReceiveOnAsync(status));
            Assert.Equal((StatusMessage.Online, 10UL), (seen.State, seen.BdSeq));
            (MqttTestClient late, _) = await MqttTestClient.ConnectAsync(gw.Port, "late-watcher", "homeassistant", HaPassword);
            await using (late)
            {
                Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await late.SubscribeAsync(status));
                MqttApplicationMessage retained = await late.ReceiveOnAsync(status);
                Assert.True(retained.Retain);
                Assert.Equal((StatusMessage.Online, 10UL), (StatusOf(retained).State, StatusOf(retained).BdSeq));
            }

            Assert.Equal("online", gw.Gateway.ListDevices().Devices.Single().Presence);
            Assert.Empty(gw.Logger.Errors);
        }
    }

    [Fact]
    public async Task Wills_off_the_spec_are_refused_for_devices_join_clients_and_home_assistant()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync(homeAssistantPassword: HaPassword);
        await using TestDevice alice = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await alice.JoinAsync(gw.CreateToken().Token));
        string status = gw.Topics.Status(alice.DeviceId);
        byte[] offline = new StatusMessage(StatusMessage.Offline, 3, 1, false).Encode();

        (Action<MqttClientOptionsBuilder> Will, string Why)[] deviceWills =
        [
            (b => Will(b, gw.Topics.State(alice.DeviceId), offline), "own status topic"),
            (b => Will(b, status, offline, MqttQualityOfServiceLevel.AtMostOnce), "QoS 1 and retained"),
            (b => Will(b, status, offline, retain: false), "QoS 1 and retained"),
            (b => Will(b, status, new StatusMessage(StatusMessage.Online, 3, 1, false).Encode()), "offline status message"),
            (b => Will(b, status, "not json"u8.ToArray()), "offline status message"),
        ];
        foreach ((Action<MqttClientOptionsBuilder> will, string why) in deviceWills)
        {
            (_, MqttClientConnectResult result) = await alice.ConnectAsync(configure: will);
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result.ResultCode);
            Assert.Contains(why, result.ReasonString, StringComparison.Ordinal);
        }

        (MqttTestClient join, MqttClientConnectResult joinResult) = await MqttTestClient.ConnectAsync(
            gw.Port, TestDevice.NewJoinClientId(), "join", "", b => Will(b, gw.Topics.JoinRequest("join-0123456789abcdef"), [1]));
        await using (join)
        {
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, joinResult.ResultCode);
        }

        (MqttTestClient haBad, MqttClientConnectResult haBadResult) = await MqttTestClient.ConnectAsync(
            gw.Port, "ha-bad", "homeassistant", HaPassword, b => Will(b, status, offline));
        await using (haBad)
        {
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, haBadResult.ResultCode);
        }

        (MqttTestClient haGood, MqttClientConnectResult haGoodResult) = await MqttTestClient.ConnectAsync(
            gw.Port, "ha-good", "homeassistant", HaPassword, b => Will(b, gw.Topics.HaStatus, "offline"u8.ToArray(), retain: false));
        await using (haGood)
        {
            Assert.Equal(MqttClientConnectResultCode.Success, haGoodResult.ResultCode);
        }

        Assert.Equal(deviceWills.Length + 2, gw.Logger.Count("last will refused"));
    }

    [Theory]
    [InlineData("dev-aaaaaaaaaaaaaaaa", "bte/lab1/dev/dev-aaaaaaaaaaaaaaaa/status", 1, true, true)]
    [InlineData("dev-aaaaaaaaaaaaaaaa", "bte/lab1/dev/dev-bbbbbbbbbbbbbbbb/status", 1, true, false)]
    [InlineData("dev-aaaaaaaaaaaaaaaa", "bte/lab1/dev/dev-aaaaaaaaaaaaaaaa/status", 2, true, false)]
    [InlineData("dev-aaaaaaaaaaaaaaaa", "bte/lab1/dev/dev-aaaaaaaaaaaaaaaa/event", 1, true, false)]
    [InlineData("homeassistant", "homeassistant/status", 0, false, true)]
    [InlineData("homeassistant", "homeassistant/status", 2, false, false)]
    [InlineData("join", "bte/lab1/join/join-0123456789abcdef/req", 0, false, false)]
    [InlineData("$gateway", "bte/lab1/gw/gw1/status", 1, true, true)]
    public void WillProblem_allows_only_the_roles_own_will(string user, string topic, int qos, bool retain, bool allowed)
    {
        TopicAcl acl = new(FleetTopics.ForFleet("lab1"), "gw1");
        string? problem = acl.WillProblem(user, topic, qos, retain, new StatusMessage(StatusMessage.Offline, 1, 1, false).Encode());
        Assert.Equal(allowed, problem is null);
    }

    /// <summary>A device joined to <paramref name="gw"/>, its status topic, and a Home Assistant watcher subscribed to it.</summary>
    private static async Task<(TestDevice Device, string Status, MqttTestClient Watcher)> JoinedAndWatchedAsync(GatewayFixture gw)
    {
        TestDevice device = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await device.JoinAsync(gw.CreateToken().Token));
        string status = gw.Topics.Status(device.DeviceId);
        (MqttTestClient watcher, _) = await MqttTestClient.ConnectAsync(gw.Port, "watcher", "homeassistant", HaPassword);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await watcher.SubscribeAsync(status));
        return (device, status, watcher);
    }

    /// <summary>Connects <paramref name="device"/> with a 15 s delayed will (offline, <paramref name="bdSeq"/>) and publishes its retained online status (stamped <paramref name="ts"/>).</summary>
    private static async Task<(MqttTestClient Client, MqttClientConnectResult Result)> OnlineWithDelayedWillAsync(TestDevice device, string status, ulong bdSeq, long ts)
    {
        (MqttTestClient client, MqttClientConnectResult result) = await device.ConnectAsync(configure: b => DelayedWill(b, status, bdSeq));
        Assert.Equal(MqttClientPublishReasonCode.Success, await client.PublishAsync(status, new StatusMessage(StatusMessage.Online, bdSeq, ts, false).Encode(), retain: true));
        return (client, result);
    }

    private static void DelayedWill(MqttClientOptionsBuilder builder, string status, ulong bdSeq)
    {
        Will(builder, status, new StatusMessage(StatusMessage.Offline, bdSeq, 1, false).Encode());
        builder.WithWillDelayInterval(15).WithSessionExpiryInterval(3600);
    }

    private static StatusMessage StatusOf(MqttApplicationMessage message)
    {
        Assert.True(StatusMessage.TryDecode(MqttTestClient.PayloadOf(message), out StatusMessage? status));
        return status!;
    }

    private static void Will(MqttClientOptionsBuilder builder, string topic, byte[] payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, bool retain = true) =>
        builder.WithWillTopic(topic).WithWillPayload(payload).WithWillQualityOfServiceLevel(qos).WithWillRetain(retain);
}
