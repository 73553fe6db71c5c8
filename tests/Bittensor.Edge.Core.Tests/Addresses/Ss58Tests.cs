// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using FsCheck.Xunit;

namespace Bittensor.Edge.Core.Tests.Addresses;

public class Ss58Tests
{
    // Substrate's well-known development account Alice (sr25519 //Alice), as printed by `subkey`;
    // the address depends only on the 32 public-key bytes and the prefix.
    private const string AlicePublicKey = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
    private const string AliceAddress = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

    [Fact]
    public void Alice_public_key_encodes_to_her_well_known_address()
    {
        PublicKey alice = PublicKey.Parse(AlicePublicKey);

        Assert.Equal(AliceAddress, Ss58.Encode(alice));
        Assert.Equal(AliceAddress, alice.ToSs58());
    }

    [Fact]
    public void Alice_address_decodes_to_her_public_key()
    {
        Assert.True(Ss58.TryDecode(AliceAddress, out PublicKey key));
        Assert.Equal(PublicKey.Parse(AlicePublicKey), key);
        Assert.Equal(key, Ss58.Decode(AliceAddress));
    }

    [Property]
    public bool Any_public_key_round_trips(byte[] seedMaterial)
    {
        PublicKey key = new(Sha256.Hash(seedMaterial).Bytes);
        string address = Ss58.Encode(key);

        return Ss58.TryDecode(address, out PublicKey decoded) && decoded == key && address[0] == '5';
    }

    [Fact]
    public void A_changed_character_fails_the_checksum()
    {
        char[] chars = AliceAddress.ToCharArray();
        chars[10] = chars[10] == 'a' ? 'b' : 'a';

        Assert.False(Ss58.TryDecode(new string(chars), out PublicKey key));
        Assert.Equal(default, key);
    }

    [Fact]
    public void A_wrong_checksum_is_rejected()
    {
        byte[] raw = new byte[35];
        Assert.True(Base58.TryDecode(AliceAddress, raw, out int written));
        Assert.Equal(35, written);
        raw[34] ^= 0x01;

        Assert.False(Ss58.TryDecode(Base58.Encode(raw), out _));
    }

    [Fact]
    public void Another_prefix_is_rejected_even_with_its_own_valid_checksum()
    {
        byte[] raw = new byte[35];
        raw[0] = 0; // Polkadot
        Convert.FromHexString(AlicePublicKey).CopyTo(raw, 1);
        byte[] hash = Blake2b.Hash512([.. "SS58PRE"u8, .. raw.AsSpan(0, 33)]);
        raw[33] = hash[0];
        raw[34] = hash[1];

        Assert.False(Ss58.TryDecode(Base58.Encode(raw), out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ")]
    [InlineData("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQYY")]
    [InlineData("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut0Y")]
    [InlineData("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutIY")]
    [InlineData("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutlY")]
    [InlineData("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut QY")]
    [InlineData("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutéY")]
    public void Wrong_lengths_and_characters_outside_the_alphabet_are_rejected(string address)
    {
        Assert.False(Ss58.TryDecode(address, out _));
        Assert.Throws<FormatException>(() => Ss58.Decode(address));
    }

    [Fact]
    public void A_null_address_is_rejected()
    {
        Assert.False(Ss58.TryDecode((string?)null, out _));
    }
}
