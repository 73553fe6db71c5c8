// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Core.Tests.Crypto;

public class HashTests
{
    public static TheoryData<string, string> Blake2b256Vectors() => Pairs("blake2b256.txt");

    public static TheoryData<string, string> Blake2b512Vectors() => Pairs("rfc7693-blake2b512.txt");

    public static TheoryData<string, string> Sha256Vectors() => Pairs("sha256-fips180.txt");

    [Theory]
    [MemberData(nameof(Blake2b256Vectors))]
    public void Blake2b256_matches_the_vectors(string message, string digest)
    {
        byte[] data = VectorFile.Hex(message);
        byte[] destination = new byte[32];
        Blake2b.Hash256(data, destination);

        Assert.Equal(digest, Blake2b.Hash256(data).ToString("x", null));
        Assert.Equal(digest, Convert.ToHexStringLower(destination));
    }

    [Theory]
    [MemberData(nameof(Blake2b512Vectors))]
    public void Blake2b512_matches_RFC_7693(string message, string digest)
    {
        byte[] data = VectorFile.Hex(message);
        byte[] destination = new byte[64];
        Blake2b.Hash512(data, destination);

        Assert.Equal(digest, Convert.ToHexStringLower(Blake2b.Hash512(data)));
        Assert.Equal(digest, Convert.ToHexStringLower(destination));
    }

    [Theory]
    [MemberData(nameof(Sha256Vectors))]
    public void Sha256_matches_FIPS_180_2(string message, string digest)
    {
        byte[] data = Encoding.ASCII.GetBytes(message);
        byte[] destination = new byte[32];
        Sha256.Hash(data, destination);

        Assert.Equal(digest, Sha256.Hash(data).ToString("x", null));
        Assert.Equal(digest, Convert.ToHexStringLower(destination));
    }

    [Fact]
    public void Sha256_of_one_million_a_matches_FIPS_180_2_B3()
    {
        byte[] data = new byte[1_000_000];
        data.AsSpan().Fill((byte)'a');

        Assert.Equal(
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
            Sha256.Hash(data).ToString("x", null));
    }

    [Fact]
    public void Destinations_of_the_wrong_length_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Blake2b.Hash256([], new byte[31]));
        Assert.Throws<ArgumentException>(() => Blake2b.Hash512([], new byte[32]));
        Assert.Throws<ArgumentException>(() => Sha256.Hash([], new byte[33]));
    }

    [Fact]
    public void Incremental_hash_of_pieces_equals_the_one_shot_hash()
    {
        byte[] data = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();

        IncrementalBlake2b256 hasher = IncrementalBlake2b256.Create();
        hasher.Append(data.AsSpan(0, 1));
        hasher.Append(data.AsSpan(1, 200));
        hasher.Append(data.AsSpan(201));
        Hash256 incremental = hasher.Finish();

        Assert.Equal(Blake2b.Hash256(data), incremental);
    }

    [Fact]
    public void Incremental_hash_cannot_be_reused_after_finishing()
    {
        IncrementalBlake2b256 hasher = IncrementalBlake2b256.Create();
        hasher.Finish();

        bool threw = false;
        try
        {
            hasher.Append([1]);
        }
        catch (InvalidOperationException)
        {
            threw = true;
        }

        Assert.True(threw);
    }

    private static TheoryData<string, string> Pairs(string file)
    {
        TheoryData<string, string> data = [];
        foreach (string[] fields in VectorFile.Read(file))
        {
            data.Add(fields[0], fields[1]);
        }

        return data;
    }
}
