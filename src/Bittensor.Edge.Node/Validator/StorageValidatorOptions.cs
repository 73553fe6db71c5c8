// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Node.Validator;

/// <summary>Settings of the storage validator (storage-proofs.md §3–6; keys under <c>validator.storage</c>).</summary>
public sealed class StorageValidatorOptions
{
    /// <summary>The subnet to validate.</summary>
    public ushort Netuid { get; set; } = 1;

    /// <summary>Time between challenge rounds: 10 blocks of 12 s (≈ 2 min) by default.</summary>
    public TimeSpan RoundInterval { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Most sectors stored per miner per round (the spec's 64).</summary>
    public int MaxStoresPerRound { get; set; } = 64;

    /// <summary>Cap of data kept per miner, <c>maxPerMinerGiB</c> (16 GiB by default).</summary>
    public long MaxBytesPerMiner { get; set; } = 16L * 1024 * 1024 * 1024;

    /// <summary>Blocks a sector lives: 50 400 (7 days).</summary>
    public ulong SectorLifetimeBlocks { get; set; } = 50_400;

    /// <summary>Every this many rounds a retrieval audit runs too (10).</summary>
    public int RetrievalEveryRounds { get; set; } = 10;

    /// <summary>Every this many rounds weights are set (1 = every round; the chain's rate limit still applies).</summary>
    public int WeightsEveryRounds { get; set; } = 10;

    /// <summary>
    /// The fraction of <see cref="RoundInterval"/> over which a round's stores to one miner are spread (0.5: the first
    /// half, leaving the rest for the challenge). 0 sends them back to back.
    /// </summary>
    public double StoreSpread { get; set; } = 0.5;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (RoundInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("roundInterval must be positive.", nameof(RoundInterval));
        }

        if (MaxStoresPerRound is < 0 or > 64)
        {
            throw new ArgumentException("maxStoresPerRound must be 0..64.", nameof(MaxStoresPerRound));
        }

        if (StoreSpread is < 0 or > 1 || double.IsNaN(StoreSpread))
        {
            throw new ArgumentException("storeSpread must be between 0 and 1.", nameof(StoreSpread));
        }

        if (MaxBytesPerMiner < 0 || SectorLifetimeBlocks == 0 || RetrievalEveryRounds < 1 || WeightsEveryRounds < 1)
        {
            throw new ArgumentException("maxBytesPerMiner, sectorLifetimeBlocks, retrievalEveryRounds and weightsEveryRounds must be positive.");
        }
    }
}
