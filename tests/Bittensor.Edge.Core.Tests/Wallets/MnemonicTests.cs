// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Core.Tests.Wallets;

public class MnemonicTests
{
    public static TheoryData<string, string, string> SubstrateVectors()
    {
        TheoryData<string, string, string> data = [];
        foreach (string[] f in VectorFile.Read("substrate-bip39.txt", '|'))
        {
            data.Add(f[0], f[1], f[2]);
        }

        return data;
    }

    [Fact]
    public void Word_list_is_the_BIP39_English_list_byte_for_byte()
    {
        using Stream stream = typeof(Mnemonic).Assembly.GetManifestResourceStream("Bittensor.Edge.Core.Wallets.Bip39.english.txt")!;

        Assert.Equal("2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda", Convert.ToHexStringLower(SHA256.HashData(stream)));
        Assert.Equal(2048, Mnemonic.Words.Count);
        Assert.Equal("abandon", Mnemonic.Words[0]);
        Assert.Equal("zoo", Mnemonic.Words[2047]);
        Assert.True(Mnemonic.Words.SequenceEqual(Mnemonic.Words.Order(StringComparer.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(SubstrateVectors))]
    public void Substrate_bip39_vectors_give_the_same_entropy_and_seed(string phrase, string entropy, string seed)
    {
        byte[] recovered = new byte[32];
        byte[] seed64 = new byte[64];
        byte[] seed32 = new byte[32];

        Assert.True(Mnemonic.TryGetEntropy(phrase, recovered, out int length));
        Assert.Equal(entropy, Convert.ToHexStringLower(recovered.AsSpan(0, length)));
        Assert.Equal(phrase, Mnemonic.FromEntropy(Convert.FromHexString(entropy)));
        Mnemonic.SeedFromEntropy(recovered.AsSpan(0, length), "Substrate", seed64);
        Mnemonic.SeedFromEntropy(recovered.AsSpan(0, length), "Substrate", seed32);
        Assert.Equal(seed, Convert.ToHexStringLower(seed64));
        Assert.Equal(seed[..64], Convert.ToHexStringLower(seed32));
    }

    // Cross-checked outside the product with CPython's hashlib.pbkdf2_hmac and the RFC 8032 §6 reference
    // Ed25519 code: the mini secret fac7959d… is Substrate's well-known DEV_PHRASE seed.
    [Theory]
    [InlineData("bottom drive obey lake curtain smoke basket hold race lonely fit walk", "", "345071da55e5dccefaaa440339415ef9f2663338a38f7da0df21be5ab4e055ef")]
    [InlineData("legal winner thank year wave sausage worth useful legal winner thank yellow", "Substrate", "696a36264a9df90ec4a7e5757a37e4ad58861f1f374853fc20d8b512e9baf228")]
    public void A_phrase_gives_the_pinned_public_key(string phrase, string passphrase, string publicKey)
    {
        using Ed25519KeyPair pair = Mnemonic.ToKeyPair(phrase, passphrase);

        Assert.Equal(publicKey, pair.PublicKey.ToString("x", null));
    }

    [Fact]
    public void The_dev_phrase_seed_is_substrates_well_known_mini_secret()
    {
        byte[] entropy = new byte[32];
        byte[] seed = new byte[32];
        Assert.True(Mnemonic.TryGetEntropy("bottom drive obey lake curtain smoke basket hold race lonely fit walk", entropy, out int length));
        Mnemonic.SeedFromEntropy(entropy.AsSpan(0, length), "", seed);

        Assert.Equal("fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e", Convert.ToHexStringLower(seed));
    }

    [Theory]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon")]
    [InlineData("legal winner thank year wave sausage worth useful legal winner thank thank")]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon")]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about about")]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abuot")]
    [InlineData("")]
    [InlineData("abandonabandonabandonabandon abandon abandon abandon abandon abandon abandon abandon about")]
    public void Bad_checksums_unknown_words_and_wrong_word_counts_are_rejected(string phrase)
    {
        Assert.False(Mnemonic.IsValid(phrase));
        WalletException e = Assert.Throws<WalletException>(() => Mnemonic.ToKeyPair(phrase));
        Assert.Equal(WalletErrorCode.InvalidMnemonic, e.Code);
    }

    [Fact]
    public void Case_and_extra_whitespace_do_not_matter()
    {
        Assert.True(Mnemonic.IsValid("  ZOO zoo zoo zoo zoo zoo\tzoo zoo zoo zoo zoo\nwrong "));
    }

    [Theory]
    [InlineData(12)]
    [InlineData(24)]
    public void Generated_phrases_are_valid_and_distinct(int words)
    {
        string a = Mnemonic.Generate(words);
        string b = Mnemonic.Generate(words);

        Assert.Equal(words, a.Split(' ').Length);
        Assert.True(Mnemonic.IsValid(a));
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Other_word_counts_cannot_be_generated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Mnemonic.Generate(13));
        Assert.Throws<ArgumentException>(() => Mnemonic.FromEntropy(new byte[15]));
        Assert.Throws<ArgumentException>(() => Mnemonic.SeedFromEntropy(new byte[16], "", new byte[48]));
    }
}
