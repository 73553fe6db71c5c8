// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Signing;

namespace Bittensor.Edge.Protocol.Tests.Signing;

public sealed class ResponseSigningTests : IDisposable
{
    private const string RequestHash = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    private static readonly byte[] s_body = "{\"ok\":true}"u8.ToArray();
    private readonly Ed25519KeyPair _axon = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)9, 32).ToArray());
    private readonly Ed25519KeyPair _other = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)5, 32).ToArray());

    public void Dispose()
    {
        _axon.Dispose();
        _other.Dispose();
    }

    [Fact]
    public void A_signed_response_verifies_against_the_intended_hotkey()
    {
        Dictionary<string, string> headers = Create(_axon, AxonStatus.Ok);

        Assert.True(ResponseSigning.TryVerify(Lookup(headers), _axon.PublicKey, "caller", RequestHash, s_body, out ResponseHeaders? verified));
        Assert.Equal(200, verified.StatusCode);
        Assert.Equal(TimeSpan.FromMilliseconds(15), verified.ProcessTime);
        Assert.Equal(Sha256.Hash(s_body), verified.BodyHash);
    }

    [Fact]
    public void The_signed_message_has_six_fields_ending_with_both_body_hashes()
    {
        Assert.Equal("n.d.a.u.rq.rs", Encoding.UTF8.GetString(ResponseSigning.BuildMessage("n", "d", "a", "u", "rq", "rs")));
    }

    [Fact]
    public void A_response_signed_by_another_hotkey_fails()
    {
        Dictionary<string, string> headers = Create(_other, AxonStatus.Ok);

        Assert.False(ResponseSigning.TryVerify(Lookup(headers), _axon.PublicKey, "caller", RequestHash, s_body, out _));
    }

    [Fact]
    public void A_tampered_body_fails()
    {
        Dictionary<string, string> headers = Create(_axon, AxonStatus.Ok);
        byte[] tampered = (byte[])s_body.Clone();
        tampered[2] ^= 1;

        Assert.False(ResponseSigning.TryVerify(Lookup(headers), _axon.PublicKey, "caller", RequestHash, tampered, out _));
    }

    [Fact]
    public void A_response_for_another_request_fails()
    {
        Dictionary<string, string> headers = Create(_axon, AxonStatus.Ok);

        Assert.False(ResponseSigning.TryVerify(Lookup(headers), _axon.PublicKey, "someone-else", RequestHash, s_body, out _));
        Assert.False(ResponseSigning.TryVerify(Lookup(headers), _axon.PublicKey, "caller", new string('0', 64), s_body, out _));
    }

    [Theory]
    [InlineData(HeaderNames.AxonSignature)]
    [InlineData(HeaderNames.AxonNonce)]
    [InlineData(HeaderNames.AxonUuid)]
    [InlineData(HeaderNames.ComputedBodyHash)]
    [InlineData(HeaderNames.AxonHotkey)]
    [InlineData(HeaderNames.AxonStatusCode)]
    public void A_missing_response_header_fails(string missing)
    {
        Dictionary<string, string> headers = Create(_axon, AxonStatus.Ok);
        headers.Remove(missing);

        Assert.False(ResponseSigning.TryVerify(Lookup(headers), _axon.PublicKey, "caller", RequestHash, s_body, out _));
    }

    [Fact]
    public void Changing_the_axon_nonce_breaks_the_signature()
    {
        Dictionary<string, string> headers = Create(_axon, AxonStatus.Ok);
        headers[HeaderNames.AxonNonce] = "2";

        Assert.False(ResponseSigning.TryVerify(Lookup(headers), _axon.PublicKey, "caller", RequestHash, s_body, out _));
    }

    [Fact]
    public void Status_messages_are_made_header_safe()
    {
        IReadOnlyList<KeyValuePair<string, string>> headers = ResponseSigning.CreateHeaders(
            _axon, AxonStatus.BadRequest, "bad\r\nthing é", TimeSpan.Zero, 1, Guid.NewGuid(), string.Empty, string.Empty, []);

        Assert.Equal("bad??thing ?", headers.Single(h => h.Key == HeaderNames.AxonStatusMessage).Value);
    }

    private static Func<string, string?> Lookup(Dictionary<string, string> headers) =>
        name => headers.TryGetValue(name, out string? value) ? value : null;

    private static Dictionary<string, string> Create(Ed25519KeyPair signer, AxonStatus status) =>
        new(ResponseSigning.CreateHeaders(signer, status, "Success", TimeSpan.FromMilliseconds(15), 1, Guid.NewGuid(), "caller", RequestHash, s_body));
}
