// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Gateway.Fleet;
using Bittensor.Edge.Gateway.Tests.Support;
using MQTTnet;

namespace Bittensor.Edge.Gateway.Tests.Broker;

/// <summary>Device logins (fleet.md §3, "Login after enrollment") on the real broker.</summary>
public sealed class LoginTests
{
    private static async Task<(GatewayFixture Gw, TestDevice Device)> EnrolledAsync()
    {
        GatewayFixture gw = await GatewayFixture.StartAsync();
        TestDevice device = gw.NewDevice();
        Assert.IsType<Protocol.Fleet.JoinAccepted>(await device.JoinAsync(gw.CreateToken().Token));
        return (gw, device);
    }

    [Fact]
    public async Task An_enrolled_device_logs_in_with_a_fresh_signed_password_and_the_mark_is_persisted()
    {
        (GatewayFixture gw, TestDevice device) = await EnrolledAsync();
        await using (gw)
        await using (device)
        {
            long t = gw.Clock.UtcNow.ToUnixTimeSeconds();
            (_, MqttClientConnectResult result) = await device.ConnectAsync(device.Password(t));

            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            Assert.True(gw.Store.TryGetEnrollment(device.DeviceId, out EnrollmentRecord? enrollment));
            Assert.Equal(t, enrollment.LastLoginUnixS);
        }
    }

    [Fact]
    public async Task A_replayed_password_is_refused_and_so_is_an_older_one()
    {
        (GatewayFixture gw, TestDevice device) = await EnrolledAsync();
        await using (gw)
        await using (device)
        {
            long t = gw.Clock.UtcNow.ToUnixTimeSeconds();
            string password = device.Password(t);
            (MqttTestClient first, MqttClientConnectResult ok) = await device.ConnectAsync(password);
            Assert.Equal(MqttClientConnectResultCode.Success, ok.ResultCode);
            await first.DisposeAsync();

            (_, MqttClientConnectResult replayed) = await device.ConnectAsync(password);
            (_, MqttClientConnectResult older) = await device.ConnectAsync(device.Password(t - 10));

            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, replayed.ResultCode);
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, older.ResultCode);
            Assert.True(gw.Logger.Contains("not newer than the last accepted login"));
        }
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public async Task A_password_more_than_300_s_from_the_gateway_clock_is_refused(int skewS)
    {
        (GatewayFixture gw, TestDevice device) = await EnrolledAsync();
        await using (gw)
        await using (device)
        {
            (_, MqttClientConnectResult result) = await device.ConnectAsync(device.Password(gw.Clock.UtcNow.ToUnixTimeSeconds() + skewS));

            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result.ResultCode);
            Assert.True(gw.Logger.Contains("more than 300 s"));
            Assert.True(gw.Store.TryGetEnrollment(device.DeviceId, out EnrollmentRecord? enrollment));
            Assert.Equal(0, enrollment.LastLoginUnixS);
        }
    }

    [Fact]
    public async Task Forged_and_malformed_passwords_are_refused()
    {
        (GatewayFixture gw, TestDevice device) = await EnrolledAsync();
        await using (gw)
        await using (device)
        {
            using Ed25519KeyPair other = Ed25519KeyPair.Generate();
            string[] passwords = [device.Password(signer: other), "v1.123.AAAA", "hunter2", "", "v1." + gw.Clock.UtcNow.ToUnixTimeSeconds() + ".!!!"];
            foreach (string password in passwords)
            {
                (_, MqttClientConnectResult result) = await device.ConnectAsync(password);
                Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result.ResultCode);
            }

            Assert.Equal(passwords.Length, gw.Logger.Count("malformed or forged login password"));
            Assert.Empty(gw.Logger.Errors);
        }
    }

    [Fact]
    public async Task A_device_must_use_its_device_id_as_client_id()
    {
        (GatewayFixture gw, TestDevice device) = await EnrolledAsync();
        await using (gw)
        await using (device)
        {
            (_, MqttClientConnectResult result) = await device.ConnectAsync(clientId: "dev-aaaaaaaaaaaaaaaa");

            Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, result.ResultCode);
        }
    }

    [Fact]
    public async Task Unknown_users_and_unenrolled_devices_are_refused()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        await using TestDevice stranger = gw.NewDevice();

        (_, MqttClientConnectResult device) = await stranger.ConnectAsync();
        (MqttTestClient anonymous, MqttClientConnectResult noUser) = await MqttTestClient.ConnectAsync(gw.Port, "whoever", null, null);
        (MqttTestClient admin, MqttClientConnectResult adminUser) = await MqttTestClient.ConnectAsync(gw.Port, "x", "admin", "admin");
        (MqttTestClient ha, MqttClientConnectResult haUser) = await MqttTestClient.ConnectAsync(gw.Port, "ha", "homeassistant", "guess");
        (MqttTestClient internalUser, MqttClientConnectResult gateway) = await MqttTestClient.ConnectAsync(gw.Port, "gw-gw1", "$gateway", "guess");
        await anonymous.DisposeAsync();
        await admin.DisposeAsync();
        await ha.DisposeAsync();
        await internalUser.DisposeAsync();

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, device.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, noUser.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, adminUser.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, haUser.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, gateway.ResultCode);
        Assert.True(gw.Logger.Contains("not enrolled"));
    }
}
