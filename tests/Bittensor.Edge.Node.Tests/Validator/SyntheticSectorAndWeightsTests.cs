// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Bittensor.Edge.Node.Validator;
using Bittensor.Edge.Storage;

namespace Bittensor.Edge.Node.Tests.Validator;

public sealed class SyntheticSectorAndWeightsTests
{
    [Fact]
    public void A_synthetic_sector_is_the_aes_ecb_keystream_of_its_block_counters_and_regenerates_exactly()
    {
        byte[] secret = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

        byte[] a = SyntheticSector.Generate(secret, 5);
        byte[] again = SyntheticSector.Generate(secret, 5);
        byte[] next = SyntheticSector.Generate(secret, 6);

        byte[] key = SHA256.HashData([.. Encoding.ASCII.GetBytes("bte/synthetic/v1"), .. secret, .. BitConverter.GetBytes(5UL)]);
        using Aes aes = Aes.Create();
        aes.Key = key;
        byte[] lastCounter = new byte[16];
        lastCounter[13] = 0x03;
        lastCounter[14] = 0xFF;
        lastCounter[15] = 0xFF; // 262 143, big-endian
        Assert.Equal(aes.EncryptEcb(new byte[16], PaddingMode.None), a[..16]);
        Assert.Equal(aes.EncryptEcb(lastCounter, PaddingMode.None), a[^16..]);
        Assert.Equal(StorageConstants.SectorSize, a.Length);
        Assert.Equal(a, again);
        Assert.NotEqual(a[..16], next[..16]);
    }

    [Fact]
    public async Task The_weight_setter_mixes_markets_by_split_scales_the_largest_to_u16_max_and_skips_empty_rows()
    {
        RecordingSubmitter submitter = new();
        FixedMarket storage = new(new Dictionary<ushort, double> { [1] = 0.75, [2] = 0.25 });
        FixedMarket inference = new(new Dictionary<ushort, double> { [2] = 1.0 });
        FixedMarket silent = new(new Dictionary<ushort, double>());

        bool? storageOnly = await new WeightSetter(submitter).Add(storage, 0.5).Add(silent, 0.5).SetAsync(TestContext.Current.CancellationToken);
        (ImmutableArray<ushort> Uids, ImmutableArray<ushort> Weights) firstRow = submitter.Rows[^1];
        bool? mixed = await new WeightSetter(submitter).Add(storage, 0.5).Add(inference, 0.5).SetAsync(TestContext.Current.CancellationToken);
        (ImmutableArray<ushort> Uids, ImmutableArray<ushort> Weights) secondRow = submitter.Rows[^1];
        bool? nothing = await new WeightSetter(submitter).Add(silent, 1).SetAsync(TestContext.Current.CancellationToken);

        Assert.True(storageOnly);
        Assert.Equal([1, 2], firstRow.Uids);
        Assert.Equal([65_535, 21_845], firstRow.Weights);
        Assert.True(mixed);
        Assert.Equal([1, 2], secondRow.Uids);
        Assert.Equal([39_321, 65_535], secondRow.Weights); // 0.375 and 0.625, scaled to the larger
        Assert.Null(nothing);
        Assert.Equal(2, submitter.Rows.Count);
    }

    private sealed class FixedMarket(IReadOnlyDictionary<ushort, double> weights) : IMarketScores
    {
        public string Market => "fixed";

        public IReadOnlyDictionary<ushort, double> Weights() => weights;
    }

    private sealed class RecordingSubmitter : IWeightSubmitter
    {
        public List<(ImmutableArray<ushort> Uids, ImmutableArray<ushort> Weights)> Rows { get; } = [];

        public Task<bool> SubmitAsync(ImmutableArray<ushort> uids, ImmutableArray<ushort> weights, CancellationToken cancellationToken = default)
        {
            Rows.Add((uids, weights));
            return Task.FromResult(true);
        }
    }
}
