// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using LiteDB;

namespace Bittensor.Edge.Node.Validator;

/// <summary>A miner's persisted inference score.</summary>
/// <param name="Hotkey">The miner's hotkey.</param>
/// <param name="Uid">Its uid when last scored.</param>
/// <param name="Quality">The quality EMA.</param>
/// <param name="Bursts">The last capacity bursts (correct completions per second), oldest first.</param>
public sealed record PersistedInferenceMiner(PublicKey Hotkey, ushort Uid, double Quality, IReadOnlyList<double> Bursts);

/// <summary>
/// What an <see cref="InferenceValidator"/> must not forget across a node restart: every miner's quality EMA and its
/// last capacity bursts, so the inference half of the weights row does not drop to zero and climb back for hours after
/// a restart. A LiteDB file under the node's data directory (<c>validator/inference.db</c>).
/// </summary>
/// <remarks>
/// <para><b>Layout</b>: one collection <c>miners</c> of <c>{_id: hotkey (binary 32), uid: int32, quality: double,
/// bursts: [double]}</c>, <see cref="BsonDocument"/> only (no reflection mapper, as in <see cref="StorageValidatorState"/>).
/// A miner is written after each of its rounds, one transaction, so a kill loses at most the round in flight.</para>
/// <para>Thread-safe (LiteDB serialises writers). Dispose closes the file.</para>
/// </remarks>
public sealed class InferenceValidatorState : IDisposable
{
    /// <summary>The file's name under the node's data directory.</summary>
    public const string RelativePath = "validator/inference.db";

    private const string MinersName = "miners";

    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _miners;

    private InferenceValidatorState(LiteDatabase db)
    {
        _db = db;
        _miners = db.GetCollection(MinersName, BsonAutoId.ObjectId);
    }

    /// <summary>Opens or creates the state file at <paramref name="path"/> (its folder is created).</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static InferenceValidatorState Open(string path)
    {
        LiteDatabase db = StorageValidatorState.OpenDatabase(path);
        try
        {
            return new InferenceValidatorState(db);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>Every miner as last saved; a damaged row is skipped (the miner starts over at 0).</summary>
    public IReadOnlyList<PersistedInferenceMiner> Load()
    {
        List<PersistedInferenceMiner> miners = [];
        foreach (BsonDocument doc in _miners.FindAll())
        {
            if (doc["_id"].IsBinary && doc["_id"].AsBinary.Length == PublicKey.Size && doc["uid"].IsInt32 && doc["quality"].IsDouble && doc["bursts"].IsArray)
            {
                double quality = doc["quality"].AsDouble;
                double[] bursts = [.. doc["bursts"].AsArray.Where(static b => b.IsDouble).Select(static b => b.AsDouble)];
                if (double.IsFinite(quality) && bursts.All(double.IsFinite))
                {
                    miners.Add(new PersistedInferenceMiner(new PublicKey(doc["_id"].AsBinary), (ushort)doc["uid"].AsInt32, quality, bursts));
                }
            }
        }

        return miners;
    }

    /// <summary>Records a miner's uid, quality EMA and bursts (one transaction).</summary>
    public void Save(PersistedInferenceMiner miner)
    {
        ArgumentNullException.ThrowIfNull(miner);
        _miners.Upsert(new BsonDocument
        {
            ["_id"] = new BsonValue(miner.Hotkey.ToArray()),
            ["uid"] = (int)miner.Uid,
            ["quality"] = miner.Quality,
            ["bursts"] = new BsonArray(miner.Bursts.Select(static b => new BsonValue(b))),
        });
    }

    /// <summary>Forgets a miner that left the metagraph.</summary>
    public void Delete(in PublicKey miner) => _miners.Delete(new BsonValue(miner.ToArray()));

    /// <summary>Closes the file.</summary>
    public void Dispose() => _db.Dispose();
}
