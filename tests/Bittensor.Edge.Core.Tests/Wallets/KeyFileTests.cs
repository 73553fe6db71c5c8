// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bittensor.Edge.Core.Serialization;
using Bittensor.Edge.Core.Wallets;
using NSec.Cryptography;

namespace Bittensor.Edge.Core.Tests.Wallets;

public class KeyFileTests
{
    private const string Phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
    private const string Password = "correct horse battery";

    [Fact]
    public void Plaintext_json_has_exactly_the_spec_fields()
    {
        using WalletKey key = WalletKey.FromMnemonic(Phrase);
        string json = Encode(b => KeyFile.EncodePlaintext(key, b));

        Assert.Equal(
            "{\"cryptoType\":\"ed25519\",\"publicKey\":\"0x345071da55e5dccefaaa440339415ef9f2663338a38f7da0df21be5ab4e055ef\","
            + $"\"ss58Address\":\"{key.Ss58Address}\",\"secretSeed\":\"0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e\","
            + $"\"secretPhrase\":\"{Phrase}\"}}",
            json);
    }

    [Fact]
    public void A_raw_seed_key_has_no_secretPhrase_and_the_pub_file_only_three_fields()
    {
        using WalletKey key = WalletKey.Generate();
        JsonObject secret = JsonNode.Parse(Encode(b => KeyFile.EncodePlaintext(key, b)))!.AsObject();
        JsonObject pub = JsonNode.Parse(Encode(b => KeyFile.EncodePublic(key.PublicKey, b)))!.AsObject();

        Assert.Equal(["cryptoType", "publicKey", "ss58Address", "secretSeed"], secret.Select(p => p.Key));
        Assert.Equal(["cryptoType", "publicKey", "ss58Address"], pub.Select(p => p.Key));
    }

    [Fact]
    public void Plaintext_round_trips()
    {
        using WalletKey key = WalletKey.FromMnemonic(Phrase);
        byte[] bytes = Encoding.UTF8.GetBytes(Encode(b => KeyFile.EncodePlaintext(key, b)));
        using WalletKey again = KeyFile.Decode(bytes, password: null);

        Assert.Equal(key.PublicKey, again.PublicKey);
        Assert.Equal(Phrase, again.SecretPhrase);
    }

    [Fact]
    public void Encrypted_json_has_the_spec_fields_and_round_trips()
    {
        using WalletKey key = WalletKey.FromMnemonic(Phrase);
        string json = Encode(b => KeyFile.Encrypt(key, Password, TempDirectory.LightCost, b));
        JsonObject file = JsonNode.Parse(json)!.AsObject();

        Assert.Equal(["bteKeyfile", "kdf", "memKiB", "passes", "salt", "aead", "nonce", "ciphertext"], file.Select(p => p.Key));
        Assert.Equal(1, (int)file["bteKeyfile"]!);
        Assert.Equal("argon2id", (string)file["kdf"]!);
        Assert.Equal(8192, (int)file["memKiB"]!);
        Assert.Equal(1, (int)file["passes"]!);
        Assert.Equal(16, Convert.FromBase64String((string)file["salt"]!).Length);
        Assert.Equal("xchacha20poly1305", (string)file["aead"]!);
        Assert.Equal(24, Convert.FromBase64String((string)file["nonce"]!).Length);
        Assert.DoesNotContain("fac7959d", json, StringComparison.Ordinal);

        using WalletKey again = KeyFile.Decode(Encoding.UTF8.GetBytes(json), Password);
        Assert.Equal(key.PublicKey, again.PublicKey);
        Assert.Equal(Phrase, again.SecretPhrase);
    }

    [Fact]
    public void Ciphertext_opens_with_an_independently_built_key_and_the_spec_AAD()
    {
        using WalletKey key = WalletKey.FromMnemonic(Phrase);
        JsonObject file = JsonNode.Parse(Encode(b => KeyFile.Encrypt(key, Password, TempDirectory.LightCost, b)))!.AsObject();
        string salt = (string)file["salt"]!;
        string nonce = (string)file["nonce"]!;

        Argon2Parameters parameters = new() { DegreeOfParallelism = 1, MemorySize = 8192, NumberOfPasses = 1 };
        using Key aeadKey = PasswordBasedKeyDerivationAlgorithm.Argon2id(parameters)
            .DeriveKey(Encoding.UTF8.GetBytes(Password), Convert.FromBase64String(salt), AeadAlgorithm.XChaCha20Poly1305);
        byte[] aad = Encoding.UTF8.GetBytes($"bte/keyfile/v1|argon2id|8192|1|{salt}|{nonce}");
        byte[]? plaintext = AeadAlgorithm.XChaCha20Poly1305.Decrypt(aeadKey, Convert.FromBase64String(nonce), aad, Convert.FromBase64String((string)file["ciphertext"]!));

        Assert.NotNull(plaintext);
        Assert.Equal(Encode(b => KeyFile.EncodePlaintext(key, b)), Encoding.UTF8.GetString(plaintext));
    }

    [Fact]
    public void Wrong_password_gives_WalletDecryptFailed_with_no_detail()
    {
        using WalletKey key = WalletKey.Generate();
        byte[] file = Encoding.UTF8.GetBytes(Encode(b => KeyFile.Encrypt(key, Password, TempDirectory.LightCost, b)));

        WalletException e = Assert.Throws<WalletException>(() => KeyFile.Decode(file, "correct horse battery!"));

        Assert.Equal(WalletErrorCode.WalletDecryptFailed, e.Code);
        Assert.Null(e.InnerException);
        Assert.Equal("WalletDecryptFailed: could not decrypt the key file.", e.Message);
    }

    [Theory]
    [InlineData("salt")]
    [InlineData("nonce")]
    [InlineData("ciphertext")]
    [InlineData("passes")]
    public void Any_altered_field_gives_WalletDecryptFailed(string field)
    {
        using WalletKey key = WalletKey.Generate();
        JsonObject file = JsonNode.Parse(Encode(b => KeyFile.Encrypt(key, Password, TempDirectory.LightCost, b)))!.AsObject();
        if (field == "passes")
        {
            file["passes"] = 2;
        }
        else
        {
            byte[] bytes = Convert.FromBase64String((string)file[field]!);
            bytes[^1] ^= 1;
            file[field] = Convert.ToBase64String(bytes);
        }

        WalletException e = Assert.Throws<WalletException>(() => KeyFile.Decode(Encoding.UTF8.GetBytes(file.ToJsonString()), Password));
        Assert.Equal(WalletErrorCode.WalletDecryptFailed, e.Code);
    }

    [Theory]
    [InlineData("memKiB", 1_000_000_000)]
    [InlineData("memKiB", 4)]
    [InlineData("passes", 0)]
    [InlineData("passes", 1000)]
    [InlineData("bteKeyfile", 2)]
    public void Out_of_range_costs_and_unknown_versions_are_corrupt_not_attempted(string field, int value)
    {
        using WalletKey key = WalletKey.Generate();
        JsonObject file = JsonNode.Parse(Encode(b => KeyFile.Encrypt(key, Password, TempDirectory.LightCost, b)))!.AsObject();
        file[field] = value;

        WalletException e = Assert.Throws<WalletException>(() => KeyFile.Decode(Encoding.UTF8.GetBytes(file.ToJsonString()), Password));
        Assert.Equal(WalletErrorCode.KeyFileCorrupt, e.Code);
    }

    [Fact]
    public void An_encrypted_file_without_a_password_asks_for_one()
    {
        using WalletKey key = WalletKey.Generate();
        byte[] file = Encoding.UTF8.GetBytes(Encode(b => KeyFile.Encrypt(key, Password, TempDirectory.LightCost, b)));

        Assert.Equal(WalletErrorCode.PasswordRequired, Assert.Throws<WalletException>(() => KeyFile.Decode(file, null)).Code);
    }

    [Fact]
    public void A_short_password_is_refused_for_a_new_file()
    {
        using WalletKey key = WalletKey.Generate();

        WalletException e = Assert.Throws<WalletException>(() => Encode(b => KeyFile.Encrypt(key, "1234567", TempDirectory.LightCost, b)));
        Assert.Equal(WalletErrorCode.PasswordTooShort, e.Code);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"cryptoType\":\"ed25519\"}")]
    [InlineData("{\"cryptoType\":\"sr25519\",\"publicKey\":\"0x345071da55e5dccefaaa440339415ef9f2663338a38f7da0df21be5ab4e055ef\",\"ss58Address\":\"x\",\"secretSeed\":\"0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e\"}")]
    [InlineData("{\"cryptoType\":\"ed25519\",\"publicKey\":\"0x345071da55e5dccefaaa440339415ef9f2663338a38f7da0df21be5ab4e055ef\",\"ss58Address\":\"x\",\"secretSeed\":\"0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e\"}")]
    [InlineData("{\"cryptoType\":\"ed25519\",\"publicKey\":\"0x0000000000000000000000000000000000000000000000000000000000000000\",\"ss58Address\":\"x\",\"secretSeed\":\"0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e\"}")]
    [InlineData("{\"cryptoType\":\"ed25519\",\"secretSeed\":\"0xfac7\"}")]
    [InlineData("{\"bteKeyfile\":1,\"kdf\":\"scrypt\"}")]
    public void Malformed_or_inconsistent_files_are_corrupt(string json)
    {
        WalletException e = Assert.Throws<WalletException>(() => KeyFile.Decode(Encoding.UTF8.GetBytes(json), Password));

        Assert.Equal(WalletErrorCode.KeyFileCorrupt, e.Code);
    }

    [Fact]
    public void A_phrase_that_does_not_give_the_seed_is_corrupt()
    {
        using WalletKey key = WalletKey.FromMnemonic(Phrase);
        JsonObject file = JsonNode.Parse(Encode(b => KeyFile.EncodePlaintext(key, b)))!.AsObject();
        file["secretPhrase"] = "legal winner thank year wave sausage worth useful legal winner thank yellow";

        WalletException e = Assert.Throws<WalletException>(() => KeyFile.Decode(Encoding.UTF8.GetBytes(file.ToJsonString()), null));
        Assert.Equal(WalletErrorCode.KeyFileCorrupt, e.Code);
    }

    [Fact]
    public void Default_costs_are_the_spec_values_and_the_coldkey_default_round_trips()
    {
        Assert.Equal(new KdfCost(262_144, 3), KdfCost.Coldkey);
        Assert.Equal(new KdfCost(65_536, 3), KdfCost.Hotkey);

        using WalletKey key = WalletKey.Generate();
        byte[] file = Encoding.UTF8.GetBytes(Encode(b => KeyFile.Encrypt(key, Password, KdfCost.Coldkey, b)));
        using JsonDocument document = JsonDocument.Parse(file);
        Assert.Equal(262_144, document.RootElement.GetProperty("memKiB").GetInt32());
        using WalletKey again = KeyFile.Decode(file, Password);
        Assert.Equal(key.PublicKey, again.PublicKey);
    }

    private static string Encode(Action<PooledBufferWriter> encode)
    {
        using PooledBufferWriter buffer = new();
        encode(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
