// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.InteropServices;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Inference.Batching;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Sessions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Inference.Tests.Batching;

public sealed class ModelBatcherTests : IDisposable
{
    private static readonly TimeSpan s_far = TimeSpan.FromSeconds(10);
    private readonly ManualClock _clock = new();
    private readonly GeneratedModel _model = TestModels.Get(BundledModels.MlpTiny);
    private readonly ModelSession _session;

    public ModelBatcherTests()
    {
        ModelSignature signature = TestRegistry.Entry(BundledModels.MlpTiny).ToSignature() with { MaxBatch = 8 };
        _session = ModelSession.Create(_model.Id, _model.Bytes, signature, new SessionSettings { IntraOpThreads = 1 }, new FixedExecutionProviderCatalog([]), NullLogger.Instance);
    }

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task Requests_within_max_delay_share_one_run_and_each_gets_its_own_rows_back()
    {
        await using ModelBatcher batcher = new(_session, new BatchSettings(32, TimeSpan.FromMilliseconds(2)), _clock, NullLogger.Instance, startRunner: false);
        (NamedTensor[] a, float[] ia) = Input(1, seed: 1);
        (NamedTensor[] b, float[] ib) = Input(2, seed: 2);
        (NamedTensor[] c, float[] ic) = Input(1, seed: 3);

        Task<InferenceResult> ta = batcher.SubmitAsync(a, 1, _clock.Elapsed + s_far);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Task<InferenceResult> tb = batcher.SubmitAsync(b, 2, _clock.Elapsed + s_far);
        Task<InferenceResult> tc = batcher.SubmitAsync(c, 1, _clock.Elapsed + s_far);
        Assert.False(batcher.PumpOnce());
        _clock.Advance(TimeSpan.FromMilliseconds(0.5));
        Assert.False(batcher.PumpOnce());
        _clock.Advance(TimeSpan.FromMilliseconds(0.5));
        Assert.True(batcher.PumpOnce());

        Assert.Equal(1, batcher.BatchesRun);
        foreach ((Task<InferenceResult> task, float[] input, int rows) in new[] { (ta, ia, 1), (tb, ib, 2), (tc, ic, 1) })
        {
            InferenceResult result = await task;
            Assert.True(result.IsSuccess, result.Error?.Message);
            Assert.Equal(4, result.BatchRows);
            Assert.Equal([rows, 10L], result.Outputs[0].Shape);
            AssertClose(_model.Forward(input, rows), MemoryMarshal.Cast<byte, float>(result.Outputs[0].Data.Span));
        }
    }

    [Fact]
    public async Task A_full_batch_runs_at_once_and_the_rest_waits_for_the_next()
    {
        await using ModelBatcher batcher = new(_session, new BatchSettings(4, TimeSpan.FromMilliseconds(2)), _clock, NullLogger.Instance, startRunner: false);

        Task<InferenceResult> first = batcher.SubmitAsync(Input(3, 1).Tensors, 3, s_far);
        Task<InferenceResult> second = batcher.SubmitAsync(Input(1, 2).Tensors, 1, s_far);
        Task<InferenceResult> third = batcher.SubmitAsync(Input(2, 3).Tensors, 2, s_far);

        Assert.True(batcher.PumpOnce());
        Assert.Equal(4, (await first).BatchRows);
        Assert.Equal(4, (await second).BatchRows);
        Assert.False(third.IsCompleted);
        Assert.False(batcher.PumpOnce());
        _clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.True(batcher.PumpOnce());
        Assert.Equal(2, (await third).BatchRows);
    }

    [Fact]
    public async Task A_request_past_its_deadline_is_answered_DeadlineExceeded_and_never_runs()
    {
        await using ModelBatcher batcher = new(_session, new BatchSettings(32, TimeSpan.FromMilliseconds(2)), _clock, NullLogger.Instance, startRunner: false);

        Task<InferenceResult> late = batcher.SubmitAsync(Input(1, 1).Tensors, 1, _clock.Elapsed + TimeSpan.FromMilliseconds(1));
        _clock.Advance(TimeSpan.FromMilliseconds(2));

        Assert.False(batcher.PumpOnce());
        Assert.Equal(InferenceErrorCode.DeadlineExceeded, (await late).Error?.Code);
        Assert.Equal(0, batcher.BatchesRun);
    }

    [Fact]
    public async Task More_than_four_max_batches_of_queued_rows_is_Busy()
    {
        await using ModelBatcher batcher = new(_session, new BatchSettings(32, TimeSpan.FromMilliseconds(2)), _clock, NullLogger.Instance, startRunner: false);
        NamedTensor[] eight = Input(8, 1).Tensors;
        for (int i = 0; i < 4; i++)
        {
            _ = batcher.SubmitAsync(eight, 8, s_far);
        }

        InferenceResult busy = await batcher.SubmitAsync(Input(1, 2).Tensors, 1, s_far);

        Assert.Equal(InferenceErrorCode.Busy, busy.Error?.Code);
        Assert.Equal(32, batcher.QueuedRows);
    }

    [Fact]
    public async Task The_runner_fires_a_partial_batch_when_the_manual_clock_reaches_max_delay()
    {
        await using ModelBatcher batcher = new(_session, new BatchSettings(32, TimeSpan.FromMilliseconds(2)), _clock, NullLogger.Instance);
        Task<InferenceResult> pending = batcher.SubmitAsync(Input(1, 1).Tensors, 1, s_far);

        Assert.False(pending.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(2));
        InferenceResult result = await pending.WaitAsync(TestContext.Current.CancellationToken);

        Assert.True(result.IsSuccess);
        Assert.Equal(1, result.BatchRows);
    }

    [Fact]
    public async Task With_zero_delay_an_idle_batcher_runs_the_request_on_the_callers_thread()
    {
        await using ModelBatcher batcher = new(_session, new BatchSettings(32, TimeSpan.Zero), _clock, NullLogger.Instance);

        Task<InferenceResult> task = batcher.SubmitAsync(Input(2, 1).Tensors, 2, s_far);

        Assert.True(task.IsCompleted);
        Assert.True((await task).IsSuccess);
    }

    [Fact]
    public async Task Disposing_answers_queued_requests_ModelNotReady()
    {
        ModelBatcher batcher = new(_session, new BatchSettings(32, TimeSpan.FromMilliseconds(2)), _clock, NullLogger.Instance, startRunner: false);
        Task<InferenceResult> queued = batcher.SubmitAsync(Input(1, 1).Tensors, 1, s_far);

        await batcher.DisposeAsync();

        Assert.Equal(InferenceErrorCode.ModelNotReady, (await queued).Error?.Code);
    }

    private static (NamedTensor[] Tensors, float[] Values) Input(int rows, ulong seed)
    {
        float[] values = TestModels.UniformInput(rows * 64, seed);
        return ([new NamedTensor("x", InferenceDType.Float32, [rows, 64], MemoryMarshal.AsBytes(values.AsSpan()).ToArray())], values);
    }

    internal static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 + (1e-3 * Math.Abs(expected[i])), $"[{i}] {actual[i]} vs {expected[i]}");
        }
    }
}
