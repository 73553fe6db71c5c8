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
    public async Task A_timer_that_fires_before_max_delay_has_passed_on_the_clock_is_armed_again()
    {
        // SystemClock's timers tick in whole milliseconds, so a 2 ms delay can end 1.1 ms after it began. The batcher then
        // finds its batch not yet due; it must wait again rather than leave the request queued until the next one comes.
        EarlyTimerClock clock = new(_clock);
        await using ModelBatcher batcher = new(_session, new BatchSettings(32, TimeSpan.FromMilliseconds(2)), clock, NullLogger.Instance);
        Task<InferenceResult> pending = batcher.SubmitAsync(Input(1, 1).Tensors, 1, s_far);

        // The runner wakes on the early timer, finds nothing due and must wait on the clock again.
        for (int spins = 0; _clock.PendingDelays == 0 && spins < 2_000_000; spins++)
        {
            await Task.Yield();
        }

        Assert.True(_clock.PendingDelays >= 1, "the batcher did not wait on the clock again");
        Assert.False(pending.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(2));
        InferenceResult result = await pending.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken); // a bound, not a wait: it answers at once

        Assert.True(result.IsSuccess, result.Error?.Message);
    }

    [Fact]
    public async Task Base64_inputs_are_decoded_into_the_pooled_buffer_and_a_bad_request_in_a_batch_leaves_its_rows_to_the_next()
    {
        await using ModelBatcher batcher = new(_session, new BatchSettings(32, TimeSpan.FromMilliseconds(2)), _clock, NullLogger.Instance, startRunner: false);
        (NamedTensor[] a, float[] ia) = Input(2, seed: 1);
        float[] nan = TestModels.UniformInput(64, 2);
        nan[5] = float.NaN;
        (NamedTensor[] c, float[] ic) = Input(1, seed: 3);
        NamedTensor[] aText = [a[0] with { Data = Base64(a[0].Data), IsBase64 = true }];
        NamedTensor[] bad = [new NamedTensor("x", InferenceDType.Float32, [1, 64], MemoryMarshal.AsBytes(nan.AsSpan()).ToArray())];
        NamedTensor[] notBase64 = [c[0] with { Data = Enumerable.Repeat((byte)'!', 344).ToArray(), IsBase64 = true }];

        Task<InferenceResult> ta = batcher.SubmitWire(aText, 2, s_far).AsTask();
        Task<InferenceResult> tb = batcher.SubmitAsync(bad, 1, s_far);
        Task<InferenceResult> tn = batcher.SubmitAsync(notBase64, 1, s_far);
        Task<InferenceResult> tc = batcher.SubmitAsync(c, 1, s_far);
        _clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.True(batcher.PumpOnce());

        InferenceResult ra = await ta;
        Assert.True(ra.IsSuccess, ra.Error?.Message);
        Assert.Equal(3, ra.BatchRows); // a's 2 rows and c's, which took the bad requests' places
        using System.Text.Json.JsonDocument response = System.Text.Json.JsonDocument.Parse(ra.ResponseBody!.Value);
        System.Text.Json.JsonElement y = response.RootElement.GetProperty("outputs")[0];
        Assert.Equal("y", y.GetProperty("name").GetString());
        Assert.Equal("float32", y.GetProperty("dtype").GetString());
        Assert.Equal([2L, 10], y.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        AssertClose(_model.Forward(ia, 2), MemoryMarshal.Cast<byte, float>(y.GetProperty("data").GetBytesFromBase64()));
        Assert.Equal(0UL, response.RootElement.GetProperty("computeUs").GetUInt64()); // the run took no time on the manual clock
        Assert.Contains("NaN or infinity at element 5", (await tb).Error!.Message, StringComparison.Ordinal);
        Assert.Contains("not valid base64", (await tn).Error!.Message, StringComparison.Ordinal);
        InferenceResult rc = await tc;
        AssertClose(_model.Forward(ic, 1), MemoryMarshal.Cast<byte, float>(rc.Outputs[0].Data.Span));
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

    private static byte[] Base64(ReadOnlyMemory<byte> data) => System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(data.Span));

    /// <summary>A manual clock whose first timer fires at once, before the time it waits for has passed.</summary>
    private sealed class EarlyTimerClock(ManualClock inner) : Core.IClock
    {
        private int _delays;

        public DateTimeOffset UtcNow => inner.UtcNow;

        public TimeSpan Elapsed => inner.Elapsed;

        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _delays) == 1 ? Task.CompletedTask : inner.DelayAsync(delay, cancellationToken);
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
