// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using LiteDB;

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>
/// The one wrapper around LiteDB in this project: the sector index <c>index.db</c> of a <see cref="FileSectorStore"/>
/// (specs/storage-proofs.md §8).
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> One collection, one document per sector; puts commit their entries in batches (<see cref="InsertMany"/>):</para>
/// <list type="table">
/// <item><term><c>sectors</c></term><description><c>{_id: root (binary 32), storedAt: unix ms (int64), expiresAtBlock: int64, lastScrub: unix ms or null, slot: int32}</c>, indexed on <c>expiresAtBlock</c></description></item>
/// </list>
/// <para>The spec keeps the level-4 nodes in the sector document. They live in <see cref="SectorTreeFile"/> instead, at
/// the record <c>slot</c> names: in LiteDB they made a 1M-sector index 2 GiB and its RSS about 210 MiB, since LiteDB 5's
/// page cache has no size limit. A document now holds about 100 bytes. An entry without a <c>slot</c> (written before
/// the tree file existed, whose <c>level4</c> collection is dropped on open) gets its record rebuilt by reconcile.</para>
/// <para><b>Why this is AOT-safe.</b> LiteDB 5 is not annotated for trimming; its reflection lives in
/// <see cref="BsonMapper"/> (POCO mapping by reflection and <c>Reflection.Emit</c>). This wrapper only uses
/// <see cref="BsonDocument"/> collections, for which LiteDB never consults the mapper's entity maps, and only
/// <see cref="BsonExpression"/> strings over document fields. The assembly-level IL2104/IL3053 warnings LiteDB raises at
/// publish stay listed in the root Directory.Build.props.</para>
/// <para>Thread-safe (LiteDB serializes writers); one instance per file. Dispose closes the file.</para>
/// </remarks>
internal sealed class SectorIndex : IDisposable
{
    private const string SectorsName = "sectors";
    private const string LegacyLevel4Name = "level4";
    private const string StoredAtField = "storedAt";
    private const string ExpiresField = "expiresAtBlock";
    private const string LastScrubField = "lastScrub";
    private const string SlotField = "slot";

    private readonly string _path;
    private LiteDatabase _db;
    private ILiteCollection<BsonDocument> _sectors;

    private SectorIndex(string path, LiteDatabase db)
    {
        _path = path;
        _db = db;
        _sectors = db.GetCollection(SectorsName, BsonAutoId.ObjectId);
        if (db.CollectionExists(LegacyLevel4Name))
        {
            db.DropCollection(LegacyLevel4Name);
        }

        _sectors.EnsureIndex(ExpiresField, BsonExpression.Create("$." + ExpiresField), unique: false);
    }

    /// <summary>Opens or creates the index; LiteDB's own exceptions mean the file is damaged.</summary>
    public static SectorIndex Open(string path)
    {
        LiteDatabase db = OpenDatabase(path);
        try
        {
            return new SectorIndex(path, db);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Closes and reopens the database to drop LiteDB's page cache. LiteDB 5 has no cache limit and never shrinks it: one
    /// read transaction keeps every page it touched, so a full scan of 1M entries (reconcile, <see cref="Count"/>) leaves
    /// about 150 MiB of page buffers behind; the later point lookups need a few MiB. Not thread-safe: call it only while
    /// no other thread uses the index (the store does, at the end of its open).
    /// </summary>
    /// <remarks>
    /// The dropped buffers are garbage only once the old engine is gone, and a device may allocate too little afterwards
    /// for the GC to return them to the OS soon, so this runs one aggressive collection (once per store open).
    /// </remarks>
    public void DropCache()
    {
        DisposeAndForget();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _db = OpenDatabase(_path);
        _sectors = _db.GetCollection(SectorsName, BsonAutoId.ObjectId);
    }

    // Separate and not inlined so no stack slot of the caller keeps the old engine (and its page buffers) reachable.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void DisposeAndForget()
    {
        _db.Dispose();
        _db = null!;
        _sectors = null!;
    }

    /// <summary>The index file beside its LiteDB log (<c>index-log.db</c>).</summary>
    public static string LogPath(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + "-log" + Path.GetExtension(path));

    public long Count() => _sectors.LongCount();

    public bool Contains(in Hash256 root) => _sectors.FindById(Key(root)) is not null;

    public bool TryGet(in Hash256 root, out SectorInfo info)
    {
        BsonDocument? doc = _sectors.FindById(Key(root));
        if (doc is null)
        {
            info = default;
            return false;
        }

        info = ToInfo(doc);
        return true;
    }

    /// <summary>The tree-file slot of a sector; -1 in <paramref name="slot"/> when the entry has none (see the layout).</summary>
    public bool TryGetSlot(in Hash256 root, out int slot)
    {
        BsonDocument? doc = _sectors.FindById(Key(root));
        if (doc is null)
        {
            slot = -1;
            return false;
        }

        slot = SlotOf(doc);
        return true;
    }

    /// <summary>Inserts or replaces a sector's entry (one transaction).</summary>
    public void Upsert(in SectorInfo info, int slot) => _sectors.Upsert(ToDocument(info, slot));

    /// <summary>Inserts a new sector's entry (one transaction); cheaper than <see cref="Upsert"/>, which tries an update first.</summary>
    public void Insert(in SectorInfo info, int slot) => _sectors.Insert(ToDocument(info, slot));

    /// <summary>Points an existing entry at another tree-file slot.</summary>
    public void SetSlot(in Hash256 root, int slot)
    {
        BsonDocument? doc = _sectors.FindById(Key(root));
        if (doc is not null)
        {
            doc[SlotField] = slot;
            _sectors.Update(doc);
        }
    }

    /// <summary>Inserts many new sectors in batches of one transaction each (for rebuilds and benchmarks).</summary>
    public void InsertMany(IEnumerable<(SectorInfo Info, int Slot)> entries, int batchSize = 5000)
    {
        List<BsonDocument> sectors = new(batchSize);
        foreach ((SectorInfo info, int slot) in entries)
        {
            sectors.Add(ToDocument(info, slot));
            if (sectors.Count == batchSize)
            {
                Flush();
            }
        }

        Flush();

        void Flush()
        {
            if (sectors.Count == 0)
            {
                return;
            }

            _sectors.Insert(sectors);
            sectors.Clear();
        }
    }

    public void UpdateExpiry(in Hash256 root, ulong expiresAtBlock)
    {
        BsonDocument? doc = _sectors.FindById(Key(root));
        if (doc is not null)
        {
            doc[ExpiresField] = ToInt64(expiresAtBlock);
            _sectors.Update(doc);
        }
    }

    public void SetLastScrub(in Hash256 root, DateTimeOffset at)
    {
        BsonDocument? doc = _sectors.FindById(Key(root));
        if (doc is not null)
        {
            doc[LastScrubField] = at.ToUnixTimeMilliseconds();
            _sectors.Update(doc);
        }
    }

    /// <summary>Removes a sector's entry (one transaction); <paramref name="slot"/> is the tree-file slot it named, or -1.</summary>
    public bool Delete(in Hash256 root, out int slot)
    {
        BsonValue key = Key(root);
        BsonDocument? doc = _sectors.FindById(key);
        slot = doc is null ? -1 : SlotOf(doc);
        return doc is not null && _sectors.Delete(key);
    }

    public List<SectorInfo> Page(Hash256? after, int limit)
    {
        List<SectorInfo> page = [];
        if (limit == 0)
        {
            return page;
        }

        ILiteQueryable<BsonDocument> query = _sectors.Query();
        if (after is Hash256 a)
        {
            query = query.Where(BsonExpression.Create("_id > @0", Key(a)));
        }

        foreach (BsonDocument doc in query.OrderBy(BsonExpression.Create("_id"), Query.Ascending).Limit(limit).ToEnumerable())
        {
            page.Add(ToInfo(doc));
        }

        return page;
    }

    public List<Hash256> ExpiredBefore(ulong block)
    {
        List<Hash256> roots = [];
        foreach (BsonDocument doc in _sectors.Find(Query.LT(ExpiresField, ToInt64(block))))
        {
            roots.Add(new Hash256(doc["_id"].AsBinary));
        }

        return roots;
    }

    /// <summary>The sector scrubbed longest ago (never-scrubbed ones first, then oldest store).</summary>
    public SectorInfo? LeastRecentlyScrubbed()
    {
        SectorInfo? best = null;
        foreach (BsonDocument doc in _sectors.FindAll())
        {
            SectorInfo info = ToInfo(doc);
            if (best is not SectorInfo b || Older(info, b))
            {
                best = info;
            }
        }

        return best;

        static bool Older(in SectorInfo x, in SectorInfo y) =>
            (x.LastScrub ?? DateTimeOffset.MinValue, x.StoredAt).CompareTo((y.LastScrub ?? DateTimeOffset.MinValue, y.StoredAt)) < 0;
    }

    /// <summary>Every indexed root with its tree-file slot, -1 where it has none (start-up reconcile).</summary>
    public Dictionary<Hash256, int> AllSlots()
    {
        Dictionary<Hash256, int> slots = [];
        foreach (BsonDocument doc in _sectors.FindAll())
        {
            slots[new Hash256(doc["_id"].AsBinary)] = SlotOf(doc);
        }

        return slots;
    }

    public void Dispose() => _db.Dispose();

    private static LiteDatabase OpenDatabase(string path) => new(new ConnectionString
    {
        Filename = path,
        Connection = ConnectionType.Direct,
        Upgrade = false,
    });

    private static BsonValue Key(in Hash256 root) => new(root.ToArray());

    private static long ToInt64(ulong block) => block > long.MaxValue ? long.MaxValue : (long)block;

    private static int SlotOf(BsonDocument doc) => doc[SlotField] is { IsInt32: true } slot ? slot.AsInt32 : -1;

    private static BsonDocument ToDocument(in SectorInfo info, int slot) => new()
    {
        ["_id"] = Key(info.Root),
        [StoredAtField] = info.StoredAt.ToUnixTimeMilliseconds(),
        [ExpiresField] = ToInt64(info.ExpiresAtBlock),
        [LastScrubField] = info.LastScrub is DateTimeOffset scrub ? new BsonValue(scrub.ToUnixTimeMilliseconds()) : BsonValue.Null,
        [SlotField] = slot,
    };

    private static SectorInfo ToInfo(BsonDocument doc)
    {
        byte[]? id = doc["_id"].IsBinary ? doc["_id"].AsBinary : null;
        if (id is null || id.Length != Hash256.Size || !doc[StoredAtField].IsInt64 || !doc[ExpiresField].IsInt64)
        {
            ThrowHelper.ThrowCorrupt("A sector index entry is not in the format this store writes.");
        }

        BsonValue scrub = doc[LastScrubField];
        return new SectorInfo(
            new Hash256(id),
            DateTimeOffset.FromUnixTimeMilliseconds(doc[StoredAtField].AsInt64),
            (ulong)doc[ExpiresField].AsInt64,
            scrub.IsInt64 ? DateTimeOffset.FromUnixTimeMilliseconds(scrub.AsInt64) : null);
    }
}
