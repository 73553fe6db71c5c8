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
/// <para><b>Layout.</b> Two collections, written in one transaction per sector:</para>
/// <list type="table">
/// <item><term><c>sectors</c></term><description><c>{_id: root (binary 32), storedAt: unix ms (int64), expiresAtBlock: int64, lastScrub: unix ms or null}</c>, indexed on <c>expiresAtBlock</c></description></item>
/// <item><term><c>level4</c></term><description><c>{_id: root (binary 32), nodes: binary 2 048}</c></description></item>
/// </list>
/// <para>The spec keeps the level-4 nodes in the sector document; they live in a collection of their own here so that
/// the scans of start-up reconcile, inventory pages and expiry read about 100 bytes per sector instead of 2 KiB. Both
/// documents still ride in the same commit, so §9's "one LiteDB commit per sector" holds.</para>
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
    private const string Level4Name = "level4";
    private const string StoredAtField = "storedAt";
    private const string ExpiresField = "expiresAtBlock";
    private const string LastScrubField = "lastScrub";
    private const string NodesField = "nodes";

    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _sectors;
    private readonly ILiteCollection<BsonDocument> _level4;

    private SectorIndex(LiteDatabase db)
    {
        _db = db;
        _sectors = db.GetCollection(SectorsName, BsonAutoId.ObjectId);
        _level4 = db.GetCollection(Level4Name, BsonAutoId.ObjectId);
        _sectors.EnsureIndex(ExpiresField, BsonExpression.Create("$." + ExpiresField), unique: false);
    }

    /// <summary>Opens or creates the index; LiteDB's own exceptions mean the file is damaged.</summary>
    public static SectorIndex Open(string path)
    {
        ConnectionString connection = new()
        {
            Filename = path,
            Connection = ConnectionType.Direct,
            Upgrade = false,
        };
        LiteDatabase db = new(connection);
        try
        {
            return new SectorIndex(db);
        }
        catch
        {
            db.Dispose();
            throw;
        }
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

    public bool TryGetLevel4(in Hash256 root, Span<byte> destination)
    {
        BsonDocument? doc = _level4.FindById(Key(root));
        if (doc is null)
        {
            return false;
        }

        byte[] nodes = doc[NodesField].AsBinary;
        if (nodes is null || nodes.Length != StorageConstants.Level4Size)
        {
            ThrowHelper.ThrowCorrupt($"The level-4 entry of {root:x} has {nodes?.Length ?? 0} bytes, not {StorageConstants.Level4Size}.");
        }

        nodes.CopyTo(destination);
        return true;
    }

    /// <summary>Inserts or replaces a sector's entries in one transaction.</summary>
    public void Upsert(in SectorInfo info, ReadOnlySpan<byte> level4)
    {
        BsonDocument sector = ToDocument(info);
        BsonDocument nodes = new()
        {
            ["_id"] = Key(info.Root),
            [NodesField] = new BsonValue(level4.ToArray()),
        };
        bool own = _db.BeginTrans();
        try
        {
            _sectors.Upsert(sector);
            _level4.Upsert(nodes);
            if (own)
            {
                _db.Commit();
            }
        }
        catch
        {
            if (own)
            {
                _db.Rollback();
            }

            throw;
        }
    }

    /// <summary>Inserts many new sectors in batches of one transaction each (for rebuilds and benchmarks).</summary>
    public void InsertMany(IEnumerable<(SectorInfo Info, byte[] Level4)> entries, int batchSize = 5000)
    {
        List<BsonDocument> sectors = new(batchSize);
        List<BsonDocument> level4 = new(batchSize);
        foreach ((SectorInfo info, byte[] nodes) in entries)
        {
            sectors.Add(ToDocument(info));
            level4.Add(new BsonDocument { ["_id"] = Key(info.Root), [NodesField] = new BsonValue(nodes) });
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

            bool own = _db.BeginTrans();
            _sectors.Insert(sectors);
            _level4.Insert(level4);
            if (own)
            {
                _db.Commit();
            }

            sectors.Clear();
            level4.Clear();
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

    /// <summary>Removes a sector's entries in one transaction.</summary>
    public bool Delete(in Hash256 root)
    {
        BsonValue key = Key(root);
        bool own = _db.BeginTrans();
        try
        {
            bool deleted = _sectors.Delete(key);
            _level4.Delete(key);
            if (own)
            {
                _db.Commit();
            }

            return deleted;
        }
        catch
        {
            if (own)
            {
                _db.Rollback();
            }

            throw;
        }
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

    /// <summary>Every indexed root (start-up reconcile).</summary>
    public HashSet<Hash256> AllRoots()
    {
        HashSet<Hash256> roots = [];
        foreach (BsonDocument doc in _sectors.FindAll())
        {
            roots.Add(new Hash256(doc["_id"].AsBinary));
        }

        return roots;
    }

    public void Dispose() => _db.Dispose();

    private static BsonValue Key(in Hash256 root) => new(root.ToArray());

    private static long ToInt64(ulong block) => block > long.MaxValue ? long.MaxValue : (long)block;

    private static BsonDocument ToDocument(in SectorInfo info) => new()
    {
        ["_id"] = Key(info.Root),
        [StoredAtField] = info.StoredAt.ToUnixTimeMilliseconds(),
        [ExpiresField] = ToInt64(info.ExpiresAtBlock),
        [LastScrubField] = info.LastScrub is DateTimeOffset scrub ? new BsonValue(scrub.ToUnixTimeMilliseconds()) : BsonValue.Null,
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
