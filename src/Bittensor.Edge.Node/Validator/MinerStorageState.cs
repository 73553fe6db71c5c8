// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Storage;

namespace Bittensor.Edge.Node.Validator;

/// <summary>One sector this validator stored on a miner (specs/storage-proofs.md §3.1, about 80 B each).</summary>
/// <param name="Root">The root the validator computed itself from the data it sent.</param>
/// <param name="Counter">The synthetic sector's counter, to regenerate the data.</param>
/// <param name="StoredAtBlock">The validator's best block when the signed 200 arrived.</param>
/// <param name="ExpiresAtBlock">The expiry sent with the sector.</param>
public sealed record StoredSector(Hash256 Root, ulong Counter, ulong StoredAtBlock, ulong ExpiresAtBlock)
{
    /// <summary>Whether the sector passed at least one challenge or retrieval audit.</summary>
    public bool Proven { get; set; }
}

/// <summary>What the validator knows about one miner's storage: its sectors, success EMA and next challenge size.</summary>
/// <remarks>Owned by one <see cref="StorageValidator"/>, which serialises access per miner; not thread-safe itself.</remarks>
public sealed class MinerStorageState
{
    private readonly List<StoredSector> _sectors = [];

    /// <summary>State for the miner with <paramref name="hotkey"/>.</summary>
    public MinerStorageState(PublicKey hotkey)
    {
        Hotkey = hotkey;
    }

    /// <summary>The miner's hotkey; the state follows the hotkey, not the uid.</summary>
    public PublicKey Hotkey { get; }

    /// <summary>The miner's uid in the last metagraph seen.</summary>
    public ushort Uid { get; set; }

    /// <summary>The success EMA <c>s</c>, starting at 0.</summary>
    public double Ema { get; set; }

    /// <summary>The next challenge's k: 32, or 64 after a forged proof.</summary>
    public int NextK { get; set; } = StorageScoring.DefaultK;

    /// <summary>The last outcome scored, if any.</summary>
    public ChallengeOutcome? LastOutcome { get; set; }

    /// <summary>Every sector recorded, expired ones included until <see cref="DropExpired"/>.</summary>
    public IReadOnlyList<StoredSector> Sectors => _sectors;

    /// <summary>Records a stored sector.</summary>
    public void Add(StoredSector sector) => _sectors.Add(sector);

    /// <summary>Forgets sectors whose expiry is below <paramref name="currentBlock"/>.</summary>
    public void DropExpired(ulong currentBlock) => _sectors.RemoveAll(s => s.ExpiresAtBlock < currentBlock);

    /// <summary>The live sectors in challenge order, <c>(storedAtBlock, root)</c> (§4).</summary>
    public StoredSector[] LiveSectors(ulong currentBlock)
    {
        StoredSector[] live = [.. _sectors.Where(s => s.ExpiresAtBlock >= currentBlock)];
        Array.Sort(live, static (a, b) => a.StoredAtBlock != b.StoredAtBlock ? a.StoredAtBlock.CompareTo(b.StoredAtBlock) : a.Root.CompareTo(b.Root));
        return live;
    }

    /// <summary><c>provenBytes</c>: unexpired sectors that passed at least one challenge or retrieval.</summary>
    public long ProvenBytes(ulong currentBlock)
    {
        long count = 0;
        foreach (StoredSector sector in _sectors)
        {
            if (sector.Proven && sector.ExpiresAtBlock >= currentBlock)
            {
                count++;
            }
        }

        return count * StorageConstants.SectorSize;
    }
}
