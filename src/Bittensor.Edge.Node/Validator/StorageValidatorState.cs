// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using LiteDB;

namespace Bittensor.Edge.Node.Validator;

/// <summary>A miner's persisted scoring state.</summary>
/// <param name="Hotkey">The miner's hotkey.</param>
/// <param name="Uid">Its uid when last seen.</param>
/// <param name="Ema">The success EMA.</param>
/// <param name="NextK">The next challenge's k.</param>
/// <param name="Sectors">The sectors this validator stored on it.</param>
public sealed record PersistedMiner(PublicKey Hotkey, ushort Uid, double Ema, int NextK, IReadOnlyList<StoredSector> Sectors);

/// <summary>
/// What a <see cref="StorageValidator"/> must not forget across a node restart (specs/storage-proofs.md §3.1, §6): the
/// roots it computed at store time with each sector's counter, blocks and proven flag, every miner's EMA and next k,
/// and the next synthetic counter. A LiteDB file under the node's data directory (<c>validator/storage.db</c>).
/// </summary>
/// <remarks>
/// <para><b>Layout</b> (one wrapper around LiteDB, <see cref="BsonDocument"/> only, so no reflection mapper; see
/// Storage's <c>SectorIndex</c> for why that is AOT-safe):</para>
/// <list type="table">
/// <item><term><c>sectors</c></term><description><c>{_id: miner hotkey (32) ‖ root (32), miner: binary 32, root: binary 32, counter: int64, storedAt: int64, expiresAt: int64, proven: bool}</c>, indexed on <c>miner</c></description></item>
/// <item><term><c>miners</c></term><description><c>{_id: hotkey (binary 32), uid: int32, ema: double, nextK: int32}</c></description></item>
/// <item><term><c>meta</c></term><description><c>{_id: "nextCounter", value: int64}</c>: the next synthetic counter, so a restart never regenerates a sector already stored</description></item>
/// </list>
/// <para>About 150 B per sector: 16 GiB on each of 256 miners is a million sectors, about 150 MiB of file. Each write is
/// its own LiteDB transaction, written before the in-memory state the validator scores from is used again, so a kill
/// loses at most the round in flight. The synthetic secret is not stored here: the node derives it from its hotkey
/// (<see cref="StorageValidator.DeriveSyntheticSecret"/>), so this file holds nothing secret.</para>
/// <para>Thread-safe (LiteDB serialises writers). Dispose closes the file.</para>
/// </remarks>
public sealed class StorageValidatorState : IDisposable
{
    /// <summary>The file's name under the node's data directory.</summary>
    public const string RelativePath = "validator/storage.db";

    private const string SectorsName = "sectors";
    private const string MinersName = "miners";
    private const string MetaName = "meta";
    private const string NextCounterId = "nextCounter";

    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _sectors;
    private readonly ILiteCollection<BsonDocument> _miners;
    private readonly ILiteCollection<BsonDocument> _meta;

    private StorageValidatorState(LiteDatabase db)
    {
        _db = db;
        _sectors = db.GetCollection(SectorsName, BsonAutoId.ObjectId);
        _miners = db.GetCollection(MinersName, BsonAutoId.ObjectId);
        _meta = db.GetCollection(MetaName, BsonAutoId.ObjectId);
        _sectors.EnsureIndex("miner", BsonExpression.Create("$.miner"), unique: false);
    }

    /// <summary>Opens or creates the state file at <paramref name="path"/> (its folder is created).</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static StorageValidatorState Open(string path)
    {
        LiteDatabase db = OpenDatabase(path);
        try
        {
            return new StorageValidatorState(db);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens or creates a validator state file (LiteDB, direct connection, no format upgrade) after creating its folder:
    /// shared by the storage and inference validators' state.
    /// </summary>
    internal static LiteDatabase OpenDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        return new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct, Upgrade = false });
    }

    /// <summary>A state kept in memory only (LiteDB over a <see cref="MemoryStream"/>): for a validator without a data directory.</summary>
    public static StorageValidatorState InMemory() => new(new LiteDatabase(new MemoryStream()));

    /// <summary>The next synthetic counter to use (0 for a new file).</summary>
    public ulong NextCounter => _meta.FindById(NextCounterId) is BsonDocument doc ? (ulong)doc["value"].AsInt64 : 0;

    /// <summary>Takes the next synthetic counter and records that it is used (one transaction).</summary>
    public ulong TakeCounter()
    {
        lock (_meta)
        {
            ulong counter = NextCounter;
            _meta.Upsert(new BsonDocument { ["_id"] = NextCounterId, ["value"] = checked((long)(counter + 1)) });
            return counter;
        }
    }

    /// <summary>Every miner with its sectors, as last saved.</summary>
    public IReadOnlyList<PersistedMiner> Load()
    {
        Dictionary<PublicKey, List<StoredSector>> sectors = [];
        foreach (BsonDocument doc in _sectors.FindAll())
        {
            PublicKey miner = new(doc["miner"].AsBinary);
            StoredSector sector = new(new Hash256(doc["root"].AsBinary), (ulong)doc["counter"].AsInt64, (ulong)doc["storedAt"].AsInt64, (ulong)doc["expiresAt"].AsInt64)
            {
                Proven = doc["proven"].AsBoolean,
            };
            if (!sectors.TryGetValue(miner, out List<StoredSector>? list))
            {
                sectors[miner] = list = [];
            }

            list.Add(sector);
        }

        List<PersistedMiner> miners = [];
        foreach (BsonDocument doc in _miners.FindAll())
        {
            PublicKey hotkey = new(doc["_id"].AsBinary);
            miners.Add(new PersistedMiner(hotkey, (ushort)doc["uid"].AsInt32, doc["ema"].AsDouble, doc["nextK"].AsInt32, sectors.GetValueOrDefault(hotkey) ?? []));
            sectors.Remove(hotkey);
        }

        // Sectors of a miner whose score row was never written (a kill between the two) still count.
        foreach ((PublicKey hotkey, List<StoredSector> list) in sectors)
        {
            miners.Add(new PersistedMiner(hotkey, 0, 0, StorageScoring.DefaultK, list));
        }

        return miners;
    }

    /// <summary>Records a sector stored on <paramref name="miner"/> (one transaction).</summary>
    public void SaveSector(in PublicKey miner, StoredSector sector)
    {
        ArgumentNullException.ThrowIfNull(sector);
        _sectors.Upsert(SectorDocument(miner, sector));
    }

    /// <summary>Records a miner's uid, EMA and next k, and the proven flag of <paramref name="proven"/> (one transaction).</summary>
    public void SaveMiner(MinerStorageState miner, IEnumerable<StoredSector> proven)
    {
        ArgumentNullException.ThrowIfNull(miner);
        ArgumentNullException.ThrowIfNull(proven);
        _db.BeginTrans();
        try
        {
            _miners.Upsert(new BsonDocument
            {
                ["_id"] = new BsonValue(miner.Hotkey.ToArray()),
                ["uid"] = (int)miner.Uid,
                ["ema"] = miner.Ema,
                ["nextK"] = miner.NextK,
            });
            foreach (StoredSector sector in proven)
            {
                _sectors.Upsert(SectorDocument(miner.Hotkey, sector));
            }

            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }
    }

    /// <summary>Forgets sectors of <paramref name="miner"/> that expired before <paramref name="block"/>.</summary>
    public void DeleteExpired(in PublicKey miner, ulong block) =>
        _sectors.DeleteMany(Query.And(Query.EQ("miner", new BsonValue(miner.ToArray())), Query.LT("expiresAt", ToInt64(block))));

    /// <summary>Forgets a miner that left the metagraph, with its sectors (one transaction).</summary>
    public void DeleteMiner(in PublicKey miner)
    {
        BsonValue key = new(miner.ToArray());
        _db.BeginTrans();
        try
        {
            _sectors.DeleteMany(Query.EQ("miner", key));
            _miners.Delete(key);
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _db.Dispose();

    private static BsonDocument SectorDocument(in PublicKey miner, StoredSector sector)
    {
        byte[] id = new byte[64];
        miner.Bytes.CopyTo(id);
        sector.Root.Bytes.CopyTo(id.AsSpan(32));
        return new BsonDocument
        {
            ["_id"] = id,
            ["miner"] = miner.ToArray(),
            ["root"] = sector.Root.ToArray(),
            ["counter"] = checked((long)sector.Counter),
            ["storedAt"] = ToInt64(sector.StoredAtBlock),
            ["expiresAt"] = ToInt64(sector.ExpiresAtBlock),
            ["proven"] = sector.Proven,
        };
    }

    private static long ToInt64(ulong value) => value > long.MaxValue ? long.MaxValue : (long)value;
}
