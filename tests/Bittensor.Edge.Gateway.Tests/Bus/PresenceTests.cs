// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Gateway.Admin;
using Bittensor.Edge.Gateway.Bus;
using Bittensor.Edge.Gateway.Tests.Support;
using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Gateway.Tests.Bus;

/// <summary>Online/offline from the status topic with the bdSeq rule (fleet.md §4).</summary>
public sealed class PresenceTests
{
    [Fact]
    public void A_late_will_of_an_earlier_connection_does_not_mark_the_device_offline()
    {
        DevicePresence presence = new();
        DateTimeOffset now = DateTimeOffset.UnixEpoch;

        Assert.True(presence.OnStatus("dev-aaaaaaaaaaaaaaaa", new StatusMessage(StatusMessage.Online, 5, 0, false), now));
        Assert.False(presence.OnStatus("dev-aaaaaaaaaaaaaaaa", new StatusMessage(StatusMessage.Offline, 4, 0, false), now));
        Assert.Equal("online", presence.Get("dev-aaaaaaaaaaaaaaaa").State);
        Assert.True(presence.OnStatus("dev-aaaaaaaaaaaaaaaa", new StatusMessage(StatusMessage.Offline, 5, 0, true), now));
        Assert.Equal(("offline", (ulong?)5, (bool?)true), (presence.Get("dev-aaaaaaaaaaaaaaaa").State, presence.Get("dev-aaaaaaaaaaaaaaaa").BdSeq, presence.Get("dev-aaaaaaaaaaaaaaaa").Clean));
        Assert.Equal("unknown", presence.Get("dev-bbbbbbbbbbbbbbbb").State);
    }

    [Fact]
    public async Task Devices_lists_presence_from_the_status_topic_over_the_real_broker()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        await using TestDevice device = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await device.JoinAsync(gw.CreateToken().Token));
        Assert.Equal("unknown", gw.Gateway.ListDevices().Devices.Single().Presence);
        (MqttTestClient client, _) = await device.ConnectAsync();
        string status = gw.Topics.Status(device.DeviceId);

        await client.PublishAsync(status, new StatusMessage(StatusMessage.Online, 7, 1, false).Encode(), retain: true);
        await Eventually.TrueAsync(() => gw.Gateway.ListDevices().Devices.Single().Presence == "online");
        await client.PublishAsync(status, new StatusMessage(StatusMessage.Offline, 6, 2, false).Encode(), retain: true);
        await client.PublishAsync(status, "not json"u8.ToArray(), retain: true);
        await client.PublishAsync(gw.Topics.Event(device.DeviceId), "{}"u8.ToArray());
        await Eventually.TrueAsync(() => gw.Logger.Contains("malformed status payload"));

        DeviceInfo info = gw.Gateway.ListDevices().Devices.Single();
        Assert.Equal(("online", (ulong?)7, true), (info.Presence, info.BdSeq, info.Connected));
        Assert.NotNull(info.LastSeen);

        await client.PublishAsync(status, new StatusMessage(StatusMessage.Offline, 7, 3, true).Encode(), retain: true);
        await Eventually.TrueAsync(() => gw.Gateway.ListDevices().Devices.Single().Presence == "offline");
    }
}
