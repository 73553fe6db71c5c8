// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Consensus.Epoch;

namespace Bittensor.Edge.Consensus.Tests.Epoch;

/// <summary>The cases of <c>Vectors/consensus/pure_functions.json</c> (subtensor's <c>tests/math.rs</c>), exactly.</summary>
public sealed class PureFunctionVectorTests : IDisposable
{
    private readonly JsonDocument _document =
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(VectorFiles.Root, "pure_functions.json")));

    public void Dispose() => _document.Dispose();

    [Fact]
    public void Weighted_median_col_cases_match()
    {
        int count = 0;
        foreach (JsonElement c in Cases("weighted_median_col"))
        {
            long[] stake = Longs(c.GetProperty("stake"));
            long[][] score = [.. c.GetProperty("score").EnumerateArray().Select(Longs)];
            long[] median = WeightedMedian.MedianColumns(stake, score, c.GetProperty("majority").GetInt64());
            Assert.Equal(Longs(c.GetProperty("expected")), median);
            count++;
        }

        Assert.Equal(5, count);
    }

    [Fact]
    public void Weighted_median_subcases_match()
    {
        JsonElement scalar = Assert.Single(Cases("weighted_median"));
        int count = 0;
        foreach (JsonElement sub in scalar.GetProperty("subcases").EnumerateArray())
        {
            long[] stake = Longs(sub.GetProperty("stake"));
            long[] score = Longs(sub.GetProperty("score"));
            int[] partition = [.. Enumerable.Range(0, stake.Length)];
            long median = WeightedMedian.Median(
                stake,
                score,
                partition,
                sub.GetProperty("minority").GetInt64(),
                sub.GetProperty("partition_lo").GetInt64(),
                sub.GetProperty("partition_hi").GetInt64(),
                new int[3 * stake.Length]);
            Assert.Equal(sub.GetProperty("expected").GetInt64(), median);
            count++;
        }

        Assert.Equal(12, count);
    }

    [Fact]
    public void Dense_mat_ema_alpha_matches_entry_by_entry()
    {
        JsonElement c = Assert.Single(Cases("mat_ema_alpha (dense)"));
        long alpha = c.GetProperty("alpha").GetInt64();
        long[][] old = [.. c.GetProperty("old").EnumerateArray().Select(Longs)];
        long[][] next = [.. c.GetProperty("new").EnumerateArray().Select(Longs)];
        long[][] expected = [.. c.GetProperty("expected").EnumerateArray().Select(Longs)];
        for (int i = 0; i < old.Length; i++)
        {
            for (int j = 0; j < old[i].Length; j++)
            {
                Assert.Equal(expected[i][j], LiquidAlpha.EmaEntry(alpha, old[i][j], next[i][j]));
            }
        }
    }

    [Fact]
    public void Sparse_mat_ema_alpha_drops_bonds_of_columns_absent_from_the_new_row()
    {
        JsonElement c = Assert.Single(Cases("mat_ema_alpha_sparse"));
        int columns = c.GetProperty("columns").GetInt32();
        using SparseMatrix old = Matrix(c.GetProperty("old"));
        using SparseMatrix next = Matrix(c.GetProperty("new"));
        using SparseMatrix result = YumaEpoch.LiquidAlphaEma(next, old, new long[columns], new ConstantAlpha(c.GetProperty("alpha").GetInt64()), default, parallel: false);
        int i = 0;
        foreach (JsonElement row in c.GetProperty("expected").EnumerateArray())
        {
            List<(int, long)> actual = [];
            for (int q = result.RowStart[i]; q < result.RowStart[i + 1]; q++)
            {
                actual.Add((result.Cols[q], result.Vals[q]));
            }

            Assert.Equal([.. row.EnumerateArray().Select(p => (p[0].GetInt32(), p[1].GetInt64()))], actual);
            i++;
        }
    }

    private IEnumerable<JsonElement> Cases(string function) =>
        _document.RootElement.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("function").GetString() == function);

    private static long[] Longs(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetInt64())];

    private static SparseMatrix Matrix(JsonElement rows)
    {
        int count = 0;
        foreach (JsonElement row in rows.EnumerateArray())
        {
            count += row.GetArrayLength();
        }

        SparseMatrix m = new(rows.GetArrayLength(), count);
        foreach (JsonElement row in rows.EnumerateArray())
        {
            foreach (JsonElement pair in row.EnumerateArray())
            {
                m.Append(pair[0].GetInt32(), pair[1].GetInt64());
            }

            m.EndRow();
        }

        return m;
    }
}
