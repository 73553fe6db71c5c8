// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Protocol.Tests.Fleet;

public sealed class JoinAndLoginTests : IDisposable
{
    private static readonly PublicKey s_rfcKey = new(Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
    private readonly Ed25519KeyPair _device = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)5, 32).ToArray());

    public void Dispose() => _device.Dispose();

    [Fact]
    public void Token_derivations_match_an_independent_computation()
    {
        // Computed outside the product with CPython: secret = bytes(range(32)), V = sha256(secret),
        // tokenId = sha256(V)[:8], mac = hmac_sha256(V, proof transcript).
        Assert.True(JoinToken.TryParse("btejt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", out JoinToken? token));
        Assert.Equal("2f287b4d3d4910f6", JoinToken.FormatTokenId(token.TokenId));
        Assert.Equal(token.TokenId, JoinToken.TokenIdOf(token.Verifier));

        byte[] transcript = JoinTranscript.Proof(
            "lab1",
            new PublicKey(Enumerable.Repeat((byte)0x11, 32).ToArray()),
            s_rfcKey,
            Enumerable.Repeat((byte)1, 32).ToArray(),
            Enumerable.Repeat((byte)2, 32).ToArray(),
            token.TokenId);
        byte[] mac = JoinTranscript.Mac(token.Verifier, transcript);
        Assert.Equal("d86eec993ba9fe480409bad7be3efce6c8eaed59a95bfedf89367317c65e9d9f", Convert.ToHexStringLower(mac));
        Assert.True(JoinTranscript.MacMatches(token.Verifier, transcript, mac));
        mac[^1] ^= 1;
        Assert.False(JoinTranscript.MacMatches(token.Verifier, transcript, mac));
        Assert.False(JoinTranscript.MacMatches(token.Verifier, transcript, mac.AsSpan(0, 16)));
    }

    [Fact]
    public void Fresh_tokens_parse_back_and_never_print_their_secret()
    {
        JoinToken token = JoinToken.Create();
        Assert.StartsWith(JoinToken.Prefix, token.Text, StringComparison.Ordinal);
        Assert.True(JoinToken.TryParse(token.Text, out JoinToken? parsed));
        Assert.Equal(token.Verifier, parsed.Verifier);
        Assert.DoesNotContain(token.Text[JoinToken.Prefix.Length..], token.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("btejt_")]
    [InlineData("btejt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh")]
    [InlineData("btejt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A")]
    [InlineData("btejt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")]
    [InlineData("btejt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGx*dHh8")]
    public void Malformed_tokens_are_refused(string? text) => Assert.False(JoinToken.TryParse(text, out _));

    [Fact]
    public void Challenge_and_proof_bind_the_fleet_and_both_keys()
    {
        byte[] client = Enumerable.Repeat((byte)1, 32).ToArray();
        byte[] server = Enumerable.Repeat((byte)2, 32).ToArray();
        byte[] a = JoinTranscript.Challenge("lab1", _device.PublicKey, client, server);
        byte[] b = JoinTranscript.Challenge("lab2", _device.PublicKey, client, server);
        byte[] c = JoinTranscript.Challenge("lab1", s_rfcKey, client, server);
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
        Assert.Throws<ArgumentException>(() => JoinTranscript.Challenge("lab1", s_rfcKey, client.AsSpan(0, 31), server));
        Assert.Throws<ArgumentException>(() => JoinTranscript.Proof("lab1", s_rfcKey, s_rfcKey, client, server, new byte[7]));
    }

    [Fact]
    public void Join_messages_round_trip_with_their_type()
    {
        JoinMessage[] messages =
        [
            new JoinHello([1, 2], "rpi4", "1000abcd", "1.0.0", [3]),
            new JoinChallenge([4], [5], [6]),
            new JoinProof([7], [8]),
            new JoinAccepted("dev-eh7ddx5bksrgcytl", [9]),
            new JoinRejected(JoinRejectReasons.TokenUsed),
        ];
        foreach (JoinMessage message in messages)
        {
            Assert.True(JoinMessage.TryDecode(JoinMessage.Encode(message), out JoinMessage? decoded));
            Assert.Equal(message.GetType(), decoded!.GetType());
        }

        Assert.True(JoinMessage.TryDecode("{\"reason\":\"BadProof\",\"type\":\"rejected\"}"u8, out JoinMessage? outOfOrder));
        Assert.Equal(JoinRejectReasons.BadProof, Assert.IsType<JoinRejected>(outOfOrder).Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("{\"type\":\"nope\"}")]
    [InlineData("{\"type\":\"hello\"}")]
    [InlineData("{\"type\":\"hello\",\"devicePub\":\"***\",\"board\":\"rpi4\",\"serial\":\"s\",\"fw\":\"1\",\"clientNonce\":\"AA==\"}")]
    [InlineData("[1,2,3]")]
    public void Malformed_join_messages_are_refused_without_throwing(string json) =>
        Assert.False(JoinMessage.TryDecode(System.Text.Encoding.UTF8.GetBytes(json), out _));

    [Fact]
    public void Login_passwords_verify_only_for_their_device_time_and_key()
    {
        string id = DeviceIds.FromPublicKey(_device.PublicKey);
        string password = MqttLogin.CreatePassword(_device, id, 1_800_000_000);
        Assert.True(MqttLogin.TryVerify(password, id, _device.PublicKey, out long t));
        Assert.Equal(1_800_000_000, t);

        Assert.False(MqttLogin.TryVerify(password.Replace("1800000000", "1800000001", StringComparison.Ordinal), id, _device.PublicKey, out _));
        Assert.False(MqttLogin.TryVerify(password, DeviceIds.FromPublicKey(s_rfcKey), _device.PublicKey, out _));
        Assert.False(MqttLogin.TryVerify(password, id, s_rfcKey, out _));
        Assert.False(MqttLogin.TryVerify("v2" + password[2..], id, _device.PublicKey, out _));
        Assert.False(MqttLogin.TryVerify("v1.-5.AAAA", id, _device.PublicKey, out _));
        Assert.False(MqttLogin.TryVerify("v1.12", id, _device.PublicKey, out _));
        Assert.False(MqttLogin.TryVerify(null, id, _device.PublicKey, out _));
    }

    [Fact]
    public void A_late_will_of_an_older_connection_does_not_supersede_a_newer_birth()
    {
        var lateWill = new StatusMessage(StatusMessage.Offline, 4, 0, Clean: false);
        Assert.False(lateWill.Supersedes(5));
        Assert.True(lateWill.Supersedes(4));
        Assert.True(lateWill.Supersedes(null));
        Assert.True(StatusMessage.TryDecode(lateWill.Encode(), out StatusMessage? decoded));
        Assert.Equal(lateWill, decoded);
        Assert.False(StatusMessage.TryDecode("{\"state\":\"sleeping\",\"bdSeq\":1,\"ts\":0,\"clean\":true}"u8, out _));
    }
}
