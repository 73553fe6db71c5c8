// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Axon.Tests;

public class AxonHandlerTests
{
    private static readonly Hash256 s_root = Sha256.Hash("sector"u8);
    private static readonly InferenceRequest s_inference = new("mlp-tiny-v1", s_root, [new Tensor("x", TensorDType.Float32, [1, 2], new byte[8])]);
    private static readonly InferenceResponse s_output = new([new Tensor("y", TensorDType.Float32, [1, 1], new byte[4])], 42);

    [Fact]
    public async Task A_handler_answer_reaches_the_dendrite_with_its_caller_context()
    {
        SynapseContext? seen = null;
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(b => b.MapInference((request, context, _) =>
        {
            seen = context;
            return ValueTask.FromResult<SynapseResult<InferenceResponse>>(s_output);
        }));

        DendriteResult<InferenceResponse> result = await env.DendriteOf(env.Validator).InferenceAsync(env.Target, s_inference, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.Ok, result.Status);
        Assert.Equal(42UL, result.Response!.ComputeUs);
        Assert.Equal(env.Validator.PublicKey, seen!.Caller);
        Assert.Equal(1_000UL, seen.CallerStakeRao);
        Assert.True(seen.CallerHasValidatorPermit);
        Assert.Equal(SynapseTimeouts.Inference, seen.Timeout);
    }

    [Fact]
    public async Task A_handler_exceeding_its_timeout_gets_408_when_the_axon_clock_reaches_the_deadline()
    {
        TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource never = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(b => b.MapInference(async (_, _, ct) =>
        {
            started.SetResult();
            await never.Task.WaitAsync(ct);
            return s_output;
        }));

        Task<DendriteResult<InferenceResponse>> call = env.DendriteOf(env.Validator)
            .InferenceAsync(env.Target, s_inference, TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        await started.Task.WaitAsync(TestContext.Current.CancellationToken);
        env.Clock.Advance(TimeSpan.FromSeconds(2));
        DendriteResult<InferenceResponse> result = await call;

        Assert.Equal(AxonStatus.Timeout, result.Status);
        Assert.False(result.IsLocal);
        Assert.Equal(DomainErrorCodes.DeadlineExceeded, result.Error?.Error);
    }

    [Fact]
    public async Task A_handler_that_ignores_its_token_still_gets_408_at_the_deadline()
    {
        TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(b => b.MapInference(async (_, _, _) =>
        {
            started.SetResult();
            await release.Task;
            return s_output;
        }));

        Task<DendriteResult<InferenceResponse>> call = env.DendriteOf(env.Validator)
            .InferenceAsync(env.Target, s_inference, TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        await started.Task.WaitAsync(TestContext.Current.CancellationToken);
        env.Clock.Advance(TimeSpan.FromSeconds(3));
        DendriteResult<InferenceResponse> result = await call;
        release.SetResult();

        Assert.Equal(AxonStatus.Timeout, result.Status);
    }

    [Fact]
    public async Task A_handler_domain_error_gets_422_with_the_error_body()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(b => b.MapRetrieveChunk(
            (request, _, _) => ValueTask.FromResult<SynapseResult<RetrieveChunkResponse>>(new DomainError(DomainErrorCodes.UnknownSector, $"No sector {request.Root}."))));

        DendriteResult<RetrieveChunkResponse> result = await env.DendriteOf(env.Validator)
            .RetrieveChunkAsync(env.Target, new RetrieveChunkRequest(s_root), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.UnprocessableEntity, result.Status);
        Assert.Equal(DomainErrorCodes.UnknownSector, result.Error?.Error);
        Assert.Equal($"No sector {s_root:x}.", result.Error?.Message);
        Assert.Equal($"{{\"error\":\"UnknownSector\",\"message\":\"No sector {s_root:x}.\"}}", System.Text.Encoding.UTF8.GetString(result.Body.Span));
        Assert.Null(result.Response);
    }

    [Fact]
    public async Task A_domain_error_may_carry_its_own_status()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(b => b.MapInference(
            (_, _, _) => ValueTask.FromResult<SynapseResult<InferenceResponse>>(new DomainError(DomainErrorCodes.ModelNotReady, "loading", AxonStatus.ServiceUnavailable))));

        DendriteResult<InferenceResponse> result = await env.DendriteOf(env.Validator).InferenceAsync(env.Target, s_inference, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.ServiceUnavailable, result.Status);
        Assert.Equal(DomainErrorCodes.ModelNotReady, result.Error?.Error);
    }

    [Fact]
    public async Task A_malformed_request_shape_gets_422_BadInput_before_the_handler_runs()
    {
        bool ran = false;
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(b => b.MapInference((_, _, _) =>
        {
            ran = true;
            return ValueTask.FromResult<SynapseResult<InferenceResponse>>(s_output);
        }));
        InferenceRequest wrongLength = s_inference with { Inputs = [new Tensor("x", TensorDType.Float32, [1, 2], new byte[7])] };

        DendriteResult<InferenceResponse> result = await env.DendriteOf(env.Validator).InferenceAsync(env.Target, wrongLength, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.UnprocessableEntity, result.Status);
        Assert.Equal(DomainErrorCodes.BadInput, result.Error?.Error);
        Assert.False(ran);
    }

    [Fact]
    public async Task A_handler_exception_gets_500_and_is_logged_as_an_error()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(b => b.MapInference(
            (_, _, _) => throw new InvalidOperationException("boom")));
        env.ErrorsExpected = true;

        DendriteResult<InferenceResponse> result = await env.DendriteOf(env.Validator).InferenceAsync(env.Target, s_inference, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.InternalServerError, result.Status);
        Assert.NotNull(result.Headers);
        Assert.DoesNotContain("boom", result.StatusMessage, StringComparison.Ordinal);
        Assert.Contains(env.Logs, e => e.Exception is InvalidOperationException { Message: "boom" });
    }

    [Fact]
    public async Task With_every_handler_slot_busy_and_no_queue_the_axon_answers_503()
    {
        TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(
            b => b.MapInference(async (_, _, ct) =>
            {
                started.TrySetResult();
                await release.Task.WaitAsync(ct);
                return s_output;
            }),
            new AxonOptions { MaxConcurrentHandlers = 1, MaxQueuedRequests = 0 });
        Dendrite dendrite = env.DendriteOf(env.Validator);

        Task<DendriteResult<InferenceResponse>> busy = dendrite.InferenceAsync(env.Target, s_inference, cancellationToken: TestContext.Current.CancellationToken);
        await started.Task.WaitAsync(TestContext.Current.CancellationToken);
        DendriteResult<InferenceResponse> refused = await dendrite.InferenceAsync(env.Target, s_inference, cancellationToken: TestContext.Current.CancellationToken);
        release.SetResult();

        Assert.Equal(AxonStatus.ServiceUnavailable, refused.Status);
        Assert.Equal("Overloaded", refused.Error?.Error);
        Assert.Equal(AxonStatus.Ok, (await busy).Status);
    }

    [Fact]
    public async Task A_request_still_queued_at_its_deadline_gets_408()
    {
        TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(
            b => b.MapInference(async (_, _, _) =>
            {
                started.TrySetResult();
                await release.Task;
                return s_output;
            }),
            new AxonOptions { MaxConcurrentHandlers = 1, MaxQueuedRequests = 4 });
        Dendrite dendrite = env.DendriteOf(env.Validator);
        CancellationToken ct = TestContext.Current.CancellationToken;

        Task<DendriteResult<InferenceResponse>> running = dendrite.InferenceAsync(env.Target, s_inference, TimeSpan.FromSeconds(10), ct);
        await started.Task.WaitAsync(ct);
        Task<DendriteResult<InferenceResponse>> queued = dendrite.InferenceAsync(env.Target, s_inference, TimeSpan.FromSeconds(1), ct);
        while (env.Clock.PendingDelays < 4)
        {
            await Task.Yield();
        }

        env.Clock.Advance(TimeSpan.FromSeconds(1));
        DendriteResult<InferenceResponse> expired = await queued;
        release.SetResult();

        Assert.Equal(AxonStatus.Timeout, expired.Status);
        Assert.Contains("queued", expired.Error?.Message, StringComparison.Ordinal);
        Assert.Equal(AxonStatus.Ok, (await running).Status);
    }

    [Fact]
    public async Task A_full_sector_StoreChunk_round_trips_and_its_signed_answer_is_a_receipt()
    {
        byte[]? received = null;
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(b => b.MapStoreChunk((request, _, _) =>
        {
            received = request.Data;
            return ValueTask.FromResult<SynapseResult<StoreChunkResponse>>(new StoreChunkResponse(request.Root, true));
        }));
        byte[] sector = new byte[StorageSizes.SectorBytes];
        new Random(7).NextBytes(sector);

        DendriteResult<StoreChunkResponse> result = await env.DendriteOf(env.Validator)
            .StoreChunkAsync(env.Target, new StoreChunkRequest(s_root, sector, 50_400), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.Ok, result.Status);
        Assert.Equal(s_root, result.Response!.Root.ToHash256());
        Assert.True(result.Response.Stored);
        Assert.Equal(sector, received);
        Assert.Equal(env.AxonKey.PublicKey, result.Headers!.AxonHotkey);
    }

    [Fact]
    public async Task A_StoreChunk_of_the_wrong_size_gets_422_BadInput()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(b => b.MapStoreChunk(
            (request, _, _) => ValueTask.FromResult<SynapseResult<StoreChunkResponse>>(new StoreChunkResponse(request.Root, true))));

        DendriteResult<StoreChunkResponse> result = await env.DendriteOf(env.Validator)
            .StoreChunkAsync(env.Target, new StoreChunkRequest(s_root, new byte[4096], 1), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.UnprocessableEntity, result.Status);
        Assert.Equal(DomainErrorCodes.BadInput, result.Error?.Error);
    }

    [Fact]
    public async Task A_raw_handler_s_pooled_body_is_sent_then_released_exactly_once()
    {
        byte[] pooled = System.Buffers.ArrayPool<byte>.Shared.Rent(256);
        byte[] json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(s_output, ProtocolJsonContext.Default.InferenceResponse);
        json.CopyTo(pooled, 0);
        pooled.AsSpan(json.Length).Fill((byte)'!'); // what lies past the body must never be sent
        int released = 0;
        TaskCompletionSource releasedOnce = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(b => b.MapRaw(
            SynapseNames.Inference,
            (_, _, _) => ValueTask.FromResult(new RawSynapseResult(pooled.AsMemory(0, json.Length), () =>
            {
                Interlocked.Increment(ref released);
                releasedOnce.TrySetResult();
            })))))
        {
            DendriteResult<InferenceResponse> result = await env.DendriteOf(env.Validator).InferenceAsync(env.Target, s_inference, cancellationToken: TestContext.Current.CancellationToken);

            Assert.Equal(AxonStatus.Ok, result.Status);
            Assert.Equal(42UL, result.Response!.ComputeUs);

            // The axon releases after its write completes, which may be just after the dendrite has the response.
            await releasedOnce.Task.WaitAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, Volatile.Read(ref released));
        System.Buffers.ArrayPool<byte>.Shared.Return(pooled);
    }
}
