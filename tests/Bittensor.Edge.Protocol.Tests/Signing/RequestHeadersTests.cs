// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Signing;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Protocol.Tests.Signing;

public sealed class RequestHeadersTests : IDisposable
{
    private static readonly byte[] s_body = "{}"u8.ToArray();
    private readonly Ed25519KeyPair _caller = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)7, 32).ToArray());
    private readonly Ed25519KeyPair _axon = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)9, 32).ToArray());

    public void Dispose()
    {
        _caller.Dispose();
        _axon.Dispose();
    }

    [Fact]
    public void Headers_made_by_CreateHeaders_parse_and_their_signature_verifies()
    {
        Dictionary<string, string> headers = Create();

        Assert.True(RequestHeaders.TryParse(Lookup(headers), SynapseNames.Health, out RequestHeaders? parsed, out string? error), error);
        Assert.Equal(SynapseNames.Health, parsed.Name);
        Assert.Equal(TimeSpan.FromSeconds(5), parsed.Timeout);
        Assert.Equal(_caller.PublicKey, parsed.DendriteHotkey);
        Assert.Equal(_axon.PublicKey, parsed.AxonHotkey);
        Assert.Equal(123_456_789UL, parsed.Nonce);
        Assert.Equal(Sha256.Hash(s_body), parsed.BodyHash);
        Assert.Equal(ProtocolConstants.Version, parsed.Version);
        Assert.True(parsed.VerifySignature());
    }

    [Fact]
    public void Header_names_are_case_insensitive()
    {
        Dictionary<string, string> headers = new(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, string value) in Create())
        {
            headers[name.ToUpperInvariant()] = value;
        }

        Assert.True(RequestHeaders.TryParse(Lookup(headers), SynapseNames.Health, out _, out _));
    }

    [Fact]
    public void The_signed_message_is_the_SDK_string_of_five_fields_joined_by_dots()
    {
        byte[] message = RequestSigning.BuildMessage("1", "hk", "ax", "u", "h");

        Assert.Equal("1.hk.ax.u.h", Encoding.UTF8.GetString(message));
    }

    [Fact]
    public void The_signature_is_plain_Ed25519_over_the_message_bytes()
    {
        Dictionary<string, string> headers = Create();
        byte[] message = RequestSigning.BuildMessage(
            headers[HeaderNames.DendriteNonce],
            headers[HeaderNames.DendriteHotkey],
            headers[HeaderNames.AxonHotkey],
            headers[HeaderNames.DendriteUuid],
            headers[HeaderNames.ComputedBodyHash]);

        Assert.True(Ed25519.Verify(_caller.PublicKey, message, Signature.Parse(headers[HeaderNames.DendriteSignature])));
        Assert.StartsWith("0x", headers[HeaderNames.DendriteSignature], StringComparison.Ordinal);
        Assert.Equal(130, headers[HeaderNames.DendriteSignature].Length);
    }

    [Theory]
    [InlineData(HeaderNames.Name)]
    [InlineData(HeaderNames.ComputedBodyHash)]
    [InlineData(HeaderNames.DendriteHotkey)]
    [InlineData(HeaderNames.DendriteNonce)]
    [InlineData(HeaderNames.DendriteUuid)]
    [InlineData(HeaderNames.DendriteVersion)]
    [InlineData(HeaderNames.AxonHotkey)]
    public void A_missing_required_header_fails_naming_it(string missing)
    {
        Dictionary<string, string> headers = Create();
        headers.Remove(missing);

        Assert.False(RequestHeaders.TryParse(Lookup(headers), SynapseNames.Health, out RequestHeaders? parsed, out string? error));
        Assert.Null(parsed);
        Assert.Contains(missing, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HeaderNames.Name, "StoreChunk")]
    [InlineData(HeaderNames.Timeout, "0")]
    [InlineData(HeaderNames.Timeout, "120.5")]
    [InlineData(HeaderNames.Timeout, "-1")]
    [InlineData(HeaderNames.Timeout, "abc")]
    [InlineData(HeaderNames.ComputedBodyHash, "44136FA355B3678A1146AD16F7E8649E94FB4FC21FE77E8310C060F61CAAFF8A")]
    [InlineData(HeaderNames.ComputedBodyHash, "0x44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")]
    [InlineData(HeaderNames.DendriteHotkey, "not-an-address")]
    [InlineData(HeaderNames.DendriteNonce, "-5")]
    [InlineData(HeaderNames.DendriteNonce, "18446744073709551616")]
    [InlineData(HeaderNames.DendriteNonce, "1e9")]
    [InlineData(HeaderNames.DendriteUuid, "not-a-uuid")]
    [InlineData(HeaderNames.DendriteVersion, "4294967296")]
    [InlineData(HeaderNames.AxonHotkey, "5Grw")]
    public void A_malformed_header_fails(string header, string value)
    {
        Dictionary<string, string> headers = Create();
        headers[header] = value;

        Assert.False(RequestHeaders.TryParse(Lookup(headers), SynapseNames.Health, out _, out string? error));
        Assert.Contains(header, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_timeout_takes_the_synapse_default()
    {
        Dictionary<string, string> headers = Create();
        headers.Remove(HeaderNames.Timeout);
        headers[HeaderNames.Name] = SynapseNames.StoreChunk;

        Assert.True(RequestHeaders.TryParse(Lookup(headers), SynapseNames.StoreChunk, out RequestHeaders? parsed, out _));
        Assert.Equal(TimeSpan.FromSeconds(30), parsed.Timeout);
    }

    [Theory]
    [InlineData("12", 12_000)]
    [InlineData("0.25", 250)]
    [InlineData("120", 120_000)]
    public void Timeouts_are_decimal_seconds(string text, int milliseconds)
    {
        Assert.True(RequestHeaders.TryParseTimeout(text, out TimeSpan timeout));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), timeout);
    }

    [Fact]
    public void A_missing_or_malformed_signature_parses_but_does_not_verify()
    {
        Dictionary<string, string> headers = Create();
        headers.Remove(HeaderNames.DendriteSignature);
        Assert.True(RequestHeaders.TryParse(Lookup(headers), SynapseNames.Health, out RequestHeaders? unsigned, out _));
        Assert.False(unsigned.VerifySignature());

        headers[HeaderNames.DendriteSignature] = "0x1234";
        Assert.True(RequestHeaders.TryParse(Lookup(headers), SynapseNames.Health, out RequestHeaders? garbled, out _));
        Assert.False(garbled.VerifySignature());
    }

    [Theory]
    [InlineData(HeaderNames.DendriteNonce, "123456790")]
    [InlineData(HeaderNames.DendriteUuid, "00000000-0000-4000-8000-000000000000")]
    [InlineData(HeaderNames.ComputedBodyHash, "0000000000000000000000000000000000000000000000000000000000000000")]
    public void Changing_a_signed_field_breaks_the_signature(string header, string value)
    {
        Dictionary<string, string> headers = Create();
        headers[header] = value;

        Assert.True(RequestHeaders.TryParse(Lookup(headers), SynapseNames.Health, out RequestHeaders? parsed, out _));
        Assert.False(parsed.VerifySignature());
    }

    [Fact]
    public void A_signature_by_another_key_does_not_verify()
    {
        Dictionary<string, string> headers = Create();
        headers[HeaderNames.DendriteHotkey] = _axon.Ss58Address;

        Assert.True(RequestHeaders.TryParse(Lookup(headers), SynapseNames.Health, out RequestHeaders? parsed, out _));
        Assert.False(parsed.VerifySignature());
    }

    private static Func<string, string?> Lookup(Dictionary<string, string> headers)
    {
        Dictionary<string, string> insensitive = new(headers, StringComparer.OrdinalIgnoreCase);
        return name => insensitive.TryGetValue(name, out string? value) ? value : null;
    }

    private Dictionary<string, string> Create() =>
        new(RequestSigning.CreateHeaders(_caller, _axon.PublicKey, SynapseNames.Health, s_body, TimeSpan.FromSeconds(5), 123_456_789, Guid.NewGuid()));
}
