// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Protocol.Verification;

namespace Bittensor.Edge.Protocol.Tests.Verification;

public class BlacklistTests
{
    private static readonly PublicKey s_validator = new(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly PublicKey s_miner = new(Enumerable.Repeat((byte)2, 32).ToArray());
    private static readonly PublicKey s_stranger = new(Enumerable.Repeat((byte)3, 32).ToArray());

    private readonly MemoryMetagraphView _metagraph = new();

    public BlacklistTests()
    {
        _metagraph.Set(s_validator, validatorPermit: true, stakeRao: 1_000);
        _metagraph.Set(s_miner, validatorPermit: false, stakeRao: 5_000);
    }

    [Fact]
    public void An_unregistered_hotkey_is_refused_even_for_Health()
    {
        Blacklist blacklist = new(_metagraph);

        Assert.Equal(BlacklistVerdict.Unregistered, blacklist.Check(s_stranger, SynapseNames.Health, out NeuronView? neuron));
        Assert.Null(neuron);
    }

    [Fact]
    public void Any_registered_hotkey_may_call_Health()
    {
        Blacklist blacklist = new(_metagraph);

        Assert.Equal(BlacklistVerdict.Allowed, blacklist.Check(s_miner, SynapseNames.Health, out NeuronView? neuron));
        Assert.Equal(5_000UL, neuron!.StakeRao);
    }

    [Theory]
    [InlineData(SynapseNames.StoreChunk)]
    [InlineData(SynapseNames.RetrieveChunk)]
    [InlineData(SynapseNames.StorageChallenge)]
    [InlineData(SynapseNames.Inference)]
    public void Data_synapses_need_a_validator_permit(string synapse)
    {
        Blacklist blacklist = new(_metagraph);

        Assert.Equal(BlacklistVerdict.NoValidatorPermit, blacklist.Check(s_miner, synapse, out _));
        Assert.Equal(BlacklistVerdict.Allowed, blacklist.Check(s_validator, synapse, out _));
    }

    [Fact]
    public void Data_synapses_need_the_minimum_stake()
    {
        Blacklist blacklist = new(_metagraph, minStakeRao: 1_001);

        Assert.Equal(BlacklistVerdict.InsufficientStake, blacklist.Check(s_validator, SynapseNames.StoreChunk, out _));
        Assert.Equal(BlacklistVerdict.Allowed, blacklist.Check(s_validator, SynapseNames.Health, out _));
    }

    [Fact]
    public void A_removed_hotkey_is_unregistered_again()
    {
        Blacklist blacklist = new(_metagraph);
        Assert.True(_metagraph.Remove(s_validator));

        Assert.Equal(BlacklistVerdict.Unregistered, blacklist.Check(s_validator, SynapseNames.Health, out _));
    }
}
