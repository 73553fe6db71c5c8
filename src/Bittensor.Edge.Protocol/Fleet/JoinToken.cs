// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Bittensor.Edge.Protocol.Fleet;

/// <summary>
/// A one-time fleet join token, <c>btejt_</c> + base64url (unpadded) of 32 random bytes (fleet.md §3).
/// The gateway stores only the <see cref="Verifier"/> (SHA-256 of the 32 secret bytes) and the <see cref="TokenId"/>
/// (the first 8 bytes of SHA-256 of the verifier); the token itself never crosses the wire.
/// </summary>
/// <remarks>
/// The spec writes SHA-256(token); "token" here is the 32 decoded bytes, not the text, so the same secret written with
/// or without the prefix hashes the same.
/// </remarks>
public sealed class JoinToken
{
    /// <summary>The text prefix.</summary>
    public const string Prefix = "btejt_";

    /// <summary>The number of secret bytes.</summary>
    public const int SecretSize = 32;

    private readonly byte[] _secret;

    private JoinToken(byte[] secret)
    {
        _secret = secret;
        Verifier = SHA256.HashData(secret);
        TokenId = SHA256.HashData(Verifier).AsSpan(0, JoinTranscript.TokenIdSize).ToArray();
        Text = Prefix + Base64Url.EncodeToString(secret);
    }

    /// <summary>The text form a person copies into <c>bte-firstboot.json</c>.</summary>
    public string Text { get; }

    /// <summary>SHA-256 of the secret: the HMAC key, and what the gateway stores.</summary>
    public byte[] Verifier { get; }

    /// <summary>The first 8 bytes of SHA-256(<see cref="Verifier"/>).</summary>
    public byte[] TokenId { get; }

    /// <summary>The token id of a stored verifier.</summary>
    public static byte[] TokenIdOf(ReadOnlySpan<byte> verifier) => SHA256.HashData(verifier).AsSpan(0, JoinTranscript.TokenIdSize).ToArray();

    /// <summary>A fresh token from the system's CSPRNG.</summary>
    public static JoinToken Create() => new(RandomNumberGenerator.GetBytes(SecretSize));

    /// <summary>Parses the text form; false for anything but <c>btejt_</c> and 43 base64url characters of 32 bytes.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out JoinToken? token)
    {
        token = null;
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> encoded = text.AsSpan(Prefix.Length);
        Span<byte> secret = stackalloc byte[SecretSize + 3];
        // Base64Url.TryDecodeFromChars throws on characters outside the alphabet, so validate first.
        if (!Base64Url.IsValid(encoded, out int decodedLength) || decodedLength != SecretSize
            || !Base64Url.TryDecodeFromChars(encoded, secret, out int written) || written != SecretSize)
        {
            return false;
        }

        token = new JoinToken(secret[..SecretSize].ToArray());
        return token.Text == text;
    }

    /// <summary>The token id as 16 lowercase hex digits, the form operators see (<c>bte fleet token revoke</c>).</summary>
    public static string FormatTokenId(ReadOnlySpan<byte> tokenId) => Convert.ToHexStringLower(tokenId);

    /// <summary>Never the secret.</summary>
    public override string ToString() => $"JoinToken({FormatTokenId(TokenId)})";

    /// <summary>The secret bytes, for tests of the derivations.</summary>
    internal ReadOnlySpan<byte> Secret => _secret;
}
