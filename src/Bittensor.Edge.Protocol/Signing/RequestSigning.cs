// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Text;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Protocol.Signing;

/// <summary>
/// The request signature of specs/protocol.md §3.2: Ed25519 directly over the UTF-8 bytes of
/// <c>{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{body_hash}</c>, with no wrapping or context.
/// </summary>
/// <remarks>All members are stateless and thread-safe (an <see cref="Ed25519KeyPair"/> may sign from many threads).</remarks>
public static class RequestSigning
{
    /// <summary>The UTF-8 bytes of the signed message.</summary>
    public static byte[] BuildMessage(string nonce, string dendriteHotkey, string axonHotkey, string uuid, string bodyHash)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        ArgumentNullException.ThrowIfNull(dendriteHotkey);
        ArgumentNullException.ThrowIfNull(axonHotkey);
        ArgumentNullException.ThrowIfNull(uuid);
        ArgumentNullException.ThrowIfNull(bodyHash);
        return Encoding.UTF8.GetBytes(string.Join('.', nonce, dendriteHotkey, axonHotkey, uuid, bodyHash));
    }

    /// <summary>Signs the message with <paramref name="wallet"/>.</summary>
    public static Signature Sign(Ed25519KeyPair wallet, string nonce, string dendriteHotkey, string axonHotkey, string uuid, string bodyHash)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        return wallet.Sign(BuildMessage(nonce, dendriteHotkey, axonHotkey, uuid, bodyHash));
    }

    /// <summary>Whether <paramref name="signature"/> is <paramref name="signer"/>'s signature of the message.</summary>
    public static bool Verify(in PublicKey signer, string nonce, string dendriteHotkey, string axonHotkey, string uuid, string bodyHash, in Signature signature) =>
        Ed25519.Verify(signer, BuildMessage(nonce, dendriteHotkey, axonHotkey, uuid, bodyHash), signature);

    /// <summary>
    /// Every §3.2 header for a request of <paramref name="wallet"/> to <paramref name="axonHotkey"/>, signed. The body hash
    /// is computed over <paramref name="body"/>, the exact bytes that will be sent.
    /// </summary>
    /// <param name="wallet">The caller's hotkey pair.</param>
    /// <param name="axonHotkey">The hotkey the caller means to reach.</param>
    /// <param name="synapseName">The synapse (also the route).</param>
    /// <param name="body">The raw body bytes.</param>
    /// <param name="timeout">The request timeout, 0 &lt; t ≤ 120 s.</param>
    /// <param name="nonce">Wall-clock ns since the Unix epoch.</param>
    /// <param name="uuid">A fresh UUID for this request.</param>
    /// <returns>Header name and value pairs, in §3.2 order.</returns>
    public static IReadOnlyList<KeyValuePair<string, string>> CreateHeaders(
        Ed25519KeyPair wallet,
        in PublicKey axonHotkey,
        string synapseName,
        ReadOnlySpan<byte> body,
        TimeSpan timeout,
        ulong nonce,
        Guid uuid)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        ArgumentNullException.ThrowIfNull(synapseName);
        if (timeout <= TimeSpan.Zero || timeout > ProtocolConstants.MaxTimeout)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(timeout), timeout, "A request timeout must be 0 < t <= 120 s.");
        }

        string bodyHash = HexText.ToLowerHex(Sha256.Hash(body));
        string dendriteHotkey = wallet.Ss58Address;
        string axon = axonHotkey.ToSs58();
        string nonceText = nonce.ToString(CultureInfo.InvariantCulture);
        string uuidText = uuid.ToString("D");
        Signature signature = Sign(wallet, nonceText, dendriteHotkey, axon, uuidText, bodyHash);
        return
        [
            new(HeaderNames.Name, synapseName),
            new(HeaderNames.Timeout, FormatSeconds(timeout)),
            new(HeaderNames.ComputedBodyHash, bodyHash),
            new(HeaderNames.DendriteHotkey, dendriteHotkey),
            new(HeaderNames.DendriteNonce, nonceText),
            new(HeaderNames.DendriteUuid, uuidText),
            new(HeaderNames.DendriteVersion, ProtocolConstants.Version.ToString(CultureInfo.InvariantCulture)),
            new(HeaderNames.DendriteSignature, signature.ToString()),
            new(HeaderNames.AxonHotkey, axon),
        ];
    }

    /// <summary>Decimal seconds with up to 6 fractional digits, invariant culture.</summary>
    public static string FormatSeconds(TimeSpan value) =>
        ((decimal)value.Ticks / TimeSpan.TicksPerSecond).ToString("0.######", CultureInfo.InvariantCulture);
}
