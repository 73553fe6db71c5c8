// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using LiteDB;

namespace Bittensor.Edge.Telemetry.Outbox;

/// <summary>One stored message: its sequence number (insertion order), its time and its UTF-8 JSON body.</summary>
internal readonly record struct OutboxEntry(long Id, long TsMs, byte[] Body);

/// <summary>
/// The one wrapper around LiteDB in this project: the store-and-forward <c>outbox</c> of fleet.md §7.
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> Two collections in the outbox file, one per kind, so "oldest first" is a walk of the primary
/// index: <c>outbox_samples</c> and <c>outbox_events</c>, one document per message,
/// <c>{_id: int64 sequence (LiteDB's auto-id, so ascending = oldest first), ts: unix ms (int64), b: binary UTF-8 JSON}</c>;
/// samples are also indexed on <c>ts</c> for the age limit.</para>
/// <para><b>Bounds.</b> At most <c>maxSamples</c> samples and <c>maxEvents</c> events; beyond that the oldest of the kind
/// are dropped in the same transaction as the insert. Samples older than the age limit are dropped on every append and
/// before every backfill. Deleted pages are reused, so the file stays near its high-water mark (see
/// <c>DeviceTelemetryOptions</c> for the numbers).</para>
/// <para><b>Why this is AOT-safe.</b> Only <see cref="BsonDocument"/> collections and string <see cref="BsonExpression"/>s
/// are used; LiteDB's reflection lives in <see cref="BsonMapper"/>, which a <see cref="BsonDocument"/> collection never
/// consults. The assembly-level IL2104/IL3053 warnings LiteDB raises at publish stay listed in the root
/// Directory.Build.props.</para>
/// <para>Thread-safe: every operation takes one lock, because LiteDB transactions belong to the calling thread and
/// async callers hop threads. One instance per file; Dispose closes it.</para>
/// </remarks>
internal sealed class Outbox : IDisposable
{
    private const string SamplesName = "outbox_samples";
    private const string EventsName = "outbox_events";
    private const string TsField = "ts";
    private const string BodyField = "b";

    private readonly Lock _lock = new();
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _samples;
    private readonly ILiteCollection<BsonDocument> _events;
    private readonly int _maxSamples;
    private readonly int _maxEvents;

    private Outbox(LiteDatabase db, int maxSamples, int maxEvents)
    {
        _db = db;
        _maxSamples = maxSamples;
        _maxEvents = maxEvents;
        _samples = db.GetCollection(SamplesName, BsonAutoId.Int64);
        _events = db.GetCollection(EventsName, BsonAutoId.Int64);
        _samples.EnsureIndex(TsField, BsonExpression.Create("$." + TsField), unique: false);
    }

    /// <summary>Opens or creates the outbox file (and its directory); LiteDB's own exceptions mean the file is damaged.</summary>
    public static Outbox Open(string path, int maxSamples, int maxEvents)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        LiteDatabase db = new(new ConnectionString
        {
            Filename = path,
            Connection = ConnectionType.Direct,
            Upgrade = false,
        });
        try
        {
            return new Outbox(db, maxSamples, maxEvents);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    public int SampleCount
    {
        get
        {
            lock (_lock)
            {
                return _samples.Count();
            }
        }
    }

    public int EventCount
    {
        get
        {
            lock (_lock)
            {
                return _events.Count();
            }
        }
    }

    /// <summary>
    /// Appends samples in one transaction (one SD write burst), dropping samples older than <paramref name="cutoffMs"/> and
    /// the oldest beyond the bound. Returns how many were dropped.
    /// </summary>
    public int AppendSamples(IReadOnlyList<OutboxEntry> samples, long cutoffMs)
    {
        lock (_lock)
        {
            _db.BeginTrans();
            try
            {
                foreach (OutboxEntry sample in samples)
                {
                    _samples.Insert(Document(sample));
                }

                int dropped = DropOldSamplesCore(cutoffMs) + TrimCore(_samples, _maxSamples);
                _db.Commit();
                return dropped;
            }
            catch
            {
                _db.Rollback();
                throw;
            }
        }
    }

    /// <summary>Appends one event durably (its own transaction), dropping the oldest event beyond the bound. Returns its id.</summary>
    public long AppendEvent(long tsMs, byte[] body)
    {
        lock (_lock)
        {
            _db.BeginTrans();
            try
            {
                BsonValue id = _events.Insert(Document(new OutboxEntry(0, tsMs, body)));
                TrimCore(_events, _maxEvents);
                _db.Commit();
                return id.AsInt64;
            }
            catch
            {
                _db.Rollback();
                throw;
            }
        }
    }

    /// <summary>The oldest <paramref name="limit"/> events, oldest first.</summary>
    public List<OutboxEntry> OldestEvents(int limit) => Oldest(_events, limit);

    /// <summary>The oldest <paramref name="limit"/> samples, oldest first.</summary>
    public List<OutboxEntry> OldestSamples(int limit) => Oldest(_samples, limit);

    /// <summary>Drops samples older than <paramref name="cutoffMs"/>; returns how many.</summary>
    public int DropOldSamples(long cutoffMs)
    {
        lock (_lock)
        {
            return DropOldSamplesCore(cutoffMs);
        }
    }

    /// <summary>Deletes delivered samples (one transaction).</summary>
    public void DeleteSamples(IReadOnlyList<OutboxEntry> entries) => Delete(_samples, entries);

    /// <summary>Deletes delivered events (one transaction).</summary>
    public void DeleteEvents(IReadOnlyList<OutboxEntry> entries) => Delete(_events, entries);

    private void Delete(ILiteCollection<BsonDocument> collection, IReadOnlyList<OutboxEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            BsonArray ids = [];
            foreach (OutboxEntry entry in entries)
            {
                ids.Add(new BsonValue(entry.Id));
            }

            collection.DeleteMany(Query.In("_id", ids));
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _db.Dispose();
        }
    }

    private static BsonDocument Document(OutboxEntry entry) => new()
    {
        [TsField] = entry.TsMs,
        [BodyField] = entry.Body,
    };

    private List<OutboxEntry> Oldest(ILiteCollection<BsonDocument> collection, int limit)
    {
        lock (_lock)
        {
            List<OutboxEntry> result = new(Math.Min(limit, 64));
            foreach (BsonDocument doc in collection.Find(Query.All(Query.Ascending), skip: 0, limit: limit))
            {
                if (doc["_id"].IsInt64 && doc[TsField].IsInt64 && doc[BodyField].IsBinary)
                {
                    result.Add(new OutboxEntry(doc["_id"].AsInt64, doc[TsField].AsInt64, doc[BodyField].AsBinary));
                }
            }

            return result;
        }
    }

    private int DropOldSamplesCore(long cutoffMs) => _samples.DeleteMany(Query.LT(TsField, cutoffMs));

    private static int TrimCore(ILiteCollection<BsonDocument> collection, int max)
    {
        int count = collection.Count();
        if (count <= max)
        {
            return 0;
        }

        BsonArray ids = [];
        foreach (BsonDocument doc in collection.Find(Query.All(Query.Ascending), skip: 0, limit: count - max))
        {
            ids.Add(doc["_id"]);
        }

        return collection.DeleteMany(Query.In("_id", ids));
    }
}
