// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Core.Tests.Crypto;

public class Ed25519Tests
{
    public static TheoryData<string, string, string, string> Rfc8032Vectors()
    {
        TheoryData<string, string, string, string> data = [];
        foreach (string[] f in VectorFile.Read("rfc8032-ed25519.txt"))
        {
            data.Add(f[0], f[1], f[2], f[3]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rfc8032Vectors))]
    public void Signing_matches_RFC_8032_and_verifies(string seed, string publicKey, string message, string signature)
    {
        byte[] data = VectorFile.Hex(message);
        using Ed25519KeyPair pair = Ed25519KeyPair.FromSeed(Convert.FromHexString(seed));

        Signature signed = pair.Sign(data);
        byte[] into = new byte[64];
        pair.Sign(data, into);

        Assert.Equal(publicKey, pair.PublicKey.ToString("x", null));
        Assert.Equal(signature, signed.ToString("x", null));
        Assert.Equal(signature, Convert.ToHexStringLower(into));
        Assert.True(Ed25519.Verify(PublicKey.Parse(publicKey), data, Convert.FromHexString(signature)));
        Assert.True(Ed25519.Verify(pair.PublicKey, data, signed));
    }

    [Theory]
    [MemberData(nameof(Rfc8032Vectors))]
    public void A_tampered_message_or_signature_does_not_verify(string seed, string publicKey, string message, string signature)
    {
        _ = seed;
        PublicKey key = PublicKey.Parse(publicKey);
        byte[] data = VectorFile.Hex(message);
        byte[] sig = Convert.FromHexString(signature);

        byte[] longer = [.. data, 0];
        Assert.False(Ed25519.Verify(key, longer, sig));
        if (data.Length > 0)
        {
            data[0] ^= 0x01;
            Assert.False(Ed25519.Verify(key, data, sig));
            data[0] ^= 0x01;
        }

        for (int i = 0; i < sig.Length; i += 7)
        {
            sig[i] ^= 0x80;
            Assert.False(Ed25519.Verify(key, data, sig));
            sig[i] ^= 0x80;
        }
    }

    [Fact]
    public void Wrong_lengths_and_invalid_keys_return_false_without_throwing()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Generate();
        byte[] data = "hello"u8.ToArray();
        Signature signature = pair.Sign(data);
        byte[] notAPoint = Convert.FromHexString("0100000000000000000000000000000000000000000000000000000000000080");

        Assert.False(Ed25519.Verify(pair.PublicKey, data, []));
        Assert.False(Ed25519.Verify(pair.PublicKey, data, signature.Bytes[..63]));
        Assert.False(Ed25519.Verify(pair.PublicKey, data, [.. signature.Bytes, 0]));
        Assert.False(Ed25519.Verify(default, data, signature));
        Assert.False(Ed25519.Verify(new PublicKey(notAPoint), data, signature));
        Assert.False(Ed25519.Verify(PublicKey.Parse(new string('f', 64)), data, signature));
    }

    [Fact]
    public void A_signature_by_another_key_does_not_verify()
    {
        using Ed25519KeyPair alice = Ed25519KeyPair.Generate();
        using Ed25519KeyPair bob = Ed25519KeyPair.Generate();

        Assert.NotEqual(alice.PublicKey, bob.PublicKey);
        Assert.False(Ed25519.Verify(bob.PublicKey, "x"u8, alice.Sign("x"u8)));
    }

    [Fact]
    public void Exported_seed_recreates_the_same_key_pair()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Generate();
        byte[] seed = new byte[32];
        pair.ExportSeed(seed);
        using Ed25519KeyPair again = Ed25519KeyPair.FromSeed(seed);

        Assert.Equal(pair.PublicKey, again.PublicKey);
        Assert.Equal(pair.Sign("m"u8), again.Sign("m"u8));
    }

    [Fact]
    public void Seeds_and_destinations_of_the_wrong_length_are_rejected()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Generate();

        Assert.Throws<ArgumentException>(() => Ed25519KeyPair.FromSeed(new byte[31]));
        Assert.Throws<ArgumentException>(() => pair.ExportSeed(new byte[64]));
        Assert.Throws<ArgumentException>(() => pair.Sign("m"u8, new byte[63]));
    }

    [Fact]
    public void A_disposed_pair_refuses_to_sign()
    {
        Ed25519KeyPair pair = Ed25519KeyPair.Generate();
        pair.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pair.Sign("m"u8));
        Assert.Throws<ObjectDisposedException>(() => pair.ExportSeed(new byte[32]));
    }

    [Fact]
    public void ToString_shows_only_the_public_key()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.FromSeed(new byte[32]);
        byte[] seed = new byte[32];
        pair.ExportSeed(seed);

        Assert.Contains(pair.PublicKey.ToString(), pair.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(seed), pair.ToString(), StringComparison.Ordinal);
    }
}
