// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Inference.Sessions;

/// <summary>
/// How sessions are created on this host (inference.md §3): the board profile's EP order and the CPU, CUDA and
/// TensorRT options. Immutable; share one instance.
/// </summary>
public sealed record SessionSettings
{
    /// <summary>The board profile's <c>executionProviders</c>, in order (short or ONNX Runtime names). CPU is always added last.</summary>
    public IReadOnlyList<string> ExecutionProviders { get; init; } = [Sessions.ExecutionProviders.Cpu];

    /// <summary>CPU intra-op threads; 0 means the core count, or one less when <see cref="ReserveCoreForStorage"/>.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Whether the device also serves storage, so inference leaves it one core.</summary>
    public bool ReserveCoreForStorage { get; init; }

    /// <summary>CUDA/TensorRT device ordinal.</summary>
    public int DeviceId { get; init; }

    /// <summary>TensorRT engine cache folder (keyed by model SHA-256 and TensorRT version inside).</summary>
    public string TensorRtCachePath { get; init; } = "/data/bte/trt-cache";

    /// <summary>Whether TensorRT may build FP16 engines; only when the manifest's <c>fp16</c> is not null.</summary>
    public bool AllowFp16 { get; init; }

    /// <summary>Effective max batch for the TensorRT shape profile (min 1, opt 8, max this).</summary>
    public int TensorRtMaxBatch { get; init; } = 16;

    /// <summary>The CPU intra-op thread count these settings give on this machine.</summary>
    public int EffectiveIntraOpThreads
    {
        get
        {
            if (IntraOpThreads > 0)
            {
                return IntraOpThreads;
            }

            int cores = Environment.ProcessorCount;
            return Math.Max(1, ReserveCoreForStorage ? cores - 1 : cores);
        }
    }
}
