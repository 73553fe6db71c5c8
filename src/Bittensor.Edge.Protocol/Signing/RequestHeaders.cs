// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Protocol.Signing;

/// <summary>
/// The request headers of specs/protocol.md §3.2, parsed and checked for form. The signature stays optional here: a
/// missing or malformed signature is a 401 at the signature step (§3.3 step 7), never a 400.
/// </summary>
/// <remarks>
/// Immutable. The <c>…Text</c> members keep the exact header text, because the signed message is built from the bytes
/// the caller sent, not from a re-formatting of the parsed values.
/// </remarks>
public sealed class RequestHeaders
{
    private RequestHeaders(
        string name,
        TimeSpan timeout,
        Hash256 bodyHash,
        string bodyHashText,
        PublicKey dendriteHotkey,
        string dendriteHotkeyText,
        ulong nonce,
        string nonceText,
        Guid uuid,
        string uuidText,
        uint version,
        PublicKey axonHotkey,
        string axonHotkeyText,
        string? signatureText)
    {
        Name = name;
        Timeout = timeout;
        BodyHash = bodyHash;
        BodyHashText = bodyHashText;
        DendriteHotkey = dendriteHotkey;
        DendriteHotkeyText = dendriteHotkeyText;
        Nonce = nonce;
        NonceText = nonceText;
        Uuid = uuid;
        UuidText = uuidText;
        Version = version;
        AxonHotkey = axonHotkey;
        AxonHotkeyText = axonHotkeyText;
        SignatureText = signatureText;
    }

    /// <summary>The synapse name (<c>name</c>).</summary>
    public string Name { get; }

    /// <summary>The request timeout (<c>timeout</c>, or the synapse's §3.7 default when absent).</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The claimed SHA-256 of the body (<c>computed_body_hash</c>).</summary>
    public Hash256 BodyHash { get; }

    /// <summary>The exact <c>computed_body_hash</c> text.</summary>
    public string BodyHashText { get; }

    /// <summary>The caller's hotkey.</summary>
    public PublicKey DendriteHotkey { get; }

    /// <summary>The exact <c>bt_header_dendrite_hotkey</c> text (SS58).</summary>
    public string DendriteHotkeyText { get; }

    /// <summary>The caller's nonce, ns since the Unix epoch.</summary>
    public ulong Nonce { get; }

    /// <summary>The exact <c>bt_header_dendrite_nonce</c> text.</summary>
    public string NonceText { get; }

    /// <summary>The request UUID.</summary>
    public Guid Uuid { get; }

    /// <summary>The exact <c>bt_header_dendrite_uuid</c> text.</summary>
    public string UuidText { get; }

    /// <summary>The caller's protocol version.</summary>
    public uint Version { get; }

    /// <summary>The hotkey the caller means to reach.</summary>
    public PublicKey AxonHotkey { get; }

    /// <summary>The exact <c>bt_header_axon_hotkey</c> text (SS58).</summary>
    public string AxonHotkeyText { get; }

    /// <summary>The <c>bt_header_dendrite_signature</c> text, or <see langword="null"/> when absent.</summary>
    public string? SignatureText { get; }

    /// <summary>
    /// Parses the headers through <paramref name="lookup"/>, which returns a header's value by name or
    /// <see langword="null"/> when absent; it must treat names case-insensitively, as HTTP does.
    /// </summary>
    /// <param name="lookup">Header lookup by name.</param>
    /// <param name="route">The synapse named by the route; <c>name</c> must equal it.</param>
    /// <param name="headers">The parsed headers, on success.</param>
    /// <param name="error">Which header is missing or malformed, on failure (answer 400).</param>
    /// <returns>Whether every required header is present and well formed.</returns>
    public static bool TryParse(
        Func<string, string?> lookup,
        string route,
        [NotNullWhen(true)] out RequestHeaders? headers,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(route);
        headers = null;

        string? name = lookup(HeaderNames.Name);
        if (name is null)
        {
            return Fail(HeaderNames.Name, "is missing", out error);
        }

        if (!string.Equals(name, route, StringComparison.Ordinal))
        {
            return Fail(HeaderNames.Name, "does not equal the route", out error);
        }

        TimeSpan timeout = SynapseTimeouts.For(name);
        string? timeoutText = lookup(HeaderNames.Timeout);
        if (timeoutText is not null && !TryParseTimeout(timeoutText, out timeout))
        {
            return Fail(HeaderNames.Timeout, "must be decimal seconds with 0 < t <= 120", out error);
        }

        string? bodyHashText = lookup(HeaderNames.ComputedBodyHash);
        if (bodyHashText is null)
        {
            return Fail(HeaderNames.ComputedBodyHash, "is missing", out error);
        }

        if (!HexText.TryParseLowerHash(bodyHashText, out Hash256 bodyHash))
        {
            return Fail(HeaderNames.ComputedBodyHash, "must be 64 lowercase hex digits", out error);
        }

        string? dendriteHotkeyText = lookup(HeaderNames.DendriteHotkey);
        if (dendriteHotkeyText is null)
        {
            return Fail(HeaderNames.DendriteHotkey, "is missing", out error);
        }

        if (!Ss58.TryDecode(dendriteHotkeyText, out PublicKey dendriteHotkey))
        {
            return Fail(HeaderNames.DendriteHotkey, "is not an SS58 address", out error);
        }

        string? nonceText = lookup(HeaderNames.DendriteNonce);
        if (nonceText is null)
        {
            return Fail(HeaderNames.DendriteNonce, "is missing", out error);
        }

        if (!HexText.TryParseDecimalUInt64(nonceText, out ulong nonce))
        {
            return Fail(HeaderNames.DendriteNonce, "must be a decimal u64", out error);
        }

        string? uuidText = lookup(HeaderNames.DendriteUuid);
        if (uuidText is null)
        {
            return Fail(HeaderNames.DendriteUuid, "is missing", out error);
        }

        if (!Guid.TryParseExact(uuidText, "D", out Guid uuid))
        {
            return Fail(HeaderNames.DendriteUuid, "is not RFC 4122 UUID text", out error);
        }

        string? versionText = lookup(HeaderNames.DendriteVersion);
        if (versionText is null)
        {
            return Fail(HeaderNames.DendriteVersion, "is missing", out error);
        }

        if (!HexText.TryParseDecimalUInt64(versionText, out ulong version) || version > uint.MaxValue)
        {
            return Fail(HeaderNames.DendriteVersion, "must be a decimal u32", out error);
        }

        string? axonHotkeyText = lookup(HeaderNames.AxonHotkey);
        if (axonHotkeyText is null)
        {
            return Fail(HeaderNames.AxonHotkey, "is missing", out error);
        }

        if (!Ss58.TryDecode(axonHotkeyText, out PublicKey axonHotkey))
        {
            return Fail(HeaderNames.AxonHotkey, "is not an SS58 address", out error);
        }

        headers = new RequestHeaders(
            name,
            timeout,
            bodyHash,
            bodyHashText,
            dendriteHotkey,
            dendriteHotkeyText,
            nonce,
            nonceText,
            uuid,
            uuidText,
            (uint)version,
            axonHotkey,
            axonHotkeyText,
            lookup(HeaderNames.DendriteSignature));
        error = null;
        return true;
    }

    /// <summary>Parses a timeout header: decimal seconds (invariant culture, optional fraction), 0 &lt; t ≤ 120.</summary>
    public static bool TryParseTimeout(ReadOnlySpan<char> text, out TimeSpan timeout)
    {
        timeout = default;
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds)
            || seconds <= 0m
            || seconds > (decimal)ProtocolConstants.MaxTimeout.TotalSeconds)
        {
            return false;
        }

        timeout = TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
        return timeout > TimeSpan.Zero;
    }

    /// <summary>Verifies the signature over the signed message with <see cref="DendriteHotkey"/>; false when missing or malformed.</summary>
    public bool VerifySignature()
    {
        if (SignatureText is null || !HexText.TryParseSignature(SignatureText, out Signature signature))
        {
            return false;
        }

        return RequestSigning.Verify(DendriteHotkey, NonceText, DendriteHotkeyText, AxonHotkeyText, UuidText, BodyHashText, signature);
    }

    private static bool Fail(string header, string what, out string error)
    {
        error = $"Header '{header}' {what}.";
        return false;
    }
}
