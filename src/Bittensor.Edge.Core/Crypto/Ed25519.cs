// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using NSec.Cryptography;
using NSecPublicKey = NSec.Cryptography.PublicKey;

namespace Bittensor.Edge.Core.Crypto;

/// <summary>Ed25519 (RFC 8032) signature verification through NSec.</summary>
/// <remarks>
/// All members are thread-safe. Signing needs a secret and lives on <see cref="Ed25519KeyPair"/>.
/// </remarks>
public static class Ed25519
{
    /// <summary>
    /// Whether <paramref name="signature"/> is a valid Ed25519 signature of <paramref name="data"/> by
    /// <paramref name="key"/>.
    /// </summary>
    /// <returns>
    /// <see langword="false"/> for a wrong signature, a signature that is not 64 bytes long, or a key that is
    /// not a usable curve point; this method never throws for bad input.
    /// </returns>
    public static bool Verify(in PublicKey key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != Signature.Size)
        {
            return false;
        }

        if (!NSecPublicKey.TryImport(SignatureAlgorithm.Ed25519, key.Bytes, KeyBlobFormat.RawPublicKey, out NSecPublicKey? publicKey) || publicKey is null)
        {
            return false;
        }

        return SignatureAlgorithm.Ed25519.Verify(publicKey, data, signature);
    }

    /// <inheritdoc cref="Verify(in PublicKey, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    public static bool Verify(in PublicKey key, ReadOnlySpan<byte> data, in Signature signature) =>
        Verify(in key, data, signature.Bytes);
}
