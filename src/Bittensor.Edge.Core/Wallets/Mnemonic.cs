// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using System.Text;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Core.Wallets;

/// <summary>
/// BIP-39 English mnemonics and the substrate-bip39 seed (protocol.md §5): the seed is the first 32 bytes
/// of PBKDF2-HMAC-SHA512(password = the mnemonic's entropy, salt = "mnemonic" ‖ passphrase, 2048 rounds).
/// </summary>
/// <remarks>
/// This is the construction Substrate uses for ed25519 phrases; it is neither the BIP-39 seed (which hashes
/// the phrase text) nor BIP-32/SLIP-10. The passphrase is used as UTF-8 without normalization, as
/// substrate-bip39 does. Phrases of 12, 15, 18, 21 and 24 words are accepted; new ones have 12 or 24.
/// All members are thread-safe.
/// </remarks>
public static class Mnemonic
{
    private const int BitsPerWord = 11;
    private const int Rounds = 2048;

    private static readonly Lazy<string[]> s_words = new(LoadWords);

    /// <summary>The 2048 words of the BIP-39 English list, in order.</summary>
    public static IReadOnlyList<string> Words => s_words.Value;

    /// <summary>A new phrase of <paramref name="wordCount"/> words (12 or 24) from the operating system's random generator.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="wordCount"/> is not 12 or 24.</exception>
    public static string Generate(int wordCount = 12)
    {
        if (wordCount is not (12 or 24))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(wordCount), wordCount, "A new mnemonic has 12 or 24 words.");
        }

        Span<byte> entropy = stackalloc byte[wordCount == 12 ? 16 : 32];
        try
        {
            RandomNumberGenerator.Fill(entropy);
            return FromEntropy(entropy);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(entropy);
        }
    }

    /// <summary>The phrase of 16, 20, 24, 28 or 32 bytes of entropy.</summary>
    /// <exception cref="ArgumentException"><paramref name="entropy"/> has another length.</exception>
    public static string FromEntropy(ReadOnlySpan<byte> entropy)
    {
        if (entropy.Length is not (16 or 20 or 24 or 28 or 32))
        {
            ThrowHelper.ThrowArgument(nameof(entropy), $"BIP-39 entropy is 16, 20, 24, 28 or 32 bytes; got {entropy.Length}.");
        }

        int wordCount = entropy.Length * 8 * 33 / 32 / BitsPerWord;
        Span<byte> bits = stackalloc byte[33];
        entropy.CopyTo(bits);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(entropy, hash);
        bits[entropy.Length] = hash[0];

        string[] words = s_words.Value;
        StringBuilder phrase = new(wordCount * 9);
        for (int i = 0; i < wordCount; i++)
        {
            if (i > 0)
            {
                phrase.Append(' ');
            }

            phrase.Append(words[ReadBits(bits, i * BitsPerWord)]);
        }

        CryptographicOperations.ZeroMemory(bits);
        return phrase.ToString();
    }

    /// <summary>Whether <paramref name="phrase"/> is a valid phrase: known words, a valid word count and checksum.</summary>
    public static bool IsValid(ReadOnlySpan<char> phrase)
    {
        Span<byte> entropy = stackalloc byte[32];
        bool ok = TryGetEntropy(phrase, entropy, out _);
        CryptographicOperations.ZeroMemory(entropy);
        return ok;
    }

    /// <summary>
    /// Recovers the entropy of <paramref name="phrase"/> after checking its words, word count and checksum.
    /// Words are separated by any whitespace and compared without regard to ASCII case.
    /// </summary>
    /// <param name="phrase">The mnemonic.</param>
    /// <param name="destination">At least 32 bytes; the caller clears it after use.</param>
    /// <param name="bytesWritten">16 to 32.</param>
    public static bool TryGetEntropy(ReadOnlySpan<char> phrase, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        Span<ushort> indexes = stackalloc ushort[24];
        int count = 0;
        foreach (Range range in phrase.SplitAny(" \t\r\n"))
        {
            ReadOnlySpan<char> word = phrase[range];
            if (word.IsEmpty)
            {
                continue;
            }

            if (count == indexes.Length)
            {
                return false;
            }

            int index = IndexOf(word);
            if (index < 0)
            {
                return false;
            }

            indexes[count++] = (ushort)index;
        }

        if (count is not (12 or 15 or 18 or 21 or 24))
        {
            return false;
        }

        int entropyBytes = count * BitsPerWord * 32 / 33 / 8;
        if (destination.Length < entropyBytes)
        {
            return false;
        }

        Span<byte> bits = stackalloc byte[33];
        bits.Clear();
        for (int i = 0; i < count; i++)
        {
            WriteBits(bits, i * BitsPerWord, indexes[i]);
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bits[..entropyBytes], hash);
        int checksumBits = entropyBytes / 4;
        int mask = 0xFF << (8 - checksumBits) & 0xFF;
        bool valid = (bits[entropyBytes] & mask) == (hash[0] & mask);
        if (valid)
        {
            bits[..entropyBytes].CopyTo(destination);
            bytesWritten = entropyBytes;
        }

        CryptographicOperations.ZeroMemory(bits);
        indexes.Clear();
        return valid;
    }

    /// <summary>
    /// PBKDF2-HMAC-SHA512 of <paramref name="entropy"/> with salt <c>"mnemonic" ‖ passphrase</c>, 2048 rounds:
    /// 64 bytes are substrate-bip39's <c>seed_from_entropy</c>, the first 32 its mini secret (the Ed25519 seed).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not 32 or 64 bytes long.</exception>
    public static void SeedFromEntropy(ReadOnlySpan<byte> entropy, ReadOnlySpan<char> passphrase, Span<byte> destination)
    {
        if (destination.Length is not (32 or 64))
        {
            ThrowHelper.ThrowArgument(nameof(destination), $"The seed is 32 or 64 bytes; the destination has {destination.Length}.");
        }

        byte[] salt = new byte[8 + Encoding.UTF8.GetByteCount(passphrase)];
        "mnemonic"u8.CopyTo(salt);
        Encoding.UTF8.GetBytes(passphrase, salt.AsSpan(8));
        try
        {
            Rfc2898DeriveBytes.Pbkdf2(entropy, salt, destination, Rounds, HashAlgorithmName.SHA512);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(salt);
        }
    }

    /// <summary>The Ed25519 key pair of a phrase: its seed is the first 32 bytes of <see cref="SeedFromEntropy"/>.</summary>
    /// <exception cref="WalletException"><see cref="WalletErrorCode.InvalidMnemonic"/>: the phrase is not valid.</exception>
    public static Ed25519KeyPair ToKeyPair(ReadOnlySpan<char> phrase, ReadOnlySpan<char> passphrase = default)
    {
        Span<byte> entropy = stackalloc byte[32];
        Span<byte> seed = stackalloc byte[Constants.SeedSize];
        try
        {
            if (!TryGetEntropy(phrase, entropy, out int length))
            {
                throw new WalletException(
                    WalletErrorCode.InvalidMnemonic,
                    "The mnemonic is not valid: it needs 12, 15, 18, 21 or 24 words from the BIP-39 English list and a matching checksum. Check each word's spelling and order.");
            }

            SeedFromEntropy(entropy[..length], passphrase, seed);
            return Ed25519KeyPair.FromSeed(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(entropy);
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private static int IndexOf(ReadOnlySpan<char> word)
    {
        Span<char> lower = stackalloc char[16];
        if (word.Length > lower.Length)
        {
            return -1;
        }

        for (int i = 0; i < word.Length; i++)
        {
            lower[i] = char.ToLowerInvariant(word[i]);
        }

        ReadOnlySpan<char> key = lower[..word.Length];
        string[] words = s_words.Value;
        int lo = 0;
        int hi = words.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) / 2);
            int c = key.SequenceCompareTo(words[mid]);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                hi = mid - 1;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return -1;
    }

    private static int ReadBits(ReadOnlySpan<byte> bits, int offset)
    {
        int value = 0;
        for (int i = 0; i < BitsPerWord; i++)
        {
            int bit = offset + i;
            value = (value << 1) | ((bits[bit / 8] >> (7 - (bit % 8))) & 1);
        }

        return value;
    }

    private static void WriteBits(Span<byte> bits, int offset, int value)
    {
        for (int i = 0; i < BitsPerWord; i++)
        {
            if (((value >> (BitsPerWord - 1 - i)) & 1) != 0)
            {
                int bit = offset + i;
                bits[bit / 8] |= (byte)(0x80 >> (bit % 8));
            }
        }
    }

    private static string[] LoadWords()
    {
        using Stream stream = typeof(Mnemonic).Assembly.GetManifestResourceStream("Bittensor.Edge.Core.Wallets.Bip39.english.txt")
            ?? throw new InvalidOperationException("The BIP-39 word list is missing from the assembly.");
        using StreamReader reader = new(stream, Encoding.UTF8);
        string[] words = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 2048)
        {
            throw new InvalidOperationException($"The BIP-39 word list has {words.Length} words instead of 2048.");
        }

        return words;
    }
}
