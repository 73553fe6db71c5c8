// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Node.Validator;
using LiteDB;

namespace Bittensor.Edge.Node.Tests.Validator;

public sealed class InferenceValidatorStateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bte-ivs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string StatePath => Path.Combine(_directory, InferenceValidatorState.RelativePath);

    [Fact]
    public void Scores_survive_a_reopen_and_a_miner_that_left_is_forgotten()
    {
        PublicKey a = Ed25519KeyPair.Generate().PublicKey;
        PublicKey b = Ed25519KeyPair.Generate().PublicKey;
        using (InferenceValidatorState state = InferenceValidatorState.Open(StatePath))
        {
            state.Save(new PersistedInferenceMiner(a, 3, 0.75, [12.5, 14.0]));
            state.Save(new PersistedInferenceMiner(b, 4, 0.5, []));
            state.Save(new PersistedInferenceMiner(a, 5, 0.8, [12.5, 14.0, 13.0])); // a later round replaces the row
            state.Delete(b);
        }

        using InferenceValidatorState reopened = InferenceValidatorState.Open(StatePath);
        PersistedInferenceMiner miner = Assert.Single(reopened.Load());
        Assert.Equal(a, miner.Hotkey);
        Assert.Equal((ushort)5, miner.Uid);
        Assert.Equal(0.8, miner.Quality);
        Assert.Equal([12.5, 14.0, 13.0], miner.Bursts);
    }

    [Fact]
    public void A_damaged_row_is_skipped_and_the_others_load()
    {
        PublicKey good = Ed25519KeyPair.Generate().PublicKey;
        using (InferenceValidatorState state = InferenceValidatorState.Open(StatePath))
        {
            state.Save(new PersistedInferenceMiner(good, 1, 0.9, [5.0]));
        }

        using (LiteDatabase db = new(new ConnectionString { Filename = StatePath, Connection = ConnectionType.Direct }))
        {
            ILiteCollection<BsonDocument> miners = db.GetCollection("miners");
            miners.Insert(new BsonDocument { ["_id"] = new byte[5], ["uid"] = 2, ["quality"] = 0.5, ["bursts"] = new BsonArray() });
            miners.Insert(new BsonDocument { ["_id"] = new byte[32], ["uid"] = "two", ["quality"] = 0.5, ["bursts"] = new BsonArray() });
            miners.Insert(new BsonDocument { ["_id"] = Enumerable.Repeat((byte)7, 32).ToArray(), ["uid"] = 3, ["quality"] = double.NaN, ["bursts"] = new BsonArray() });
        }

        using InferenceValidatorState reopened = InferenceValidatorState.Open(StatePath);
        Assert.Equal(good, Assert.Single(reopened.Load()).Hotkey);
    }
}
