// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Miner.Device;
using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Miner.Tests.Device;

public sealed class FirstBootTests
{
    private static readonly string s_gatewayKey = Ss58.Encode(Ed25519KeyPair.FromSeed(new byte[32]).PublicKey);
    private static readonly string s_token = JoinToken.Create().Text;

    internal static string SpecExample(string gatewayKey, string? token, string mqtt = "mqtt://127.0.0.1:1883") => $$"""
        { "fleetId": "lab1", "gateway": { "mqtt": "{{mqtt}}", "publicKey": "{{gatewayKey}}", "tlsSha256": null },
          {{(token is null ? "" : $"\"joinToken\": \"{token}\",")}} "hostname": "bte-{serial8}",
          "wifi": { "ssid": "lab", "psk": "secret", "country": "DE" }, "sshAuthorizedKeys": ["ssh-ed25519 AAAA"],
          "telemetryPeriodS": 60, "haDiscoveryPrefix": "homeassistant" }
        """;

    [Fact]
    public void The_spec_example_loads_with_its_gateway_key_and_token()
    {
        using TempDir dir = new();
        File.WriteAllText(dir.Path("firstboot.json"), SpecExample(s_gatewayKey, s_token));
        Assert.True(FirstBootFile.TryLoad(dir.Path("firstboot.json"), out FirstBootConfig? config, out string? error), error);
        Assert.Equal("lab1", config.FleetId);
        Assert.Equal(s_token, config.JoinToken);
        Assert.Equal(Ss58.Decode(s_gatewayKey), config.GetGatewayKey());
        Assert.Equal(60, config.TelemetryPeriodS);
        Assert.Equal("gw1", config.Gateway.GatewayIdOrDefault());
    }

    [Theory]
    [InlineData("\"fleetId\": \"lab1\"", "\"fleetId\": \"lab/1\"", "fleetId")]
    [InlineData("mqtt://127.0.0.1:1883", "http://127.0.0.1", "gateway.mqtt")]
    [InlineData("mqtt://127.0.0.1:1883", "mqtts://127.0.0.1:8883", "gateway.tlsSha256")]
    [InlineData("\"telemetryPeriodS\": 60", "\"telemetryPeriodS\": 1", "telemetryPeriodS")]
    [InlineData("\"haDiscoveryPrefix\": \"homeassistant\"", "\"haDiscoveryPrefix\": \"home#\"", "haDiscoveryPrefix")]
    [InlineData("\"tlsSha256\": null", "\"tlsSha256\": null, \"gatewayId\": \"gw/1\"", "gateway.gatewayId")]
    [InlineData("\"tlsSha256\": null", "\"tlsSha256\": null, \"gatewayId\": \"\"", "gateway.gatewayId")]
    public void A_bad_member_is_named(string from, string to, string member)
    {
        using TempDir dir = new();
        File.WriteAllText(dir.Path("firstboot.json"), SpecExample(s_gatewayKey, s_token).Replace(from, to, StringComparison.Ordinal));
        Assert.False(FirstBootFile.TryLoad(dir.Path("firstboot.json"), out _, out string? error));
        Assert.Contains(member, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_gateway_key_or_token_is_refused_without_echoing_the_token()
    {
        using TempDir dir = new();
        File.WriteAllText(dir.Path("firstboot.json"), SpecExample("5NotAnAddress", s_token));
        Assert.False(FirstBootFile.TryLoad(dir.Path("firstboot.json"), out _, out string? error));
        Assert.Contains("gateway.publicKey", error, StringComparison.Ordinal);

        string badToken = s_token[..^2] + "!!";
        File.WriteAllText(dir.Path("firstboot.json"), SpecExample(s_gatewayKey, badToken));
        Assert.False(FirstBootFile.TryLoad(dir.Path("firstboot.json"), out _, out error));
        Assert.Contains("joinToken", error, StringComparison.Ordinal);
        Assert.DoesNotContain(badToken, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_garbled_file_is_an_error_that_says_where_it_comes_from()
    {
        using TempDir dir = new();
        Assert.False(FirstBootFile.TryLoad(dir.Path("firstboot.json"), out _, out string? error));
        Assert.Contains("bte-firstboot", error, StringComparison.Ordinal);
        File.WriteAllText(dir.Path("firstboot.json"), "{ \"fleetId\": ");
        Assert.False(FirstBootFile.TryLoad(dir.Path("firstboot.json"), out _, out error));
        Assert.Contains("not a valid first-boot file", error, StringComparison.Ordinal);
        File.WriteAllText(dir.Path("firstboot.json"), "{ \"fleetId\": \"lab1\" }");
        Assert.False(FirstBootFile.TryLoad(dir.Path("firstboot.json"), out _, out error));
        Assert.Contains("gateway", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_the_token_keeps_every_other_member_and_the_file_private()
    {
        using TempDir dir = new();
        string path = dir.Path("firstboot.json");
        File.WriteAllText(path, SpecExample(s_gatewayKey, s_token));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.True(FirstBootFile.RemoveJoinToken(path));
        string text = File.ReadAllText(path);
        Assert.DoesNotContain("joinToken", text, StringComparison.Ordinal);
        Assert.DoesNotContain(s_token, text, StringComparison.Ordinal);
        Assert.Contains("sshAuthorizedKeys", text, StringComparison.Ordinal);
        Assert.Contains("\"psk\": \"secret\"", text, StringComparison.Ordinal);
        Assert.True(FirstBootFile.TryLoad(path, out FirstBootConfig? config, out string? error), error);
        Assert.Null(config.JoinToken);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(dir.Root)); // no temp file left behind

        Assert.False(FirstBootFile.RemoveJoinToken(path));
    }

    [Fact]
    public void An_enrollment_round_trips_and_a_bad_one_reads_false()
    {
        using TempDir dir = new();
        string deviceId = DeviceIds.FromPublicKey(Ed25519KeyPair.FromSeed(new byte[32]).PublicKey);
        Enrollment written = new(deviceId, "lab1", s_gatewayKey, "mqtt://127.0.0.1:1883", "0011223344556677", 1_700_000_000_000);
        written.Write(dir.Path("enrollment.json"));
        Assert.True(Enrollment.TryRead(dir.Path("enrollment.json"), out Enrollment? read, out string? error), error);
        Assert.Equal(written, read);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Path("enrollment.json")));

        Assert.False(Enrollment.TryRead(dir.Path("absent.json"), out _, out error));
        Assert.Null(error);
        File.WriteAllText(dir.Path("bad.json"), "{\"deviceId\":\"nope\",\"fleetId\":\"a\",\"gatewayPublicKey\":\"b\",\"mqtt\":\"c\",\"tokenId\":\"d\",\"enrolledAtUnixMs\":1}");
        Assert.False(Enrollment.TryRead(dir.Path("bad.json"), out _, out error));
        Assert.NotNull(error);
    }
}
