// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Sessions;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Inference.Tests.Sessions;

public class ExecutionProviderTests
{
    [Fact]
    public void The_board_order_is_intersected_with_what_the_build_offers_and_CPU_comes_last()
    {
        string[] jetson = ["TensorRT", "CUDA", "CPU"];

        Assert.Equal(["TensorRT", "CUDA", "CPU"], ExecutionProviders.Choose(jetson, ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]));
        Assert.Equal(["CUDA", "CPU"], ExecutionProviders.Choose(jetson, ["CUDAExecutionProvider", "CPUExecutionProvider"]));
        Assert.Equal(["CPU"], ExecutionProviders.Choose(jetson, ["CPUExecutionProvider"]));
        Assert.Equal(["CPU"], ExecutionProviders.Choose(["XNNPACK", "CPU"], ["CPUExecutionProvider"]));
        Assert.Equal(["CPU"], ExecutionProviders.Choose([], []));
        Assert.Equal(["CUDA", "CPU"], ExecutionProviders.Choose(["CPU", "CUDA"], ["CUDAExecutionProvider"]));
    }

    [Fact]
    public void The_real_cpu_build_offers_the_cpu_provider()
    {
        Assert.Contains("CPUExecutionProvider", OrtExecutionProviderCatalog.Instance.GetAvailableProviders());
    }

    [Fact]
    public void Cuda_claimed_by_a_fake_catalog_fails_on_the_cpu_build_and_falls_back_to_cpu_with_a_log_line()
    {
        GeneratedModel model = TestModels.Get(BundledModels.MlpTiny);
        ListLogger logger = new();
        SessionSettings settings = new() { ExecutionProviders = ["CUDA", "CPU"], IntraOpThreads = 1 };

        using ModelSession session = ModelSession.Create(
            model.Id, model.Bytes, TestRegistry.Entry(model.Id).ToSignature(), settings,
            new FixedExecutionProviderCatalog(["CUDAExecutionProvider", "CPUExecutionProvider"]), logger);

        Assert.Equal(ExecutionProviders.Cpu, session.ExecutionProvider);
        Assert.True(session.ProviderDegraded);
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("CUDA", StringComparison.Ordinal) && l.Message.Contains("falling back to CPU", StringComparison.Ordinal));
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Information && l.Message.Contains("runs on the CPU execution provider", StringComparison.Ordinal));
        session.Run(1);
    }

    [Fact]
    public void Without_a_claimed_gpu_the_cpu_provider_is_chosen_without_degradation()
    {
        GeneratedModel model = TestModels.Get(BundledModels.MlpTiny);
        SessionSettings settings = new() { ExecutionProviders = ["TensorRT", "CUDA", "CPU"], IntraOpThreads = 1 };

        using ModelSession session = ModelSession.Create(model.Id, model.Bytes, TestRegistry.Entry(model.Id).ToSignature(), settings, new FixedExecutionProviderCatalog(["CPUExecutionProvider"]), new ListLogger());

        Assert.Equal(ExecutionProviders.Cpu, session.ExecutionProvider);
        Assert.False(session.ProviderDegraded);
    }
}
