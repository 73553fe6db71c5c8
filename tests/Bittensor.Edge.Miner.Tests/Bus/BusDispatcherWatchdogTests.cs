// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Inference;
using Bittensor.Edge.Miner.Bus;
using Bittensor.Edge.Miner.Hosting;
using Bittensor.Edge.Miner.Models;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Miner.Tests.Bus;

public sealed class BusDispatcherWatchdogTests
{
    [Fact]
    public async Task A_request_stuck_30_s_past_its_deadline_withholds_the_watchdog_until_it_finishes()
    {
        ManualClock clock = new(DateTimeOffset.UtcNow);
        StuckInference stuck = new();
        await using DispatcherRig rig = new(clock, inference: stuck);
        InferRunParams parameters = new("mlp-tiny-v1", Sha256.Hash([1]), [new BusInferItem([new BusTensor("x", TensorDType.Float32, [1, 1], 0, 4)])]);
        BusRequest request = rig.Request(BusMethods.InferRun, parameters, FleetJsonContext.Default.InferRunParams, new byte[4], out byte[] correlation, rig.Deadline(10));

        Task<byte[]?> running = rig.Handle(request);
        await stuck.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        rig.Health.MainLoopTicked();
        Assert.True(rig.Health.IsHealthy());

        clock.Advance(TimeSpan.FromSeconds(39)); // 29 s past the 10 s deadline: still within the grace
        rig.Health.MainLoopTicked();
        Assert.True(rig.Health.IsHealthy());
        clock.Advance(TimeSpan.FromSeconds(2));
        rig.Health.MainLoopTicked();
        Assert.False(rig.Health.IsHealthy());

        stuck.Release.SetResult(InferenceResult.Failure(InferenceErrorCode.DeadlineExceeded, "late"));
        Assert.Equal(BusErrors.DeadlineExceeded, rig.Open(await running, correlation).Header.Error);
        Assert.True(rig.Health.IsHealthy());
    }

    private sealed class StuckInference : IInferenceService
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<InferenceResult> Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<AdvertisedModel> Models => [];

        public Task<InferenceResult> InferAsync(string modelId, Hash256 modelSha256, IReadOnlyList<NamedTensor> inputs, TimeSpan timeout)
        {
            Entered.TrySetResult();
            return Release.Task;
        }
    }
}
