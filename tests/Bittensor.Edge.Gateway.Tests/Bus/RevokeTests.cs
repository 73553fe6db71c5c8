// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Gateway.Admin;
using Bittensor.Edge.Gateway.Fleet;
using Bittensor.Edge.Gateway.Tests.Support;
using Bittensor.Edge.Protocol.Fleet;
using MQTTnet;

namespace Bittensor.Edge.Gateway.Tests.Bus;

/// <summary><c>bte fleet revoke</c> (fleet.md §3, §8).</summary>
public sealed class RevokeTests
{
    [Fact]
    public async Task Revoke_sends_a_signed_revoke_drops_the_session_clears_discovery_and_refuses_later_logins()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync(homeAssistantPassword: "ha-pass");
        await using TestDevice device = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await device.JoinAsync(gw.CreateToken().Token));
        MqttTestClient session = await device.ConnectAndServeAsync();
        Assert.Equal(MqttClientPublishReasonCode.Success, await session.PublishAsync(gw.Topics.HaDiscovery(device.DeviceId), "{\"dev\":{}}"u8.ToArray(), retain: true));
        (MqttTestClient ha, _) = await MqttTestClient.ConnectAsync(gw.Port, "ha", "homeassistant", "ha-pass");
        await using (ha)
        {
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await ha.SubscribeAsync(gw.Topics.HaDiscovery(device.DeviceId)));
            Assert.NotEmpty(MqttTestClient.PayloadOf(await ha.ReceiveAsync()));

            RevokeResult? result = await gw.Gateway.RevokeDeviceAsync(device.DeviceId, TestContext.Current.CancellationToken);

            Assert.NotNull(result);
            Assert.True(result.WasConnected);
            Assert.True(result.RevokeAcknowledged);
            lock (device.Commands)
            {
                Assert.Contains(device.Commands, c => c.Name == BusMethods.Revoke && c.Header.Method == BusMethods.Revoke);
            }

            MqttApplicationMessage cleared = await ha.ReceiveOnAsync(gw.Topics.HaDiscovery(device.DeviceId));
            Assert.Empty(MqttTestClient.PayloadOf(cleared));
        }

        Assert.True(gw.Store.TryGetEnrollment(device.DeviceId, out EnrollmentRecord? enrollment));
        Assert.Equal(EnrollmentState.Revoked, enrollment.State);
        Assert.False(gw.Gateway.Broker.IsConnected(device.DeviceId));
        (_, MqttClientConnectResult again) = await device.ConnectAsync(device.Password(gw.Clock.UtcNow.ToUnixTimeSeconds() + 5));
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, again.ResultCode);
        Assert.True(gw.Logger.Contains("enrollment revoked"));
        Assert.Equal("revoked", gw.Gateway.ListDevices().Devices.Single().State);
    }

    [Fact]
    public async Task Revoking_an_unknown_device_changes_nothing()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();

        Assert.Null(await gw.Gateway.RevokeDeviceAsync("dev-aaaaaaaaaaaaaaaa", TestContext.Current.CancellationToken));
        Assert.Empty(gw.Store.ListEnrollments());
    }
}
