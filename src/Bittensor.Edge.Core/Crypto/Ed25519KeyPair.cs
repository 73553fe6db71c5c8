// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using NSec.Cryptography;

namespace Bittensor.Edge.Core.Crypto;

/// <summary>
/// An Ed25519 key pair whose secret stays in NSec's <see cref="Key"/>, in unmanaged memory that is
/// wiped on <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// Signing is thread-safe; disposing while another thread signs is not. The owner disposes the pair.
/// The seed can be exported (for key files), so treat every exported buffer as a secret and clear it.
/// </remarks>
public sealed class Ed25519KeyPair : IDisposable
{
    private readonly Key _key;
    private readonly PublicKey _publicKey;

    private Ed25519KeyPair(Key key)
    {
        _key = key;
        Span<byte> publicKey = stackalloc byte[PublicKey.Size];
        _key.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, publicKey, out _);
        _publicKey = new PublicKey(publicKey);
    }

    /// <summary>The public key.</summary>
    public PublicKey PublicKey => _publicKey;

    /// <summary>The SS58 address (prefix 42) of the public key.</summary>
    public string Ss58Address => Addresses.Ss58.Encode(_publicKey);

    /// <summary>A new key pair from the operating system's random generator.</summary>
    public static Ed25519KeyPair Generate()
    {
        Span<byte> seed = stackalloc byte[Constants.SeedSize];
        try
        {
            RandomNumberGenerator.Fill(seed);
            return FromSeed(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>The key pair of a 32-byte seed (the RFC 8032 private key). The caller clears its copy.</summary>
    /// <exception cref="ArgumentException"><paramref name="seed"/> is not 32 bytes long.</exception>
    public static Ed25519KeyPair FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Constants.SeedSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(seed), Constants.SeedSize, seed.Length);
        }

        KeyCreationParameters parameters = new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        Key key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, in parameters);
        return new Ed25519KeyPair(key);
    }

    /// <summary>Copies the 32-byte seed into <paramref name="destination"/>; the caller must clear it after use.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not 32 bytes long.</exception>
    /// <exception cref="ObjectDisposedException">The pair is disposed.</exception>
    public void ExportSeed(Span<byte> destination)
    {
        if (destination.Length != Constants.SeedSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(destination), Constants.SeedSize, destination.Length);
        }

        if (!_key.TryExport(KeyBlobFormat.RawPrivateKey, destination, out int written) || written != Constants.SeedSize)
        {
            ThrowHelper.ThrowInvalidOperation("The Ed25519 seed could not be exported.");
        }
    }

    /// <summary>Signs <paramref name="data"/>.</summary>
    /// <exception cref="ObjectDisposedException">The pair is disposed.</exception>
    public Signature Sign(ReadOnlySpan<byte> data)
    {
        Bytes64 signature = default;
        Sign(data, signature);
        return new Signature(signature);
    }

    /// <summary>Signs <paramref name="data"/> into <paramref name="destination"/> (exactly 64 bytes).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not 64 bytes long.</exception>
    /// <exception cref="ObjectDisposedException">The pair is disposed.</exception>
    public void Sign(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length != Signature.Size)
        {
            ThrowHelper.ThrowArgumentLength(nameof(destination), Signature.Size, destination.Length);
        }

        SignatureAlgorithm.Ed25519.Sign(_key, data, destination);
    }

    /// <summary>Wipes the secret. Later calls that need it throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _key.Dispose();

    /// <summary>The public key only; the secret never appears in text.</summary>
    public override string ToString() => $"Ed25519KeyPair({_publicKey})";
}
