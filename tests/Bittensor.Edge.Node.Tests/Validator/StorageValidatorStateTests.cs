// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Node.Validator;

namespace Bittensor.Edge.Node.Tests.Validator;

/// <summary>The validator's persisted memory: a real LiteDB file closed and reopened.</summary>
public sealed class StorageValidatorStateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bte-vstate-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string StatePath => Path.Combine(_directory, StorageValidatorState.RelativePath);

    [Fact]
    public void Roots_scores_proven_flags_and_the_counter_survive_a_reopen()
    {
        PublicKey miner = new(RandomNumberGenerator.GetBytes(32));
        PublicKey other = new(RandomNumberGenerator.GetBytes(32));
        StoredSector first = new(new Hash256(RandomNumberGenerator.GetBytes(32)), 0, 10, 50_410);
        StoredSector second = new(new Hash256(RandomNumberGenerator.GetBytes(32)), 1, 11, 50_411);
        using (StorageValidatorState state = StorageValidatorState.Open(StatePath))
        {
            Assert.Equal(0UL, state.TakeCounter());
            Assert.Equal(1UL, state.TakeCounter());
            state.SaveSector(miner, first);
            state.SaveSector(miner, second);
            state.SaveSector(other, new StoredSector(new Hash256(RandomNumberGenerator.GetBytes(32)), 2, 12, 50_412));
            MinerStorageState scored = new(miner) { Uid = 7, Ema = 0.0975, NextK = 64 };
            first.Proven = true;
            state.SaveMiner(scored, [first]);
        }

        using StorageValidatorState reopened = StorageValidatorState.Open(StatePath);
        IReadOnlyList<PersistedMiner> miners = reopened.Load();

        Assert.Equal(2UL, reopened.NextCounter);
        PersistedMiner loaded = Assert.Single(miners, m => m.Hotkey.Equals(miner));
        Assert.Equal((ushort)7, loaded.Uid);
        Assert.Equal(0.0975, loaded.Ema);
        Assert.Equal(64, loaded.NextK);
        Assert.Equal([first.Root, second.Root], loaded.Sectors.OrderBy(s => s.Counter).Select(s => s.Root));
        Assert.Equal([true, false], loaded.Sectors.OrderBy(s => s.Counter).Select(s => s.Proven));
        Assert.Equal(50_411UL, loaded.Sectors.Single(s => s.Counter == 1).ExpiresAtBlock);
        Assert.Equal(11UL, loaded.Sectors.Single(s => s.Counter == 1).StoredAtBlock);

        // A miner with sectors but no score row yet (a kill between the two writes) still comes back, at EMA 0.
        PersistedMiner unscored = Assert.Single(miners, m => m.Hotkey.Equals(other));
        Assert.Equal(0, unscored.Ema);
        Assert.Single(unscored.Sectors);
    }

    [Fact]
    public void Expired_sectors_and_departed_miners_are_forgotten_on_disk()
    {
        PublicKey miner = new(RandomNumberGenerator.GetBytes(32));
        PublicKey gone = new(RandomNumberGenerator.GetBytes(32));
        using (StorageValidatorState state = StorageValidatorState.Open(StatePath))
        {
            state.SaveSector(miner, new StoredSector(new Hash256(RandomNumberGenerator.GetBytes(32)), 0, 1, 100));
            state.SaveSector(miner, new StoredSector(new Hash256(RandomNumberGenerator.GetBytes(32)), 1, 1, 300));
            state.SaveSector(gone, new StoredSector(new Hash256(RandomNumberGenerator.GetBytes(32)), 2, 1, 300));
            state.SaveMiner(new MinerStorageState(gone) { Ema = 0.5 }, []);
            state.DeleteExpired(miner, 200);
            state.DeleteMiner(gone);
        }

        using StorageValidatorState reopened = StorageValidatorState.Open(StatePath);
        PersistedMiner only = Assert.Single(reopened.Load());
        Assert.Equal(miner, only.Hotkey);
        Assert.Equal(300UL, Assert.Single(only.Sectors).ExpiresAtBlock);
    }

    [Fact]
    public void The_synthetic_secret_is_stable_for_a_hotkey_and_differs_between_hotkeys()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.FromSeed(new byte[32]);
        using Ed25519KeyPair same = Ed25519KeyPair.FromSeed(new byte[32]);
        using Ed25519KeyPair other = Ed25519KeyPair.Generate();

        byte[] secret = StorageValidator.DeriveSyntheticSecret(key);

        Assert.Equal(32, secret.Length);
        Assert.Equal(secret, StorageValidator.DeriveSyntheticSecret(same));
        Assert.NotEqual(secret, StorageValidator.DeriveSyntheticSecret(other));
    }
}
