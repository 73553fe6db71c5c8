// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Microsoft.ML.OnnxRuntime;

namespace Bittensor.Edge.Inference.Sessions;

/// <summary>
/// Execution-provider names and the run-time choice of inference.md §3: the board profile's order, intersected with
/// what the native build reports as available, in order, with CPU always last. Never an EP that is not available.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>short name (board profiles)</term><description>ONNX Runtime name</description></listheader>
/// <item><term><c>TensorRT</c></term><description><c>TensorrtExecutionProvider</c></description></item>
/// <item><term><c>CUDA</c></term><description><c>CUDAExecutionProvider</c></description></item>
/// <item><term><c>XNNPACK</c></term><description><c>XnnpackExecutionProvider</c></description></item>
/// <item><term><c>CPU</c></term><description><c>CPUExecutionProvider</c></description></item>
/// </list>
/// Thread-safe (stateless).
/// </remarks>
public static class ExecutionProviders
{
    /// <summary>The CPU EP, present in every build.</summary>
    public const string Cpu = "CPU";

    /// <summary>The CUDA EP (GPU node flavour, Jetson's JetPack build).</summary>
    public const string Cuda = "CUDA";

    /// <summary>The TensorRT EP (Jetson's JetPack build).</summary>
    public const string TensorRt = "TensorRT";

    /// <summary>The XNNPACK EP (a source build only).</summary>
    public const string Xnnpack = "XNNPACK";

    /// <summary>The short name for a short or ONNX Runtime name (case-insensitive), or null for an unknown EP.</summary>
    public static string? Normalize(string name) => name?.ToUpperInvariant() switch
    {
        "CPU" or "CPUEXECUTIONPROVIDER" => Cpu,
        "CUDA" or "CUDAEXECUTIONPROVIDER" => Cuda,
        "TENSORRT" or "TENSORRTEXECUTIONPROVIDER" => TensorRt,
        "XNNPACK" or "XNNPACKEXECUTIONPROVIDER" => Xnnpack,
        _ => null,
    };

    /// <summary>
    /// The EPs to try, in order: each of <paramref name="preferred"/> that <paramref name="available"/> lists (either
    /// naming form), without repeats, then CPU if it is not already there.
    /// </summary>
    public static IReadOnlyList<string> Choose(IEnumerable<string> preferred, IEnumerable<string> available)
    {
        ArgumentNullException.ThrowIfNull(preferred);
        ArgumentNullException.ThrowIfNull(available);
        HashSet<string> offered = new(StringComparer.Ordinal);
        foreach (string name in available)
        {
            if (Normalize(name) is { } ep)
            {
                offered.Add(ep);
            }
        }

        List<string> order = [];
        foreach (string name in preferred)
        {
            if (Normalize(name) is { } ep && ep != Cpu && offered.Contains(ep) && !order.Contains(ep))
            {
                order.Add(ep);
            }
        }

        order.Add(Cpu);
        return order;
    }
}

/// <summary>What the loaded native ONNX Runtime offers; a seam so tests can claim GPU EPs on a CPU-only build.</summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IExecutionProviderCatalog
{
    /// <summary>Provider names as ONNX Runtime reports them (e.g. <c>CPUExecutionProvider</c>).</summary>
    IReadOnlyList<string> GetAvailableProviders();
}

/// <summary>
/// The real catalog: <c>OrtEnv.Instance().GetAvailableProviders()</c>. The native library loads on the first call, not
/// before, so code paths that never run a model never touch it (its arm64 build aborts under qemu-user).
/// </summary>
public sealed class OrtExecutionProviderCatalog : IExecutionProviderCatalog
{
    private OrtExecutionProviderCatalog()
    {
    }

    /// <summary>The one instance.</summary>
    public static OrtExecutionProviderCatalog Instance { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyList<string> GetAvailableProviders() => OrtEnv.Instance().GetAvailableProviders();
}

/// <summary>A fixed provider list, for tests and for the simulation's virtual boards.</summary>
/// <param name="Providers">The names to report.</param>
public sealed record FixedExecutionProviderCatalog(IReadOnlyList<string> Providers) : IExecutionProviderCatalog
{
    /// <inheritdoc/>
    public IReadOnlyList<string> GetAvailableProviders() => Providers;
}
