// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Core.Wallets;

/// <summary>
/// The secret of one key file: an Ed25519 key pair and, when the key came from one, its mnemonic.
/// </summary>
/// <remarks>Owns <see cref="KeyPair"/>; dispose it to wipe the secret. Not thread-safe to dispose while in use.</remarks>
public sealed class WalletKey : IDisposable
{
    /// <summary>Wraps a key pair (taking ownership) and its optional phrase.</summary>
    public WalletKey(Ed25519KeyPair keyPair, string? secretPhrase = null)
    {
        ArgumentNullException.ThrowIfNull(keyPair);
        KeyPair = keyPair;
        SecretPhrase = secretPhrase;
    }

    /// <summary>The key pair.</summary>
    public Ed25519KeyPair KeyPair { get; }

    /// <summary>The BIP-39 phrase the key was made from, or <see langword="null"/> for a raw random seed.</summary>
    public string? SecretPhrase { get; }

    /// <summary>The public key.</summary>
    public PublicKey PublicKey => KeyPair.PublicKey;

    /// <summary>The SS58 address (prefix 42).</summary>
    public string Ss58Address => KeyPair.Ss58Address;

    /// <summary>A new key from a new mnemonic of <paramref name="wordCount"/> words (12 or 24).</summary>
    public static WalletKey GenerateWithMnemonic(int wordCount = 12)
    {
        string phrase = Mnemonic.Generate(wordCount);
        return new WalletKey(Mnemonic.ToKeyPair(phrase), phrase);
    }

    /// <summary>A new key from a raw random seed, without a mnemonic.</summary>
    public static WalletKey Generate() => new(Ed25519KeyPair.Generate());

    /// <summary>The key of an existing phrase.</summary>
    /// <exception cref="WalletException"><see cref="WalletErrorCode.InvalidMnemonic"/>: the phrase is not valid.</exception>
    public static WalletKey FromMnemonic(string phrase)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        string normalized = string.Join(' ', phrase.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
        return new WalletKey(Mnemonic.ToKeyPair(normalized), normalized);
    }

    /// <summary>Wipes the secret.</summary>
    public void Dispose() => KeyPair.Dispose();
}
