// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Fleet;
using LiteDB;
using LiteDB.Engine;

namespace Bittensor.Edge.Gateway.Fleet;

/// <summary>How a join's final write went (<see cref="FleetStore.TryEnroll"/>).</summary>
public enum EnrollOutcome
{
    /// <summary>Enrolled now; a use was spent (or the preauthorization turned active).</summary>
    Enrolled,

    /// <summary>The key was already active: accepted again, nothing spent.</summary>
    AlreadyEnrolled,

    /// <summary>No such token (or no preauthorization for the key).</summary>
    TokenUnknown,

    /// <summary>The token is revoked, or the key's enrollment is.</summary>
    TokenRevoked,

    /// <summary>The token has expired.</summary>
    TokenExpired,

    /// <summary>No uses left.</summary>
    TokenUsed,

    /// <summary>The token or preauthorization is for another board.</summary>
    BoardNotAllowed,
}

/// <summary>
/// The gateway's fleet database (<c>{dataDir}/fleet.db</c>, LiteDB): join tokens, enrollments with each device's login
/// high-water mark, and the sector each device holds for the probe.
/// </summary>
/// <remarks>
/// <para>Layout (collections of <see cref="BsonDocument"/>):
/// <c>tokens {_id: tokenId hex, verifier: bin32, createdAt: i64 ms, expiresAt: i64 ms, uses: i32, usesLeft: i32, board: string|null, revoked: bool}</c>;
/// <c>enrollments {_id: deviceId, pub: bin32, board, serial, fw, enrolledAt: i64 ms, tokenId: hex, state: string, lastLogin: i64 s, revokedAt: i64 ms|null}</c>;
/// <c>probes {_id: deviceId, root: bin32}</c>.</para>
/// <para>Crash safety: every change is one LiteDB transaction (a join decrements <c>usesLeft</c> and inserts the
/// enrollment together) followed by a checkpoint, which waits for LiteDB's background writer, so whatever a caller was
/// told is on disk. Everything is also held in memory (a fleet has thousands of rows, not millions), so reads never
/// touch the file.</para>
/// <para>Why LiteDB is AOT-safe here: as in <c>LiteDbChainStore</c>, the <see cref="LiteEngine"/> is driven with
/// <see cref="BsonDocument"/>s and full scans only, so <c>BsonMapper</c> is never reached; the executables root the
/// LiteDB assembly.</para>
/// <para>Thread-safe: one lock serialises every read and write (LiteDB transactions belong to a thread, and all work
/// under the lock is synchronous).</para>
/// </remarks>
public sealed class FleetStore : IDisposable
{
    private const string TokensCollection = "tokens";
    private const string EnrollmentsCollection = "enrollments";
    private const string ProbesCollection = "probes";

    private readonly Lock _lock = new();
    private readonly LiteEngine _engine;
    private readonly Dictionary<string, TokenRecord> _tokens;
    private readonly Dictionary<string, EnrollmentRecord> _enrollments;
    private readonly Dictionary<string, Hash256> _probes;
    private bool _disposed;

    private FleetStore(LiteEngine engine, string path, Dictionary<string, TokenRecord> tokens, Dictionary<string, EnrollmentRecord> enrollments, Dictionary<string, Hash256> probes)
    {
        _engine = engine;
        FilePath = path;
        _tokens = tokens;
        _enrollments = enrollments;
        _probes = probes;
    }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    /// <summary>Whether the store is open; takes the store lock, so a stuck store makes this hang (the watchdog's check).</summary>
    public bool IsOpen
    {
        get
        {
            lock (_lock)
            {
                return !_disposed;
            }
        }
    }

    /// <summary>Opens or creates the store in <paramref name="directory"/> (made 0700 if missing).</summary>
    public static bool TryOpen(string directory, [NotNullWhen(true)] out FleetStore? store, [NotNullWhen(false)] out string? error)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        store = null;
        string path = Path.Combine(directory, GatewayConstants.FleetDbFileName);
        LiteEngine engine;
        try
        {
            PrivateFiles.CreateDirectory(directory);
            if (!LooksLikeLiteDb(path))
            {
                error = $"{path} is not a LiteDB fleet database; bte-gateway will not overwrite it. Move it aside (or restore the right file) and start again.";
                return false;
            }

            engine = new LiteEngine(new EngineSettings { Filename = path });
        }
        catch (Exception e) when (e is LiteException or IOException or UnauthorizedAccessException or InvalidCastException)
        {
            error = $"Cannot open the fleet database {path}: {e.Message} (is another bte-gateway using it?)";
            return false;
        }

        try
        {
            Dictionary<string, TokenRecord> tokens = new(StringComparer.Ordinal);
            foreach (BsonDocument doc in ReadAll(engine, TokensCollection))
            {
                TokenRecord token = ReadToken(doc);
                tokens[token.TokenId] = token;
            }

            Dictionary<string, EnrollmentRecord> enrollments = new(StringComparer.Ordinal);
            foreach (BsonDocument doc in ReadAll(engine, EnrollmentsCollection))
            {
                EnrollmentRecord enrollment = ReadEnrollment(doc);
                enrollments[enrollment.DeviceId] = enrollment;
            }

            Dictionary<string, Hash256> probes = new(StringComparer.Ordinal);
            foreach (BsonDocument doc in ReadAll(engine, ProbesCollection))
            {
                probes[doc["_id"].AsString] = new Hash256(doc["root"].AsBinary);
            }

            store = new FleetStore(engine, path, tokens, enrollments, probes);
            error = null;
            return true;
        }
        catch (Exception e) when (e is LiteException or InvalidCastException or ArgumentException or FormatException or NullReferenceException)
        {
            engine.Dispose();
            error = $"The fleet database {path} is corrupt: {e.Message}";
            return false;
        }
    }

    /// <summary>Stores a new token's verifier (never the token).</summary>
    public TokenRecord AddToken(JoinToken token, DateTimeOffset now, TimeSpan ttl, int uses, string? board)
    {
        ArgumentNullException.ThrowIfNull(token);
        TokenRecord record = new(JoinToken.FormatTokenId(token.TokenId), token.Verifier, now, now + ttl, uses, uses, board, Revoked: false);
        lock (_lock)
        {
            Write(e => e.Insert(TokensCollection, [TokenDocument(record)], BsonAutoId.ObjectId));
            _tokens[record.TokenId] = record;
        }

        return record;
    }

    /// <summary>The token with id <paramref name="tokenId"/> (16 hex digits).</summary>
    public bool TryGetToken(string tokenId, [NotNullWhen(true)] out TokenRecord? token)
    {
        lock (_lock)
        {
            return _tokens.TryGetValue(tokenId, out token);
        }
    }

    /// <summary>Every token, newest first.</summary>
    public IReadOnlyList<TokenRecord> ListTokens()
    {
        lock (_lock)
        {
            return [.. _tokens.Values.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.TokenId, StringComparer.Ordinal)];
        }
    }

    /// <summary>Revokes a token; false when there is none with that id.</summary>
    public bool TryRevokeToken(string tokenId, [NotNullWhen(true)] out TokenRecord? token)
    {
        lock (_lock)
        {
            if (!_tokens.TryGetValue(tokenId, out TokenRecord? current))
            {
                token = null;
                return false;
            }

            token = current with { Revoked = true };
            TokenRecord updated = token;
            Write(e => e.Update(TokensCollection, [TokenDocument(updated)]));
            _tokens[tokenId] = token;
            return true;
        }
    }

    /// <summary>The enrollment of <paramref name="deviceId"/>.</summary>
    public bool TryGetEnrollment(string deviceId, [NotNullWhen(true)] out EnrollmentRecord? enrollment)
    {
        lock (_lock)
        {
            return _enrollments.TryGetValue(deviceId, out enrollment);
        }
    }

    /// <summary>Every enrollment, by device id.</summary>
    public IReadOnlyList<EnrollmentRecord> ListEnrollments()
    {
        lock (_lock)
        {
            return [.. _enrollments.Values.OrderBy(e => e.DeviceId, StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// Preauthorizes <paramref name="devicePub"/> for <paramref name="board"/>. An active enrollment is left as it is
    /// (false, with the record); a revoked one becomes preauthorized again (an operator's explicit re-admission).
    /// </summary>
    public bool TryPreauthorize(in PublicKey devicePub, string board, DateTimeOffset now, out EnrollmentRecord enrollment)
    {
        string deviceId = DeviceIds.FromPublicKey(devicePub);
        lock (_lock)
        {
            if (_enrollments.TryGetValue(deviceId, out EnrollmentRecord? existing) && existing.State == EnrollmentState.Active)
            {
                enrollment = existing;
                return false;
            }

            enrollment = new EnrollmentRecord(deviceId, devicePub, board, "", "", now, EnrollmentRecord.PreauthorizedTokenId, EnrollmentState.Preauthorized, existing?.LastLoginUnixS ?? 0, null);
            EnrollmentRecord record = enrollment;
            Write(e => e.Upsert(EnrollmentsCollection, [EnrollmentDocument(record)], BsonAutoId.ObjectId));
            _enrollments[deviceId] = enrollment;
            return true;
        }
    }

    /// <summary>
    /// The final, atomic step of a join whose proof checked out: re-checks the token (or preauthorization) under the
    /// lock and, in one transaction, decrements <c>usesLeft</c> and writes the enrollment. A key that is already active
    /// is accepted again without spending a use (fleet.md §3, idempotent join); a revoked key is refused.
    /// </summary>
    public EnrollOutcome TryEnroll(JoinHello hello, in PublicKey devicePub, string tokenId, DateTimeOffset now, out EnrollmentRecord? enrollment)
    {
        ArgumentNullException.ThrowIfNull(hello);
        string deviceId = DeviceIds.FromPublicKey(devicePub);
        lock (_lock)
        {
            _enrollments.TryGetValue(deviceId, out EnrollmentRecord? existing);
            enrollment = existing;
            if (existing?.State == EnrollmentState.Revoked)
            {
                return EnrollOutcome.TokenRevoked;
            }

            if (existing?.State == EnrollmentState.Active)
            {
                return EnrollOutcome.AlreadyEnrolled;
            }

            if (tokenId == EnrollmentRecord.PreauthorizedTokenId)
            {
                if (existing?.State != EnrollmentState.Preauthorized)
                {
                    return EnrollOutcome.TokenUnknown;
                }

                if (!string.Equals(existing.Board, hello.Board, StringComparison.Ordinal))
                {
                    return EnrollOutcome.BoardNotAllowed;
                }

                enrollment = existing with { Serial = hello.Serial, Fw = hello.Fw, EnrolledAt = now, State = EnrollmentState.Active };
                EnrollmentRecord activated = enrollment;
                Write(e => e.Upsert(EnrollmentsCollection, [EnrollmentDocument(activated)], BsonAutoId.ObjectId));
                _enrollments[deviceId] = enrollment;
                return EnrollOutcome.Enrolled;
            }

            if (!_tokens.TryGetValue(tokenId, out TokenRecord? token))
            {
                return EnrollOutcome.TokenUnknown;
            }

            EnrollOutcome? refusal = Check(token, hello.Board, now);
            if (refusal is not null)
            {
                return refusal.Value;
            }

            TokenRecord spent = token with { UsesLeft = token.UsesLeft - 1 };
            enrollment = new EnrollmentRecord(deviceId, devicePub, hello.Board, hello.Serial, hello.Fw, now, tokenId, EnrollmentState.Active, existing?.LastLoginUnixS ?? 0, null);
            EnrollmentRecord record = enrollment;
            Write(e =>
            {
                e.Update(TokensCollection, [TokenDocument(spent)]);
                e.Upsert(EnrollmentsCollection, [EnrollmentDocument(record)], BsonAutoId.ObjectId);
            });
            _tokens[tokenId] = spent;
            _enrollments[deviceId] = enrollment;
            return EnrollOutcome.Enrolled;
        }
    }

    /// <summary>Why <paramref name="token"/> cannot admit <paramref name="board"/> now, or null when it can.</summary>
    public static EnrollOutcome? Check(TokenRecord token, string board, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Revoked)
        {
            return EnrollOutcome.TokenRevoked;
        }

        if (now >= token.ExpiresAt)
        {
            return EnrollOutcome.TokenExpired;
        }

        if (token.UsesLeft <= 0)
        {
            return EnrollOutcome.TokenUsed;
        }

        if (token.Board is not null && !string.Equals(token.Board, board, StringComparison.Ordinal))
        {
            return EnrollOutcome.BoardNotAllowed;
        }

        return null;
    }

    /// <summary>Marks <paramref name="deviceId"/> revoked; false when it is not enrolled.</summary>
    public bool TryRevokeEnrollment(string deviceId, DateTimeOffset now, [NotNullWhen(true)] out EnrollmentRecord? enrollment)
    {
        lock (_lock)
        {
            if (!_enrollments.TryGetValue(deviceId, out EnrollmentRecord? current))
            {
                enrollment = null;
                return false;
            }

            enrollment = current.State == EnrollmentState.Revoked ? current : current with { State = EnrollmentState.Revoked, RevokedAt = now };
            EnrollmentRecord record = enrollment;
            Write(e => e.Update(EnrollmentsCollection, [EnrollmentDocument(record)]));
            _enrollments[deviceId] = enrollment;
            return true;
        }
    }

    /// <summary>
    /// Records an MQTT login at <paramref name="unixSeconds"/> if the device is active and the time is newer than the
    /// last accepted one (the persisted high-water mark), so a captured password cannot be replayed even across a
    /// gateway restart.
    /// </summary>
    public bool TryAcceptLogin(string deviceId, long unixSeconds)
    {
        lock (_lock)
        {
            if (!_enrollments.TryGetValue(deviceId, out EnrollmentRecord? current) || current.State != EnrollmentState.Active || unixSeconds <= current.LastLoginUnixS)
            {
                return false;
            }

            EnrollmentRecord updated = current with { LastLoginUnixS = unixSeconds };
            Write(e => e.Update(EnrollmentsCollection, [EnrollmentDocument(updated)]));
            _enrollments[deviceId] = updated;
            return true;
        }
    }

    /// <summary>The sector <paramref name="deviceId"/> holds for the probe, if any.</summary>
    public bool TryGetProbeSector(string deviceId, out Hash256 root)
    {
        lock (_lock)
        {
            return _probes.TryGetValue(deviceId, out root);
        }
    }

    /// <summary>Records the sector <paramref name="deviceId"/> holds for the probe.</summary>
    public void SetProbeSector(string deviceId, in Hash256 root)
    {
        BsonDocument doc = new() { ["_id"] = deviceId, ["root"] = root.Bytes.ToArray() };
        lock (_lock)
        {
            Write(e => e.Upsert(ProbesCollection, [doc], BsonAutoId.ObjectId));
            _probes[deviceId] = root;
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _disposed = true;
                _engine.Dispose();
            }
        }
    }

    // Under _lock: one transaction, then a checkpoint so the change is on disk before anyone is told.
    private void Write(Action<LiteEngine> change)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _engine.BeginTrans();
        try
        {
            change(_engine);
            _engine.Commit();
        }
        catch
        {
            _engine.Rollback();
            throw;
        }

        _engine.Checkpoint();
    }

    // LiteDB silently re-initialises a file it does not recognise, which would wipe a fleet's enrollments if the path
    // were wrong; so an existing non-empty file must carry LiteDB's header text at offset 32 of its first page.
    private static bool LooksLikeLiteDb(string path)
    {
        FileInfo file = new(path);
        if (!file.Exists || file.Length == 0)
        {
            return true;
        }

        Span<byte> header = stackalloc byte[64];
        using FileStream stream = file.OpenRead();
        return stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length
            && header[32..].StartsWith("** This is a LiteDB file **"u8);
    }

    private static List<BsonDocument> ReadAll(LiteEngine engine, string collection)
    {
        List<BsonDocument> documents = [];
        using IBsonDataReader reader = engine.Query(collection, new Query());
        while (reader.Read())
        {
            documents.Add(reader.Current.AsDocument);
        }

        return documents;
    }

    private static BsonDocument TokenDocument(TokenRecord token) => new()
    {
        ["_id"] = token.TokenId,
        ["verifier"] = token.Verifier,
        ["createdAt"] = token.CreatedAt.ToUnixTimeMilliseconds(),
        ["expiresAt"] = token.ExpiresAt.ToUnixTimeMilliseconds(),
        ["uses"] = token.Uses,
        ["usesLeft"] = token.UsesLeft,
        ["board"] = token.Board is null ? BsonValue.Null : new BsonValue(token.Board),
        ["revoked"] = token.Revoked,
    };

    private static TokenRecord ReadToken(BsonDocument doc) => new(
        doc["_id"].AsString,
        doc["verifier"].AsBinary,
        DateTimeOffset.FromUnixTimeMilliseconds(doc["createdAt"].AsInt64),
        DateTimeOffset.FromUnixTimeMilliseconds(doc["expiresAt"].AsInt64),
        doc["uses"].AsInt32,
        doc["usesLeft"].AsInt32,
        doc["board"].IsNull ? null : doc["board"].AsString,
        doc["revoked"].AsBoolean);

    private static BsonDocument EnrollmentDocument(EnrollmentRecord e) => new()
    {
        ["_id"] = e.DeviceId,
        ["pub"] = e.DevicePub.ToArray(),
        ["board"] = e.Board,
        ["serial"] = e.Serial,
        ["fw"] = e.Fw,
        ["enrolledAt"] = e.EnrolledAt.ToUnixTimeMilliseconds(),
        ["tokenId"] = e.TokenId,
        ["state"] = e.State.ToString(),
        ["lastLogin"] = e.LastLoginUnixS,
        ["revokedAt"] = e.RevokedAt is { } at ? new BsonValue(at.ToUnixTimeMilliseconds()) : BsonValue.Null,
    };

    private static EnrollmentRecord ReadEnrollment(BsonDocument doc) => new(
        doc["_id"].AsString,
        new PublicKey(doc["pub"].AsBinary),
        doc["board"].AsString,
        doc["serial"].AsString,
        doc["fw"].AsString,
        DateTimeOffset.FromUnixTimeMilliseconds(doc["enrolledAt"].AsInt64),
        doc["tokenId"].AsString,
        Enum.Parse<EnrollmentState>(doc["state"].AsString),
        doc["lastLogin"].AsInt64,
        doc["revokedAt"].IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(doc["revokedAt"].AsInt64));
}
