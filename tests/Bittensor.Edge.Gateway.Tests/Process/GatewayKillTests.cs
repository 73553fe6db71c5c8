// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using System.Security.Cryptography;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Gateway.Admin;
using Bittensor.Edge.Gateway.Tests.Support;
using Bittensor.Edge.Protocol.Fleet;
using MQTTnet;

namespace Bittensor.Edge.Gateway.Tests.Process;

/// <summary>Kill-and-restart of the real bte-gateway: what it acknowledged survives SIGKILL.</summary>
public sealed class GatewayKillTests : IDisposable
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly string _folder = Directory.CreateTempSubdirectory("bte-gw-kill-").FullName;

    [Fact]
    public async Task A_gateway_killed_with_sigkill_keeps_enrollments_tokens_revocations_login_marks_and_its_bus_key()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string dataDir = Path.Combine(_folder, "data");
        string settings = GatewayProcess.WriteSettings(_folder, dataDir);
        FleetTopics topics = FleetTopics.ForFleet("lab1");
        using Ed25519KeyPair alice = Ed25519KeyPair.Generate();
        using Ed25519KeyPair bob = Ed25519KeyPair.Generate();
        string aliceId = DeviceIds.FromPublicKey(alice.PublicKey);
        string bobId = DeviceIds.FromPublicKey(bob.PublicKey);

        // Run 1: two tokens, one revoked; Alice joins and logs in; then SIGKILL.
        GatewayProcess run1 = await GatewayProcess.StartAsync(settings, ct);
        AdminClient admin = AdminClient.FromDataDir(s_http, dataDir);
        GatewayInfo info1 = await admin.InfoAsync(ct);
        TokenCreated shared = await admin.CreateTokenAsync(new TokenCreateRequest(3600, 2, "rpi4"), ct);
        TokenCreated doomed = await admin.CreateTokenAsync(new TokenCreateRequest(3600, 1), ct);
        await admin.RevokeTokenAsync(doomed.TokenId, ct);
        Assert.IsType<JoinAccepted>(await JoinAsync(run1.MqttPort, topics, Ss58.Decode(info1.BusKey), alice, shared.Token));
        long t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string password = MqttLogin.CreatePassword(alice, aliceId, t);
        Assert.Equal(MqttClientConnectResultCode.Success, await LoginAsync(run1.MqttPort, aliceId, password));
        await run1.KillAsync();
        await run1.DisposeAsync();

        // Run 2: everything acknowledged is there; Bob joins with the last use, and the gateway is killed right after.
        GatewayProcess run2 = await GatewayProcess.StartAsync(settings, ct);
        admin = AdminClient.FromDataDir(s_http, dataDir);
        GatewayInfo info2 = await admin.InfoAsync(ct);
        Assert.Equal(info1.BusKey, info2.BusKey);
        DeviceInfo aliceInfo = Assert.Single((await admin.ListDevicesAsync(ct)).Devices);
        Assert.Equal((aliceId, "active", "rpi4"), (aliceInfo.DeviceId, aliceInfo.State, aliceInfo.Board));
        TokenList tokens = await admin.ListTokensAsync(ct);
        Assert.Equal((1, "active"), tokens.Tokens.Where(x => x.TokenId == shared.TokenId).Select(x => (x.UsesLeft, x.State)).Single());
        Assert.Equal("revoked", tokens.Tokens.Single(x => x.TokenId == doomed.TokenId).State);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await LoginAsync(run2.MqttPort, aliceId, password));
        Assert.IsType<JoinAccepted>(await JoinAsync(run2.MqttPort, topics, Ss58.Decode(info2.BusKey), bob, shared.Token));
        await run2.KillAsync();
        await run2.DisposeAsync();

        // Run 3: Bob's acknowledged join survived the kill, the token is burned, Alice logs in with a newer password.
        await using GatewayProcess run3 = await GatewayProcess.StartAsync(settings, ct);
        admin = AdminClient.FromDataDir(s_http, dataDir);
        Assert.Equal(new[] { aliceId, bobId }.Order(StringComparer.Ordinal), (await admin.ListDevicesAsync(ct)).Devices.Select(d => d.DeviceId));
        Assert.Equal((0, "used"), (await admin.ListTokensAsync(ct)).Tokens.Where(x => x.TokenId == shared.TokenId).Select(x => (x.UsesLeft, x.State)).Single());
        Assert.Equal(MqttClientConnectResultCode.Success, await LoginAsync(run3.MqttPort, aliceId, MqttLogin.CreatePassword(alice, aliceId, t + 1)));
        RevokeResult revoked = await admin.RevokeDeviceAsync(bobId, ct);
        Assert.False(revoked.WasConnected);
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await LoginAsync(run3.MqttPort, bobId, MqttLogin.CreatePassword(bob, bobId, DateTimeOffset.UtcNow.ToUnixTimeSeconds())));
    }

    [Fact]
    public async Task The_admin_api_refuses_calls_without_the_bearer_token_and_the_secret_files_are_private()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string dataDir = Path.Combine(_folder, "data");
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(GatewayProcess.WriteSettings(_folder, dataDir), ct);
        AdminClient admin = AdminClient.FromDataDir(s_http, dataDir);

        using HttpResponseMessage anonymous = await s_http.GetAsync(new Uri(admin.BaseUrl, "v1/devices"), ct);
        AdminException wrong = await Assert.ThrowsAsync<AdminException>(() => new AdminClient(s_http, admin.BaseUrl, "0123456789abcdef0123456789abcdef").ListDevicesAsync(ct));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(401, wrong.Status);
        Assert.Contains("admin.token", wrong.Message, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            foreach (string file in new[] { "admin.token", "gateway.key" })
            {
                UnixFileMode mode = File.GetUnixFileMode(Path.Combine(dataDir, file));
                Assert.True((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0, $"{file} is {mode}");
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dataDir));
        }

        AdminException unknown = await Assert.ThrowsAsync<AdminException>(() => admin.RevokeDeviceAsync("dev-aaaaaaaaaaaaaaaa", ct));
        Assert.Equal(404, unknown.Status);
        AdminException badTtl = await Assert.ThrowsAsync<AdminException>(() => admin.CreateTokenAsync(new TokenCreateRequest(0, 1), ct));
        Assert.Equal(400, badTtl.Status);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<MqttClientConnectResultCode> LoginAsync(int port, string deviceId, string password)
    {
        (MqttTestClient client, MqttClientConnectResult result) = await MqttTestClient.ConnectAsync(port, deviceId, deviceId, password);
        await client.DisposeAsync();
        return result.ResultCode;
    }

    // A device's side of §3, written out against the contract alone.
    private static async Task<JoinMessage> JoinAsync(int port, FleetTopics topics, PublicKey pinned, Ed25519KeyPair device, string token)
    {
        string clientId = TestDevice.NewJoinClientId();
        (MqttTestClient client, MqttClientConnectResult result) = await MqttTestClient.ConnectAsync(port, clientId, "join", "");
        await using (client)
        {
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            await client.SubscribeAsync(topics.JoinResponse(clientId));
            byte[] clientNonce = RandomNumberGenerator.GetBytes(32);
            await client.PublishAsync(topics.JoinRequest(clientId), JoinMessage.Encode(new JoinHello(device.PublicKey.ToArray(), "rpi4", "serial-1", "test", clientNonce)));
            Assert.True(JoinMessage.TryDecode(MqttTestClient.PayloadOf(await client.ReceiveAsync()), out JoinMessage? first));
            JoinChallenge challenge = Assert.IsType<JoinChallenge>(first);
            Assert.Equal(pinned.ToArray(), challenge.GatewayPub);
            Assert.True(JoinToken.TryParse(token, out JoinToken? parsed));
            byte[] transcript = JoinTranscript.Proof("lab1", pinned, device.PublicKey, clientNonce, challenge.ServerNonce, parsed.TokenId);
            await client.PublishAsync(topics.JoinRequest(clientId), JoinMessage.Encode(new JoinProof(parsed.TokenId, device.Sign(transcript).Bytes.ToArray(), JoinTranscript.Mac(parsed.Verifier, transcript))));
            Assert.True(JoinMessage.TryDecode(MqttTestClient.PayloadOf(await client.ReceiveAsync()), out JoinMessage? answer));
            return answer!;
        }
    }
}
