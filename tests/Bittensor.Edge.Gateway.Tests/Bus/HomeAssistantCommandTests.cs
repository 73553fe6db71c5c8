// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using Bittensor.Edge.Gateway.Bus;
using Bittensor.Edge.Gateway.Tests.Support;
using Bittensor.Edge.Protocol.Fleet;
using MQTTnet;

namespace Bittensor.Edge.Gateway.Tests.Bus;

/// <summary>Home Assistant buttons (fleet.md §8): signed and forwarded for identify, restart and rebirth only.</summary>
public sealed class HomeAssistantCommandTests
{
    private const string HaPassword = "s3cret-ha";

    [Fact]
    public async Task A_button_press_reaches_the_device_as_a_signed_non_retained_command_that_expires_in_300_s()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync(homeAssistantPassword: HaPassword);
        await using TestDevice alice = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await alice.JoinAsync(gw.CreateToken().Token));
        (MqttTestClient device, _) = await alice.ConnectAsync();
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await device.SubscribeAsync(gw.Topics.CommandFilter(alice.DeviceId)));
        (MqttTestClient ha, MqttClientConnectResult connected) = await MqttTestClient.ConnectAsync(gw.Port, "home-assistant", "homeassistant", HaPassword);
        await using (ha)
        {
            Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
            foreach (string command in (string[])[BusMethods.Identify, BusMethods.Restart, BusMethods.Rebirth])
            {
                Assert.Equal(MqttClientPublishReasonCode.Success, await ha.PublishAsync(gw.Topics.GatewayHaCommand(GatewayFixture.GatewayId), Press(alice.DeviceId, command)));

                MqttApplicationMessage message = await device.ReceiveAsync();
                Assert.Equal(gw.Topics.Command(alice.DeviceId, command), message.Topic);
                Assert.False(message.Retain);
                Assert.InRange(message.MessageExpiryInterval, 1u, 300u);
                Assert.True(BusEnvelope.TryOpen(MqttTestClient.PayloadOf(message), message.CorrelationData, gw.BusKey.PublicKey, out BusEnvelope envelope, out BusEnvelopeError error), error.ToString());
                BusRequestHeader header = BusRequestHeader.Decode(envelope.Header.Span);
                Assert.Equal(command, header.Method);
                Assert.Equal((gw.Clock.UtcNow + TimeSpan.FromSeconds(300)).ToUnixTimeMilliseconds(), header.DeadlineUnixMs);
                Assert.True(envelope.Body.IsEmpty);
            }

            // Logged once the broker acknowledged the publish, which can be just after the device has it.
            await Eventually.TrueAsync(() => gw.Logger.Count("Home Assistant: forwarded") == 3);
            Assert.Empty(gw.Logger.Errors);
        }
    }

    [Fact]
    public async Task Other_commands_unknown_or_revoked_devices_malformed_and_retained_presses_are_refused_and_logged()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync(homeAssistantPassword: HaPassword);
        await using TestDevice alice = gw.NewDevice();
        await using TestDevice bob = gw.NewDevice();
        await using TestDevice stranger = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await alice.JoinAsync(gw.CreateToken().Token));
        Assert.IsType<JoinAccepted>(await bob.JoinAsync(gw.CreateToken().Token));
        Assert.NotNull(await gw.Gateway.RevokeDeviceAsync(bob.DeviceId, TestContext.Current.CancellationToken));
        string haCommand = gw.Topics.GatewayHaCommand(GatewayFixture.GatewayId);

        (MqttTestClient ha, _) = await MqttTestClient.ConnectAsync(gw.Port, "home-assistant", "homeassistant", HaPassword);
        await using (ha)
        {
            // Home Assistant reads {base}/#, so it sees every command the gateway sends to any device.
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await ha.SubscribeAsync(gw.Topics.Base + "/dev/+/cmd/#"));
            byte[][] refused =
            [
                Press(alice.DeviceId, BusMethods.Reboot),
                Press(alice.DeviceId, BusMethods.Revoke),
                Press(alice.DeviceId, BusMethods.ConfigSet),
                Press(alice.DeviceId, "storage.delete"),
                Press(stranger.DeviceId, BusMethods.Identify),
                Press(bob.DeviceId, BusMethods.Identify),
                Press("dev-aaaa/+/cmd", BusMethods.Identify),
                "not json"u8.ToArray(),
                "[]"u8.ToArray(),
                "{\"device\": 7, \"command\": \"identify\"}"u8.ToArray(),
                Encoding.UTF8.GetBytes($"{{\"device\": \"{alice.DeviceId}\"}}"),
                new byte[HomeAssistantCommand.MaxPayloadBytes + 1],
            ];
            foreach (byte[] payload in refused)
            {
                Assert.Equal(MqttClientPublishReasonCode.Success, await ha.PublishAsync(haCommand, payload));
            }

            // A retained press would be replayed at every reconnect of the gateway: refused at PUBACK.
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await ha.PublishAsync(haCommand, Press(alice.DeviceId, BusMethods.Identify), retain: true));

            // A device may not press buttons for itself or others.
            (MqttTestClient device, _) = await alice.ConnectAsync();
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await device.PublishAsync(haCommand, Press(alice.DeviceId, BusMethods.Identify)));

            // Presses are handled in order, so had any refused one been forwarded it would arrive before this one.
            Assert.Equal(MqttClientPublishReasonCode.Success, await ha.PublishAsync(haCommand, Press(alice.DeviceId, BusMethods.Rebirth)));
            MqttApplicationMessage first = await ha.ReceiveAsync();
            Assert.Equal(gw.Topics.Command(alice.DeviceId, BusMethods.Rebirth), first.Topic);

            Assert.Equal(refused.Length, gw.Logger.Count("Home Assistant command refused"));
            Assert.Equal(1, gw.Logger.Count("the device is revoked"));
            Assert.Equal(1, gw.Logger.Count("the device is not enrolled"));
            Assert.Equal(4, gw.Logger.Count("is not one Home Assistant may send"));
            await Eventually.TrueAsync(() => gw.Logger.Count("Home Assistant: forwarded") == 1);
        }
    }

    [Theory]
    [InlineData("{\"device\":\"dev-aaaaaaaaaaaaaaaa\",\"command\":\"identify\"}", true)]
    [InlineData("{\"command\":\"restart\",\"device\":\"dev-aaaaaaaaaaaaaaaa\",\"extra\":1}", true)]
    [InlineData("{\"device\":\"dev-aaaaaaaaaaaaaaaa\",\"command\":\"reboot\"}", false)]
    [InlineData("{\"device\":\"dev-aaaaaaaaaaaaaaaa\",\"command\":\"Identify\"}", false)]
    [InlineData("{\"device\":\"DEV-AAAAAAAAAAAAAAAA\",\"command\":\"identify\"}", false)]
    [InlineData("{\"device\":null,\"command\":\"identify\"}", false)]
    [InlineData("{\"device\":\"dev-aaaaaaaaaaaaaaaa\",\"command\":\"identify\"} trailing", false)]
    [InlineData("", false)]
    public void TryParse_accepts_only_the_three_commands_for_a_device_id(string json, bool ok)
    {
        bool parsed = HomeAssistantCommand.TryParse(Encoding.UTF8.GetBytes(json), out HomeAssistantCommand? command, out string? problem);
        Assert.Equal(ok, parsed);
        Assert.Equal(ok, command is not null);
        Assert.Equal(ok, problem is null);
    }

    private static byte[] Press(string device, string command) =>
        Encoding.UTF8.GetBytes($"{{\"device\":\"{device}\",\"command\":\"{command}\"}}");
}
