// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Gateway.Admin;
using Bittensor.Edge.Gateway.Fleet;
using Bittensor.Edge.Gateway.Tests.Support;
using Bittensor.Edge.Protocol.Fleet;
using MQTTnet;

namespace Bittensor.Edge.Gateway.Tests.Join;

/// <summary>The join exchange of fleet.md §3 against a real broker, with real MQTTnet clients acting as devices.</summary>
public sealed class JoinTests
{
    [Fact]
    public async Task Join_burns_the_token_after_first_use_and_the_acceptance_is_signed_by_the_gateway()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken(uses: 1, board: "rpi4");
        await using TestDevice device = gw.NewDevice("rpi4");

        TestDevice.JoinSession session = await device.OpenJoinAsync();
        JoinChallenge challenge = await session.HelloAsync();
        JoinAccepted accepted = Assert.IsType<JoinAccepted>(await session.SendAsync(session.Proof(challenge, token.Token)));

        Assert.Equal(device.DeviceId, accepted.DeviceId);
        Assert.True(Ed25519.Verify(gw.BusKey.PublicKey, JoinTranscript.Accepted(GatewayFixture.FleetId, device.Key.PublicKey, challenge.ServerNonce, device.DeviceId), accepted.Sig));
        Assert.True(gw.Store.TryGetToken(token.TokenId, out TokenRecord? stored));
        Assert.Equal(0, stored.UsesLeft);
        Assert.True(gw.Store.TryGetEnrollment(device.DeviceId, out EnrollmentRecord? enrollment));
        Assert.Equal(EnrollmentState.Active, enrollment.State);
        Assert.Equal(device.Key.PublicKey, enrollment.DevicePub);
        Assert.Equal(("rpi4", device.Serial, token.TokenId), (enrollment.Board, enrollment.Serial, enrollment.TokenId));
        Assert.Equal("used", gw.Gateway.ListTokens().Tokens.Single().State);
    }

    [Fact]
    public async Task A_reused_token_is_rejected_TokenUsed_and_the_second_device_is_not_enrolled()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken(uses: 1);
        await using TestDevice first = gw.NewDevice();
        await using TestDevice second = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await first.JoinAsync(token.Token));

        JoinRejected rejected = Assert.IsType<JoinRejected>(await second.JoinAsync(token.Token));

        Assert.Equal(JoinRejectReasons.TokenUsed, rejected.Reason);
        Assert.False(gw.Store.TryGetEnrollment(second.DeviceId, out _));
        Assert.True(gw.Logger.Contains("Join rejected") && gw.Logger.Contains(JoinRejectReasons.TokenUsed));
    }

    [Fact]
    public async Task A_multi_use_token_admits_exactly_its_number_of_devices()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken(uses: 2);
        List<string> reasons = [];
        for (int i = 0; i < 3; i++)
        {
            await using TestDevice device = gw.NewDevice();
            reasons.Add((await device.JoinAsync(token.Token)) switch { JoinAccepted => "accepted", JoinRejected r => r.Reason, _ => "?" });
        }

        Assert.Equal(["accepted", "accepted", JoinRejectReasons.TokenUsed], reasons);
        Assert.Equal(2, gw.Store.ListEnrollments().Count);
    }

    [Fact]
    public async Task An_expired_token_is_rejected_TokenExpired()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken(ttlS: 60);
        await using TestDevice device = gw.NewDevice();
        gw.Clock.Advance(TimeSpan.FromSeconds(61));

        JoinRejected rejected = Assert.IsType<JoinRejected>(await device.JoinAsync(token.Token));

        Assert.Equal(JoinRejectReasons.TokenExpired, rejected.Reason);
        Assert.True(gw.Store.TryGetToken(token.TokenId, out TokenRecord? stored));
        Assert.Equal(1, stored.UsesLeft);
    }

    [Fact]
    public async Task A_revoked_token_is_rejected_TokenRevoked()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken();
        Assert.True(gw.Gateway.TryRevokeToken(token.TokenId, out TokenInfo? info));
        Assert.Equal("revoked", info.State);
        await using TestDevice device = gw.NewDevice();

        JoinRejected rejected = Assert.IsType<JoinRejected>(await device.JoinAsync(token.Token));

        Assert.Equal(JoinRejectReasons.TokenRevoked, rejected.Reason);
        Assert.False(gw.Store.TryGetEnrollment(device.DeviceId, out _));
    }

    [Fact]
    public async Task A_forged_token_is_rejected_TokenUnknown()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        gw.CreateToken();
        await using TestDevice device = gw.NewDevice();

        JoinRejected rejected = Assert.IsType<JoinRejected>(await device.JoinAsync(JoinToken.Create().Text));

        Assert.Equal(JoinRejectReasons.TokenUnknown, rejected.Reason);
        Assert.Empty(gw.Store.ListEnrollments());
    }

    [Fact]
    public async Task A_wrong_mac_is_rejected_BadProof_and_spends_no_use()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken();
        await using TestDevice device = gw.NewDevice();
        TestDevice.JoinSession session = await device.OpenJoinAsync();
        JoinChallenge challenge = await session.HelloAsync();
        byte[] wrongMac = new byte[32];

        JoinRejected rejected = Assert.IsType<JoinRejected>(await session.SendAsync(session.Proof(challenge, token.Token, macOverride: wrongMac)));

        Assert.Equal(JoinRejectReasons.BadProof, rejected.Reason);
        Assert.True(gw.Store.TryGetToken(token.TokenId, out TokenRecord? stored));
        Assert.Equal(1, stored.UsesLeft);
        Assert.True(gw.Logger.Contains("the MAC does not match"));
    }

    [Fact]
    public async Task A_proof_signed_by_another_key_is_rejected_BadProof()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken();
        await using TestDevice device = gw.NewDevice();
        using Ed25519KeyPair other = Ed25519KeyPair.Generate();
        TestDevice.JoinSession session = await device.OpenJoinAsync();
        JoinChallenge challenge = await session.HelloAsync();

        JoinRejected rejected = Assert.IsType<JoinRejected>(await session.SendAsync(session.Proof(challenge, token.Token, signer: other)));

        Assert.Equal(JoinRejectReasons.BadProof, rejected.Reason);
        Assert.Empty(gw.Store.ListEnrollments());
    }

    [Fact]
    public async Task A_replayed_server_nonce_is_rejected_even_with_a_now_correct_proof()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken();
        await using TestDevice device = gw.NewDevice();
        TestDevice.JoinSession session = await device.OpenJoinAsync();
        JoinChallenge challenge = await session.HelloAsync();
        Assert.IsType<JoinRejected>(await session.SendAsync(session.Proof(challenge, token.Token, macOverride: new byte[32])));

        // The nonce was consumed by the first proof: a correct proof over the same nonce is refused.
        JoinRejected replay = Assert.IsType<JoinRejected>(await session.SendAsync(session.Proof(challenge, token.Token)));

        Assert.Equal(JoinRejectReasons.BadProof, replay.Reason);
        Assert.Empty(gw.Store.ListEnrollments());
        Assert.True(gw.Logger.Contains("already used"));
    }

    [Fact]
    public async Task A_server_nonce_issued_to_another_client_is_refused()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken();
        await using TestDevice device = gw.NewDevice();
        TestDevice.JoinSession first = await device.OpenJoinAsync();
        JoinChallenge challenge = await first.HelloAsync();
        TestDevice.JoinSession second = await device.OpenJoinAsync();

        JoinProof proof = first.Proof(challenge, token.Token);
        JoinRejected rejected = Assert.IsType<JoinRejected>(await second.SendAsync(proof));

        Assert.Equal(JoinRejectReasons.BadProof, rejected.Reason);
        Assert.Equal(1, gw.Gateway.Join.PendingChallenges);
    }

    [Fact]
    public async Task A_server_nonce_older_than_60_s_is_refused()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken();
        await using TestDevice device = gw.NewDevice();
        TestDevice.JoinSession session = await device.OpenJoinAsync();
        JoinChallenge challenge = await session.HelloAsync();
        gw.Clock.Advance(TimeSpan.FromSeconds(60));

        JoinRejected rejected = Assert.IsType<JoinRejected>(await session.SendAsync(session.Proof(challenge, token.Token)));

        Assert.Equal(JoinRejectReasons.BadProof, rejected.Reason);
        Assert.True(gw.Logger.Contains("older than 60 s"));
    }

    [Fact]
    public async Task A_repeat_join_by_the_enrolled_key_is_accepted_without_spending_a_use()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken(uses: 2);
        await using TestDevice device = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await device.JoinAsync(token.Token));

        JoinAccepted again = Assert.IsType<JoinAccepted>(await device.JoinAsync(token.Token));

        Assert.Equal(device.DeviceId, again.DeviceId);
        Assert.True(gw.Store.TryGetToken(token.TokenId, out TokenRecord? stored));
        Assert.Equal(1, stored.UsesLeft);
        Assert.Single(gw.Store.ListEnrollments());
    }

    [Fact]
    public async Task A_repeat_join_after_the_token_was_burned_still_succeeds_for_the_enrolled_key()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken(uses: 1);
        await using TestDevice device = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await device.JoinAsync(token.Token));

        // The crash window of §3: the gateway committed, the device did not; it joins again with the same token.
        Assert.IsType<JoinAccepted>(await device.JoinAsync(token.Token));
    }

    [Fact]
    public async Task A_token_limited_to_a_board_rejects_other_boards_BoardNotAllowed()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken(board: "rpi5");
        await using TestDevice device = gw.NewDevice("rpi4");

        JoinRejected rejected = Assert.IsType<JoinRejected>(await device.JoinAsync(token.Token));

        Assert.Equal(JoinRejectReasons.BoardNotAllowed, rejected.Reason);
        Assert.True(gw.Store.TryGetToken(token.TokenId, out TokenRecord? stored));
        Assert.Equal(1, stored.UsesLeft);
    }

    [Fact]
    public async Task A_preauthorized_key_joins_with_token_id_zero_and_no_mac()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        await using TestDevice device = gw.NewDevice("rpi5");
        Assert.True(gw.Gateway.TryPreauthorize(new PreauthRequest(device.Key.Ss58Address, "rpi5"), out DeviceInfo? preauthorized, out string? problem), problem);
        Assert.Equal("preauthorized", preauthorized.State);

        JoinAccepted accepted = Assert.IsType<JoinAccepted>(await device.JoinAsync(token: null));

        Assert.Equal(device.DeviceId, accepted.DeviceId);
        Assert.True(gw.Store.TryGetEnrollment(device.DeviceId, out EnrollmentRecord? enrollment));
        Assert.Equal(EnrollmentState.Active, enrollment.State);
        Assert.Equal(EnrollmentRecord.PreauthorizedTokenId, enrollment.TokenId);
    }

    [Fact]
    public async Task A_key_that_is_not_preauthorized_cannot_join_with_token_id_zero()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        await using TestDevice device = gw.NewDevice();

        JoinRejected rejected = Assert.IsType<JoinRejected>(await device.JoinAsync(token: null));

        Assert.Equal(JoinRejectReasons.TokenUnknown, rejected.Reason);
    }

    [Fact]
    public async Task A_revoked_key_cannot_join_again_even_with_a_fresh_token()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        await using TestDevice device = gw.NewDevice();
        Assert.IsType<JoinAccepted>(await device.JoinAsync(gw.CreateToken().Token));
        Assert.NotNull(await gw.Gateway.RevokeDeviceAsync(device.DeviceId, TestContext.Current.CancellationToken));
        TokenCreated fresh = gw.CreateToken();

        JoinRejected rejected = Assert.IsType<JoinRejected>(await device.JoinAsync(fresh.Token));

        Assert.Equal(JoinRejectReasons.TokenRevoked, rejected.Reason);
        Assert.True(gw.Store.TryGetToken(fresh.TokenId, out TokenRecord? stored));
        Assert.Equal(1, stored.UsesLeft);
    }

    [Fact]
    public async Task Malformed_join_payloads_are_rejected_and_logged_and_the_service_keeps_working()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();
        TokenCreated token = gw.CreateToken();
        await using TestDevice device = gw.NewDevice();
        TestDevice.JoinSession session = await device.OpenJoinAsync();
        byte[][] garbage =
        [
            [0xff, 0x00, 0x13],
            Encoding.UTF8.GetBytes("{}"),
            Encoding.UTF8.GetBytes("""{"type":"hello"}"""),
            Encoding.UTF8.GetBytes("""{"type":"launch","x":1}"""),
            Encoding.UTF8.GetBytes("""{"type":"hello","devicePub":"AAAA","board":"rpi4","serial":"1","fw":"1","clientNonce":"AAAA"}"""),
            Encoding.UTF8.GetBytes("""{"type":"hello","devicePub":"not base64!","board":"rpi4","serial":"1","fw":"1","clientNonce":"AAAA"}"""),
            JoinMessage.Encode(new JoinHello(device.Key.PublicKey.ToArray(), "../../etc", "1", "1", new byte[32])),
            JoinMessage.Encode(new JoinProof(new byte[8], new byte[64])),
            JoinMessage.Encode(new JoinAccepted(device.DeviceId, new byte[64])),
        ];

        foreach (byte[] payload in garbage)
        {
            JoinRejected rejected = Assert.IsType<JoinRejected>(await session.SendRawAsync(payload));
            Assert.Equal(JoinRejectReasons.BadProof, rejected.Reason);
        }

        Assert.Equal(garbage.Length, gw.Logger.Count("Join rejected"));
        Assert.Empty(gw.Logger.Errors);
        Assert.IsType<JoinAccepted>(await device.JoinAsync(token.Token));
    }

    [Fact]
    public async Task Join_connects_beyond_the_per_minute_limit_from_one_address_are_refused_until_the_minute_passes()
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync(joinConnectsPerMinute: 10);
        List<MqttTestClient> clients = [];
        try
        {
            for (int i = 0; i < 10; i++)
            {
                (MqttTestClient client, MqttClientConnectResult result) = await MqttTestClient.ConnectAsync(gw.Port, TestDevice.NewJoinClientId(), "join", "");
                clients.Add(client);
                Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            }

            (MqttTestClient eleventh, MqttClientConnectResult refused) = await MqttTestClient.ConnectAsync(gw.Port, TestDevice.NewJoinClientId(), "join", "");
            clients.Add(eleventh);
            Assert.Equal(MqttClientConnectResultCode.QuotaExceeded, refused.ResultCode);
            Assert.Equal(JoinRejectReasons.RateLimited, refused.ReasonString);
            Assert.True(gw.Logger.Contains(JoinRejectReasons.RateLimited));

            gw.Clock.Advance(TimeSpan.FromSeconds(61));
            (MqttTestClient later, MqttClientConnectResult allowed) = await MqttTestClient.ConnectAsync(gw.Port, TestDevice.NewJoinClientId(), "join", "");
            clients.Add(later);
            Assert.Equal(MqttClientConnectResultCode.Success, allowed.ResultCode);
        }
        finally
        {
            foreach (MqttTestClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("join-0123")]
    [InlineData("join-0123456789ABCDEF")]
    [InlineData("dev-aaaaaaaaaaaaaaaa")]
    [InlineData("anything")]
    public async Task A_join_client_with_a_malformed_client_id_is_refused(string clientId)
    {
        await using GatewayFixture gw = await GatewayFixture.StartAsync();

        (MqttTestClient client, MqttClientConnectResult result) = await MqttTestClient.ConnectAsync(gw.Port, clientId, "join", "");
        await using (client)
        {
            Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, result.ResultCode);
        }
    }
}
