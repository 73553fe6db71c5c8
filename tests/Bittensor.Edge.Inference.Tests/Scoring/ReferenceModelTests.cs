// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Scoring;
using Bittensor.Edge.Inference.Sessions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Inference.Tests.Scoring;

/// <summary>The validator's reference session: stacked recomputes (RunMany) answer as separate runs do.</summary>
public sealed class ReferenceModelTests
{
    private static ReferenceModel Create(string id) =>
        ReferenceModel.Create(TestRegistry.Entry(id), TestModels.Get(id).Bytes, new SessionSettings(), new FixedExecutionProviderCatalog([]), NullLogger.Instance);

    private static List<NamedTensor[]> Requests(ModelEntry entry, int count, ulong seed)
    {
        SplitMix64 rng = new(seed);
        List<NamedTensor[]> requests = [];
        for (int i = 0; i < count; i++)
        {
            requests.Add(InputGenerator.Generate(entry, 1 + (int)(rng.Next() % 4), rng.Next()));
        }

        return requests;
    }

    [Theory]
    [InlineData(BundledModels.MlpTiny)]
    [InlineData(BundledModels.CnnTiny)]
    public void RunMany_answers_each_request_as_its_own_run_does_across_several_stacked_runs(string id)
    {
        using ReferenceModel reference = Create(id);
        // 24 requests of 1-4 rows: about 60 rows, more than one 32-row run holds, so the stacking spans runs.
        List<NamedTensor[]> requests = Requests(reference.Entry, 24, seed: 5);
        Assert.True(requests.Sum(r => r[0].Shape[0]) > reference.MaxRunRows);

        NamedTensor[][] stacked = reference.RunMany(requests);

        Assert.Equal(requests.Count, stacked.Length);
        Tolerance tolerance = OutputComparer.ToleranceFor(reference.Entry);
        for (int i = 0; i < requests.Count; i++)
        {
            NamedTensor[] alone = reference.Run(requests[i]);
            Assert.Equal(alone.Select(t => t.Shape.ToArray()), stacked[i].Select(t => t.Shape.ToArray()));
            Assert.Equal(OutputMatch.Match, OutputComparer.Compare(alone, stacked[i], tolerance));
        }

        // And not by accident: a neighbour's answer does not pass for this one.
        int a = Enumerable.Range(1, requests.Count - 1).First(i => requests[i][0].Shape[0] == requests[0][0].Shape[0]);
        Assert.NotEqual(OutputMatch.Match, OutputComparer.Compare(stacked[0], stacked[a], tolerance));
    }

    [Fact]
    public void RunMany_keeps_each_requests_rows_in_every_input_and_output_of_every_dtype()
    {
        // Six inputs and outputs of different element sizes (4, 2, 8, 4, 1, 1 bytes): each has its own row offsets.
        InferenceDType[] dtypes = TestModels.AllDTypes;
        byte[] bytes = TestModels.Identity("identity-v1", dtypes, [3]);
        ModelEntry entry = ModelRegistry.Sign(ModelInspector.CreateEntry("identity-v1", bytes, new EntryOptions { MaxBatch = 8 }, NullLogger.Instance), TestRegistry.Key);
        using ReferenceModel reference = ReferenceModel.Create(entry, bytes, new SessionSettings(), new FixedExecutionProviderCatalog([]), NullLogger.Instance);
        List<NamedTensor[]> requests = Requests(entry, 10, seed: 21);

        NamedTensor[][] stacked = reference.RunMany(requests);

        for (int r = 0; r < requests.Count; r++)
        {
            for (int i = 0; i < dtypes.Length; i++)
            {
                Assert.Equal($"out{i}", stacked[r][i].Name);
                Assert.Equal(requests[r][i].Shape, stacked[r][i].Shape);
                Assert.Equal(requests[r][i].Data.ToArray(), stacked[r][i].Data.ToArray());
            }
        }
    }

    [Fact]
    public void RunMany_takes_base64_and_raw_inputs_side_by_side()
    {
        using ReferenceModel reference = Create(BundledModels.MlpTiny);
        List<NamedTensor[]> requests = Requests(reference.Entry, 4, seed: 9);
        NamedTensor[] expected1 = reference.Run(requests[1]);
        NamedTensor raw = requests[1][0];
        requests[1] = [raw with { Data = Encoding.ASCII.GetBytes(Convert.ToBase64String(raw.Data.Span)), IsBase64 = true }];

        NamedTensor[][] stacked = reference.RunMany(requests);

        Assert.Equal(OutputMatch.Match, OutputComparer.Compare(expected1, stacked[1], OutputComparer.ToleranceFor(reference.Entry)));
    }

    [Fact]
    public void A_request_that_does_not_fit_is_named_and_nothing_runs_and_the_reference_keeps_working()
    {
        using ReferenceModel reference = Create(BundledModels.MlpTiny);
        List<NamedTensor[]> requests = Requests(reference.Entry, 3, seed: 13);
        NamedTensor good = requests[2][0];
        requests[2] = [good with { Shape = [good.Shape[0], good.Shape[1] + 1] }];

        ArgumentException error = Assert.Throws<ArgumentException>(() => reference.RunMany(requests));
        Assert.Contains("Request 2", error.Message, StringComparison.Ordinal);

        requests[2] = [good];
        NamedTensor[][] answers = reference.RunMany(requests);
        Assert.Equal(OutputMatch.Match, OutputComparer.Compare(reference.Run(requests[2]), answers[2], OutputComparer.ToleranceFor(reference.Entry)));
    }

    [Fact]
    public void Bad_base64_is_refused_with_the_input_named()
    {
        using ReferenceModel reference = Create(BundledModels.MlpTiny);
        NamedTensor[] request = Requests(reference.Entry, 1, seed: 17)[0];
        string text = Convert.ToBase64String(request[0].Data.Span);
        NamedTensor broken = request[0] with { Data = Encoding.ASCII.GetBytes("!" + text[1..]), IsBase64 = true };

        ArgumentException error = Assert.Throws<ArgumentException>(() => reference.RunMany([[broken]]));
        Assert.Contains($"inputs['{broken.Name}']", error.Message, StringComparison.Ordinal);
    }
}
