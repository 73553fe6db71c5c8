// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Serialization;
using NSec.Cryptography;
using PublicKey = Bittensor.Edge.Core.Crypto.PublicKey;

namespace Bittensor.Edge.Core.Wallets;

/// <summary>
/// The key-file formats of protocol.md §5, read and written with <see cref="Utf8JsonWriter"/>,
/// <see cref="Utf8JsonReader"/> and <see cref="JsonDocument"/> (no reflection).
/// </summary>
/// <remarks>
/// <para>Plaintext key file:
/// <c>{"cryptoType":"ed25519","publicKey":"0x…","ss58Address":"…","secretSeed":"0x…","secretPhrase":"…"}</c>,
/// <c>secretPhrase</c> absent for a raw seed. A public file holds the first three fields.</para>
/// <para>Encrypted key file:
/// <c>{"bteKeyfile":1,"kdf":"argon2id","memKiB":M,"passes":P,"salt":b64,"aead":"xchacha20poly1305","nonce":b64,"ciphertext":b64}</c>.
/// The key is Argon2id(password as UTF-8, salt, M KiB, P passes, parallelism 1, 32 bytes); the ciphertext is
/// XChaCha20-Poly1305 of the plaintext file with AAD <c>bte/keyfile/v1|argon2id|M|P|salt|nonce</c>, where M
/// and P are decimal and salt and nonce are the base64 strings exactly as stored.</para>
/// <para>Secret bytes pass only through pooled buffers that are cleared after use. All members are thread-safe.</para>
/// </remarks>
public static class KeyFile
{
    /// <summary>Bytes of the random Argon2id salt in each encrypted file.</summary>
    public const int SaltSize = 16;

    /// <summary>Bytes of the random XChaCha20-Poly1305 nonce in each encrypted file.</summary>
    public const int NonceSize = 24;

    private const string CryptoType = "ed25519";
    private const string AadTag = "bte/keyfile/v1";

    private static readonly JsonWriterOptions s_writerOptions = new() { Indented = false };

    /// <summary>Writes a new plaintext secret key file (0600, temp → fsync → rename).</summary>
    /// <exception cref="WalletException"><see cref="WalletErrorCode.AlreadyExists"/>: the file exists.</exception>
    public static void WritePlaintext(string path, WalletKey key)
    {
        using PooledBufferWriter buffer = new(1024, clearOnReturn: true);
        EncodePlaintext(key, buffer);
        SecureFile.WriteNew(path, buffer.WrittenSpan);
    }

    /// <summary>Writes a new encrypted secret key file (0600, temp → fsync → rename).</summary>
    /// <exception cref="WalletException"><see cref="WalletErrorCode.AlreadyExists"/>: the file exists.</exception>
    public static void WriteEncrypted(string path, WalletKey key, string password, KdfCost cost)
    {
        using PooledBufferWriter buffer = new(1024);
        Encrypt(key, password, cost, buffer);
        SecureFile.WriteNew(path, buffer.WrittenSpan);
    }

    /// <summary>Writes a new public key file (<c>coldkeypub.txt</c> or <c>&lt;hotkey&gt;pub.txt</c>).</summary>
    /// <exception cref="WalletException"><see cref="WalletErrorCode.AlreadyExists"/>: the file exists.</exception>
    public static void WritePublic(string path, in PublicKey publicKey)
    {
        using PooledBufferWriter buffer = new(256);
        EncodePublic(publicKey, buffer);
        SecureFile.WriteNew(path, buffer.WrittenSpan);
    }

    /// <summary>Whether the secret key file at <paramref name="path"/> is encrypted.</summary>
    /// <exception cref="WalletException">The file is missing, not private, or not a key file.</exception>
    public static bool IsEncrypted(string path)
    {
        byte[] contents = SecureFile.ReadAll(path, secret: true);
        try
        {
            return IsEncrypted(contents);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contents);
        }
    }

    /// <summary>
    /// Reads a secret key file, decrypting it with <paramref name="password"/> when it is encrypted.
    /// </summary>
    /// <exception cref="WalletException">
    /// <see cref="WalletErrorCode.WalletDecryptFailed"/> for a wrong password; also a missing, non-private or corrupt file,
    /// or <see cref="WalletErrorCode.PasswordRequired"/> for an encrypted file without a password.
    /// </exception>
    public static WalletKey ReadSecret(string path, string? password)
    {
        byte[] contents = SecureFile.ReadAll(path, secret: true);
        try
        {
            return Decode(contents, password, path);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contents);
        }
    }

    /// <summary>Reads a public key file and checks that its address matches its key.</summary>
    /// <exception cref="WalletException">The file is missing or corrupt.</exception>
    public static PublicKey ReadPublic(string path)
    {
        byte[] contents = SecureFile.ReadAll(path, secret: false);
        return DecodePublic(contents, path);
    }

    /// <summary>Encodes the plaintext key JSON.</summary>
    public static void EncodePlaintext(WalletKey key, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> seed = stackalloc byte[Constants.SeedSize];
        Span<char> seedHex = stackalloc char[2 + (Constants.SeedSize * 2)];
        try
        {
            key.KeyPair.ExportSeed(seed);
            "0x".CopyTo(seedHex);
            Convert.TryToHexStringLower(seed, seedHex[2..], out _);
            using Utf8JsonWriter writer = new(output, s_writerOptions);
            writer.WriteStartObject();
            WritePublicFields(writer, key.PublicKey);
            writer.WriteString("secretSeed"u8, seedHex);
            if (key.SecretPhrase is not null)
            {
                writer.WriteString("secretPhrase"u8, key.SecretPhrase);
            }

            writer.WriteEndObject();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
            seedHex.Clear();
        }
    }

    /// <summary>Encodes a public key JSON (<c>cryptoType</c>, <c>publicKey</c>, <c>ss58Address</c>).</summary>
    public static void EncodePublic(in PublicKey publicKey, IBufferWriter<byte> output)
    {
        using Utf8JsonWriter writer = new(output, s_writerOptions);
        writer.WriteStartObject();
        WritePublicFields(writer, publicKey);
        writer.WriteEndObject();
    }

    /// <summary>Encrypts the plaintext key JSON into the encrypted key-file JSON.</summary>
    /// <exception cref="WalletException"><see cref="WalletErrorCode.PasswordTooShort"/>: the password is too short.</exception>
    public static void Encrypt(WalletKey key, string password, KdfCost cost, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(output);
        WalletPassword.EnsureStrongEnough(password);
        if (!cost.IsValid)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(cost), cost, $"Argon2id memory must be {KdfCost.MinMemoryKiB}..{KdfCost.MaxMemoryKiB} KiB and passes 1..{KdfCost.MaxPasses}.");
        }

        Span<byte> salt = stackalloc byte[SaltSize];
        Span<byte> nonce = stackalloc byte[NonceSize];
        RandomNumberGenerator.Fill(salt);
        RandomNumberGenerator.Fill(nonce);
        string saltB64 = Convert.ToBase64String(salt);
        string nonceB64 = Convert.ToBase64String(nonce);
        byte[] aad = Aad(cost, saltB64, nonceB64);

        byte[] ciphertext;
        using (PooledBufferWriter plaintext = new(1024, clearOnReturn: true))
        {
            EncodePlaintext(key, plaintext);
            using Key aeadKey = DeriveKey(password, salt, cost);
            ciphertext = AeadAlgorithm.XChaCha20Poly1305.Encrypt(aeadKey, nonce, aad, plaintext.WrittenSpan);
        }

        using Utf8JsonWriter writer = new(output, s_writerOptions);
        writer.WriteStartObject();
        writer.WriteNumber("bteKeyfile"u8, 1);
        writer.WriteString("kdf"u8, "argon2id"u8);
        writer.WriteNumber("memKiB"u8, cost.MemoryKiB);
        writer.WriteNumber("passes"u8, cost.Passes);
        writer.WriteString("salt"u8, saltB64);
        writer.WriteString("aead"u8, "xchacha20poly1305"u8);
        writer.WriteString("nonce"u8, nonceB64);
        writer.WriteBase64String("ciphertext"u8, ciphertext);
        writer.WriteEndObject();
    }

    /// <summary>Decodes a plaintext or encrypted key file's bytes.</summary>
    /// <param name="contents">The file's bytes.</param>
    /// <param name="password">The password of an encrypted file; ignored for a plaintext one.</param>
    /// <param name="path">For messages only.</param>
    /// <exception cref="WalletException">As for <see cref="ReadSecret"/>.</exception>
    public static WalletKey Decode(ReadOnlySpan<byte> contents, string? password, string path = "the key file")
    {
        if (!IsEncrypted(contents))
        {
            return DecodePlaintext(contents, path);
        }

        if (password is null)
        {
            throw new WalletException(WalletErrorCode.PasswordRequired, $"{path} is encrypted; give its password.");
        }

        return Decrypt(contents, password, path);
    }

    private static bool IsEncrypted(ReadOnlySpan<byte> contents)
    {
        Utf8JsonReader reader = new(contents);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Corrupt("the key file", "it is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("bteKeyfile"u8))
                {
                    return true;
                }

                reader.Read();
                reader.TrySkip();
            }

            return false;
        }
        catch (JsonException e)
        {
            throw new WalletException(WalletErrorCode.KeyFileCorrupt, "The key file is not valid JSON.", e);
        }
    }

    private static WalletKey Decrypt(ReadOnlySpan<byte> contents, string password, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(contents.ToArray());
        }
        catch (JsonException e)
        {
            throw new WalletException(WalletErrorCode.KeyFileCorrupt, $"{path} is not valid JSON.", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (GetInt(root, "bteKeyfile", path) != 1)
            {
                throw Corrupt(path, "its bteKeyfile version is not 1; a newer bte may have written it");
            }

            if (GetString(root, "kdf", path) != "argon2id" || GetString(root, "aead", path) != "xchacha20poly1305")
            {
                throw Corrupt(path, "it names a kdf or aead other than argon2id and xchacha20poly1305");
            }

            KdfCost cost = new(GetInt(root, "memKiB", path), GetInt(root, "passes", path));
            if (!cost.IsValid)
            {
                throw Corrupt(path, $"its Argon2id cost ({cost.MemoryKiB} KiB, {cost.Passes} passes) is outside {KdfCost.MinMemoryKiB}..{KdfCost.MaxMemoryKiB} KiB and 1..{KdfCost.MaxPasses} passes");
            }

            string saltB64 = GetString(root, "salt", path);
            string nonceB64 = GetString(root, "nonce", path);
            byte[] salt = FromBase64(saltB64, "salt", path);
            byte[] nonce = FromBase64(nonceB64, "nonce", path);
            byte[] ciphertext = FromBase64(GetString(root, "ciphertext", path), "ciphertext", path);
            if (salt.Length != SaltSize || nonce.Length != NonceSize || ciphertext.Length < AeadAlgorithm.XChaCha20Poly1305.TagSize)
            {
                throw Corrupt(path, $"its salt must be {SaltSize} bytes, its nonce {NonceSize} and its ciphertext at least {AeadAlgorithm.XChaCha20Poly1305.TagSize}");
            }

            if (ciphertext.Length > SecureFile.MaxFileBytes)
            {
                throw Corrupt(path, "its ciphertext is too long");
            }

            byte[] plaintext = ArrayPool<byte>.Shared.Rent(ciphertext.Length);
            try
            {
                int plaintextLength = ciphertext.Length - AeadAlgorithm.XChaCha20Poly1305.TagSize;
                bool opened;
                using (Key key = DeriveKey(password, salt, cost))
                {
                    opened = AeadAlgorithm.XChaCha20Poly1305.Decrypt(key, nonce, Aad(cost, saltB64, nonceB64), ciphertext, plaintext.AsSpan(0, plaintextLength));
                }

                if (!opened)
                {
                    throw new WalletException(WalletErrorCode.WalletDecryptFailed, "WalletDecryptFailed: could not decrypt the key file.");
                }

                return DecodePlaintext(plaintext.AsSpan(0, plaintextLength), path);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(plaintext, clearArray: true);
            }
        }
    }

    private static WalletKey DecodePlaintext(ReadOnlySpan<byte> contents, string path)
    {
        Span<byte> seed = stackalloc byte[Constants.SeedSize];
        bool haveSeed = false;
        string? cryptoType = null;
        string? publicKeyText = null;
        string? address = null;
        string? phrase = null;
        try
        {
            Utf8JsonReader reader = new(contents);
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Corrupt(path, "it is not a JSON object");
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("secretSeed"u8))
                    {
                        reader.Read();
                        haveSeed = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && TryParseHex(reader.ValueSpan, seed);
                        if (!haveSeed)
                        {
                            throw Corrupt(path, "its secretSeed is not 0x and 64 hex digits");
                        }
                    }
                    else if (reader.ValueTextEquals("cryptoType"u8))
                    {
                        cryptoType = ReadString(ref reader, "cryptoType", path);
                    }
                    else if (reader.ValueTextEquals("publicKey"u8))
                    {
                        publicKeyText = ReadString(ref reader, "publicKey", path);
                    }
                    else if (reader.ValueTextEquals("ss58Address"u8))
                    {
                        address = ReadString(ref reader, "ss58Address", path);
                    }
                    else if (reader.ValueTextEquals("secretPhrase"u8))
                    {
                        phrase = ReadString(ref reader, "secretPhrase", path);
                    }
                    else
                    {
                        reader.Read();
                        reader.TrySkip();
                    }
                }
            }
            catch (JsonException e)
            {
                throw new WalletException(WalletErrorCode.KeyFileCorrupt, $"{path} is not valid JSON.", e);
            }

            if (cryptoType != CryptoType)
            {
                throw Corrupt(path, "its cryptoType is not \"ed25519\"");
            }

            if (!haveSeed)
            {
                throw Corrupt(path, "it has no secretSeed");
            }

            Ed25519KeyPair keyPair = Ed25519KeyPair.FromSeed(seed);
            try
            {
                CheckPublicFields(keyPair.PublicKey, publicKeyText, address, path);
                if (phrase is not null)
                {
                    using Ed25519KeyPair fromPhrase = Mnemonic.ToKeyPair(phrase);
                    if (fromPhrase.PublicKey != keyPair.PublicKey)
                    {
                        throw Corrupt(path, "its secretPhrase does not give its secretSeed");
                    }
                }

                return new WalletKey(keyPair, phrase);
            }
            catch
            {
                keyPair.Dispose();
                throw;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private static PublicKey DecodePublic(ReadOnlySpan<byte> contents, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(contents.ToArray());
        }
        catch (JsonException e)
        {
            throw new WalletException(WalletErrorCode.KeyFileCorrupt, $"{path} is not valid JSON.", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (GetString(root, "cryptoType", path) != CryptoType)
            {
                throw Corrupt(path, "its cryptoType is not \"ed25519\"");
            }

            string publicKeyText = GetString(root, "publicKey", path);
            if (!PublicKey.TryParse(publicKeyText, out PublicKey publicKey))
            {
                throw Corrupt(path, "its publicKey is not 0x and 64 hex digits");
            }

            CheckPublicFields(publicKey, publicKeyText, GetString(root, "ss58Address", path), path);
            return publicKey;
        }
    }

    private static void CheckPublicFields(in PublicKey actual, string? publicKeyText, string? address, string path)
    {
        if (publicKeyText is null || !PublicKey.TryParse(publicKeyText, out PublicKey stated) || stated != actual)
        {
            throw Corrupt(path, "its publicKey is missing or does not belong to its secret");
        }

        if (address is null || !Ss58.TryDecode(address, out PublicKey fromAddress) || fromAddress != actual)
        {
            throw Corrupt(path, "its ss58Address is missing or does not match its publicKey");
        }
    }

    private static void WritePublicFields(Utf8JsonWriter writer, in PublicKey publicKey)
    {
        writer.WriteString("cryptoType"u8, CryptoType);
        writer.WriteString("publicKey"u8, publicKey.ToString());
        writer.WriteString("ss58Address"u8, Ss58.Encode(publicKey));
    }

    private static Key DeriveKey(string password, ReadOnlySpan<byte> salt, KdfCost cost)
    {
        Argon2Parameters parameters = new()
        {
            DegreeOfParallelism = 1,
            MemorySize = cost.MemoryKiB,
            NumberOfPasses = cost.Passes,
        };
        int length = Encoding.UTF8.GetByteCount(password);
        byte[] passwordBytes = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            int written = Encoding.UTF8.GetBytes(password, passwordBytes);
            return PasswordBasedKeyDerivationAlgorithm.Argon2id(parameters)
                .DeriveKey(passwordBytes.AsSpan(0, written), salt, AeadAlgorithm.XChaCha20Poly1305);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(passwordBytes, clearArray: true);
        }
    }

    private static byte[] Aad(KdfCost cost, string saltB64, string nonceB64) =>
        Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"{AadTag}|argon2id|{cost.MemoryKiB}|{cost.Passes}|{saltB64}|{nonceB64}"));

    private static bool TryParseHex(ReadOnlySpan<byte> utf8, Span<byte> destination)
    {
        if (utf8.Length != 2 + (destination.Length * 2) || utf8[0] != (byte)'0' || utf8[1] != (byte)'x')
        {
            return false;
        }

        for (int i = 0; i < destination.Length; i++)
        {
            int hi = HexValue(utf8[2 + (2 * i)]);
            int lo = HexValue(utf8[3 + (2 * i)]);
            if ((hi | lo) < 0)
            {
                return false;
            }

            destination[i] = (byte)((hi << 4) | lo);
        }

        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static string ReadString(ref Utf8JsonReader reader, string name, string path)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Corrupt(path, $"its {name} is not a string");
        }

        return reader.GetString()!;
    }

    private static string GetString(JsonElement root, string name, string path)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.String)
        {
            throw Corrupt(path, $"it has no string field \"{name}\"");
        }

        return value.GetString()!;
    }

    private static int GetInt(JsonElement root, string name, string path)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out JsonElement value) || !value.TryGetInt32(out int number))
        {
            throw Corrupt(path, $"it has no integer field \"{name}\"");
        }

        return number;
    }

    private static byte[] FromBase64(string text, string name, string path)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            throw new WalletException(WalletErrorCode.KeyFileCorrupt, $"{path} is corrupt: its {name} is not base64.", e);
        }
    }

    private static WalletException Corrupt(string path, string why) =>
        new(WalletErrorCode.KeyFileCorrupt, $"{path} is corrupt: {why}.");
}
