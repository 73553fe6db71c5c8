// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bittensor.Edge.Gateway.Admin;
using Bittensor.Edge.Gateway.Tests.Support;
using Bittensor.Edge.Protocol.Fleet;
using MQTTnet;
using MQTTnet.Exceptions;

namespace Bittensor.Edge.Gateway.Tests.Broker;

/// <summary>The optional mqtts listener (fleet.md §3): a self-signed certificate made once, pinned by its SHA-256.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task A_device_that_pins_the_certificate_logs_in_over_tls_and_the_plain_listener_keeps_working()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync(tls: true);
        GatewayInfo info = gw.Gateway.Info();
        Assert.NotNull(info.MqttTlsPort);
        Assert.NotEqual(info.MqttPort, info.MqttTlsPort);
        Assert.Equal(Pin(gw.TlsCertificate!.RawData), info.TlsSha256);
        await using TestDevice alice = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await alice.JoinAsync(gw.CreateToken().Token));

        (MqttTestClient client, MqttClientConnectResult result) = await MqttTestClient.ConnectAsync(
            info.MqttTlsPort.Value, alice.DeviceId, alice.DeviceId, alice.Password(), b => PinnedTls(b, info.TlsSha256!));
        await using (client)
        {
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            Assert.Equal(MqttClientPublishReasonCode.Success, await client.PublishAsync(gw.Topics.State(alice.DeviceId), "{}"u8.ToArray(), retain: true));

            // Same ACL over TLS as in plain text.
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await client.PublishAsync(gw.Topics.Command(alice.DeviceId, "reboot"), [1]));
        }

        Assert.Contains(gw.Logger.Lines, l => l.Message.Contains($"MQTT client {alice.DeviceId} (user '{alice.DeviceId}') connected", StringComparison.Ordinal));
        (MqttTestClient plain, MqttClientConnectResult plainResult) = await alice.ConnectAsync(alice.Password(gw.Clock.UtcNow.ToUnixTimeSeconds() + 1));
        Assert.Equal(MqttClientConnectResultCode.Success, plainResult.ResultCode);
        Assert.True(plain.Client.IsConnected);
    }

    [Fact]
    public async Task A_client_with_a_wrong_pin_or_no_pin_is_refused_before_mqtt_starts()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync(tls: true);
        int port = gw.Gateway.Info().MqttTlsPort!.Value;
        string wrongPin = Pin(RandomNumberGenerator.GetBytes(100));

        MqttTestClient? seen = null;
        await Assert.ThrowsAnyAsync<MqttCommunicationException>(async () =>
            (seen, _) = await MqttTestClient.ConnectAsync(port, TestDevice.NewJoinClientId(), "join", "", b => PinnedTls(b, wrongPin)));

        // Without a pin the certificate is checked against the system's trust store, which does not know it.
        await Assert.ThrowsAnyAsync<MqttCommunicationException>(async () =>
            (seen, _) = await MqttTestClient.ConnectAsync(port, TestDevice.NewJoinClientId(), "join", "", b => b.WithTlsOptions(o => o.UseTls(true))));

        Assert.Null(seen);
        Assert.Equal(0, gw.Logger.Count("(user 'join') connected"));

        // The right pin on the same port works, so the refusals were the pin's.
        (MqttTestClient pinned, MqttClientConnectResult result) = await MqttTestClient.ConnectAsync(port, TestDevice.NewJoinClientId(), "join", "", b => PinnedTls(b, gw.Gateway.Info().TlsSha256!));
        await using (pinned)
        {
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void The_certificate_is_made_once_0600_and_kept_and_a_damaged_or_exposed_file_is_refused_with_what_to_do()
    {
        string directory = Directory.CreateTempSubdirectory("bte-gw-tls-").FullName;
        try
        {
            string path = Path.Combine(directory, GatewayConstants.TlsCertificateFileName);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            Assert.True(GatewayFiles.TryLoadOrCreateTlsCertificate(directory, "bte-gateway lab1/gw1", now, out X509Certificate2? first, out bool created, out string? error), error);
            using (first)
            {
                Assert.True(created);
                Assert.True(first.HasPrivateKey);
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
                Assert.Equal("CN=bte-gateway lab1/gw1", first.Subject);
                Assert.True(first.NotAfter > now.AddYears(20).UtcDateTime);
                Assert.Equal(Pin(first.RawData), GatewayFiles.TlsSha256(first));

                Assert.True(GatewayFiles.TryLoadOrCreateTlsCertificate(directory, "ignored", now, out X509Certificate2? again, out created, out error), error);
                using (again)
                {
                    Assert.False(created);
                    Assert.Equal(GatewayFiles.TlsSha256(first), GatewayFiles.TlsSha256(again));
                }
            }

            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            Assert.False(GatewayFiles.TryLoadOrCreateTlsCertificate(directory, "x", now, out _, out _, out error));
            Assert.Contains("chmod 600", error, StringComparison.Ordinal);

            string text = File.ReadAllText(path);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(path, text[..(text.IndexOf("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal))]);
            Assert.False(GatewayFiles.TryLoadOrCreateTlsCertificate(directory, "x", now, out _, out _, out error));
            Assert.Contains("delete", error, StringComparison.Ordinal);
            Assert.Equal(text[..text.IndexOf("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal)], File.ReadAllText(path));

            File.WriteAllText(path, "garbage");
            Assert.False(GatewayFiles.TryLoadOrCreateTlsCertificate(directory, "x", now, out _, out _, out error));
            Assert.Contains("can be deleted", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Pin(byte[] der) => Convert.ToHexStringLower(SHA256.HashData(der));

    private static void PinnedTls(MqttClientOptionsBuilder builder, string pin) =>
        builder.WithTlsOptions(o => o
            .UseTls(true)
            .WithTargetHost("bte-gateway")
            .WithCertificateValidationHandler(args => args.Certificate is not null && Pin(args.Certificate.GetRawCertData()) == pin));
}
