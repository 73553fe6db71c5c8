// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Signing;

/// <summary>
/// The response signature of specs/protocol.md §3.6: Ed25519 by the axon's hotkey over the UTF-8 bytes of
/// <c>{axon_nonce}.{dendrite_hotkey}.{axon_hotkey}.{axon_uuid}.{request_body_hash}.{response_body_hash}</c>.
/// </summary>
/// <remarks>
/// <c>dendrite_hotkey</c> and <c>request_body_hash</c> are the exact texts of the request's headers (empty when the
/// request lacked them), so the dendrite verifies with the values it sent. All members are stateless and thread-safe.
/// </remarks>
public static class ResponseSigning
{
    /// <summary>The UTF-8 bytes of the signed response message.</summary>
    public static byte[] BuildMessage(string axonNonce, string dendriteHotkey, string axonHotkey, string axonUuid, string requestBodyHash, string responseBodyHash)
    {
        ArgumentNullException.ThrowIfNull(axonNonce);
        ArgumentNullException.ThrowIfNull(dendriteHotkey);
        ArgumentNullException.ThrowIfNull(axonHotkey);
        ArgumentNullException.ThrowIfNull(axonUuid);
        ArgumentNullException.ThrowIfNull(requestBodyHash);
        ArgumentNullException.ThrowIfNull(responseBodyHash);
        return Encoding.UTF8.GetBytes(string.Join('.', axonNonce, dendriteHotkey, axonHotkey, axonUuid, requestBodyHash, responseBodyHash));
    }

    /// <summary>Every §3.6 response header, signed by <paramref name="axonKey"/>.</summary>
    /// <param name="axonKey">The axon's hotkey pair.</param>
    /// <param name="status">The status being answered.</param>
    /// <param name="statusMessage">A short message (ASCII; other characters are replaced by <c>?</c>).</param>
    /// <param name="processTime">Time spent on the request.</param>
    /// <param name="axonNonce">The axon's nonce, ns since the Unix epoch.</param>
    /// <param name="axonUuid">A fresh UUID for this response.</param>
    /// <param name="dendriteHotkey">The request's <c>bt_header_dendrite_hotkey</c> text, or empty.</param>
    /// <param name="requestBodyHash">The request's <c>computed_body_hash</c> text, or empty.</param>
    /// <param name="responseBody">The exact response body bytes.</param>
    /// <returns>Header name and value pairs.</returns>
    public static IReadOnlyList<KeyValuePair<string, string>> CreateHeaders(
        Ed25519KeyPair axonKey,
        AxonStatus status,
        string statusMessage,
        TimeSpan processTime,
        ulong axonNonce,
        Guid axonUuid,
        string dendriteHotkey,
        string requestBodyHash,
        ReadOnlySpan<byte> responseBody)
    {
        ArgumentNullException.ThrowIfNull(axonKey);
        ArgumentNullException.ThrowIfNull(statusMessage);
        string responseHash = HexText.ToLowerHex(Sha256.Hash(responseBody));
        string axonHotkey = axonKey.Ss58Address;
        string nonceText = axonNonce.ToString(CultureInfo.InvariantCulture);
        string uuidText = axonUuid.ToString("D");
        Signature signature = axonKey.Sign(BuildMessage(nonceText, dendriteHotkey, axonHotkey, uuidText, requestBodyHash, responseHash));
        return
        [
            new(HeaderNames.AxonStatusCode, ((int)status).ToString(CultureInfo.InvariantCulture)),
            new(HeaderNames.AxonStatusMessage, ToHeaderSafe(statusMessage)),
            new(HeaderNames.AxonProcessTime, RequestSigning.FormatSeconds(processTime < TimeSpan.Zero ? TimeSpan.Zero : processTime)),
            new(HeaderNames.AxonHotkey, axonHotkey),
            new(HeaderNames.AxonNonce, nonceText),
            new(HeaderNames.AxonUuid, uuidText),
            new(HeaderNames.ComputedBodyHash, responseHash),
            new(HeaderNames.AxonSignature, signature.ToString()),
        ];
    }

    /// <summary>
    /// Checks a response's §3.6 headers against the hotkey the caller meant to reach: every header present and well
    /// formed, <c>bt_header_axon_hotkey</c> equal to <paramref name="expectedAxon"/>, <c>computed_body_hash</c> equal to
    /// the SHA-256 of <paramref name="responseBody"/>, and the signature valid. Any failure is a 502 at the dendrite.
    /// </summary>
    /// <param name="lookup">Response header lookup by name (case-insensitive), <see langword="null"/> when absent.</param>
    /// <param name="expectedAxon">The hotkey the request was addressed to.</param>
    /// <param name="dendriteHotkey">The <c>bt_header_dendrite_hotkey</c> text that was sent.</param>
    /// <param name="requestBodyHash">The <c>computed_body_hash</c> text that was sent.</param>
    /// <param name="responseBody">The exact response body bytes received.</param>
    /// <param name="headers">The parsed response headers, when valid.</param>
    /// <returns>Whether the response is authentic.</returns>
    public static bool TryVerify(
        Func<string, string?> lookup,
        in PublicKey expectedAxon,
        string dendriteHotkey,
        string requestBodyHash,
        ReadOnlySpan<byte> responseBody,
        [NotNullWhen(true)] out ResponseHeaders? headers)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(dendriteHotkey);
        ArgumentNullException.ThrowIfNull(requestBodyHash);
        headers = null;

        string? statusText = lookup(HeaderNames.AxonStatusCode);
        string? message = lookup(HeaderNames.AxonStatusMessage);
        string? processText = lookup(HeaderNames.AxonProcessTime);
        string? axonHotkeyText = lookup(HeaderNames.AxonHotkey);
        string? nonceText = lookup(HeaderNames.AxonNonce);
        string? uuidText = lookup(HeaderNames.AxonUuid);
        string? bodyHashText = lookup(HeaderNames.ComputedBodyHash);
        string? signatureText = lookup(HeaderNames.AxonSignature);
        if (statusText is null || message is null || processText is null || axonHotkeyText is null
            || nonceText is null || uuidText is null || bodyHashText is null || signatureText is null)
        {
            return false;
        }

        if (!int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out int status)
            || !decimal.TryParse(processText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal processSeconds)
            || processSeconds > (decimal)TimeSpan.MaxValue.TotalSeconds / 2
            || !HexText.TryParseDecimalUInt64(nonceText, out ulong nonce)
            || !Guid.TryParseExact(uuidText, "D", out Guid uuid)
            || !HexText.TryParseLowerHash(bodyHashText, out Hash256 claimedHash)
            || !HexText.TryParseSignature(signatureText, out Signature signature)
            || !Ss58.TryDecode(axonHotkeyText, out PublicKey axonHotkey))
        {
            return false;
        }

        if (axonHotkey != expectedAxon || Sha256.Hash(responseBody) != claimedHash)
        {
            return false;
        }

        byte[] signed = BuildMessage(nonceText, dendriteHotkey, axonHotkeyText, uuidText, requestBodyHash, bodyHashText);
        if (!Ed25519.Verify(expectedAxon, signed, signature))
        {
            return false;
        }

        headers = new ResponseHeaders(
            status,
            message,
            TimeSpan.FromTicks((long)(processSeconds * TimeSpan.TicksPerSecond)),
            axonHotkey,
            nonce,
            uuid,
            claimedHash,
            signature);
        return true;
    }

    private static string ToHeaderSafe(string message)
    {
        Span<char> buffer = message.Length <= 256 ? stackalloc char[message.Length] : new char[message.Length];
        for (int i = 0; i < message.Length; i++)
        {
            char c = message[i];
            buffer[i] = c is >= ' ' and <= '~' ? c : '?';
        }

        return new string(buffer);
    }
}

/// <summary>A verified response's §3.6 headers.</summary>
/// <param name="StatusCode">The axon's <c>bt_header_axon_status_code</c>.</param>
/// <param name="StatusMessage">The axon's status message.</param>
/// <param name="ProcessTime">Time the axon reports having spent.</param>
/// <param name="AxonHotkey">The axon's hotkey (equal to the one addressed).</param>
/// <param name="AxonNonce">The axon's nonce, ns since the Unix epoch.</param>
/// <param name="AxonUuid">The response's UUID.</param>
/// <param name="BodyHash">SHA-256 of the response body.</param>
/// <param name="Signature">The axon's signature; with the request, a receipt a validator can show later.</param>
public sealed record ResponseHeaders(
    int StatusCode,
    string StatusMessage,
    TimeSpan ProcessTime,
    PublicKey AxonHotkey,
    ulong AxonNonce,
    Guid AxonUuid,
    Hash256 BodyHash,
    Signature Signature);
