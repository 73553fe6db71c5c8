// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Bittensor.Edge.Inference.Sessions;

/// <summary>
/// One warm ONNX Runtime session for one model, with pooled input and output buffers: a pinned array per input and
/// output sized for <see cref="ModelSignature.MaxRows"/> rows, and OrtValues over them created once per row count, so a
/// run allocates no tensor memory. Outputs are pre-bound (ONNX Runtime writes straight into the pinned arrays).
/// </summary>
/// <remarks>
/// <para>Not thread-safe: the buffers are shared, so one caller (the model's batcher) fills inputs, calls
/// <see cref="Run"/> and reads outputs at a time. <see cref="Dispose"/> releases the session and every OrtValue; call
/// it once no run is in flight.</para>
/// <para>The execution provider is chosen by <see cref="Create"/> (inference.md §3): each EP of
/// <see cref="ExecutionProviders.Choose"/> is tried in order; a failure logs a warning and falls back to the next, and
/// CPU is always last.</para>
/// </remarks>
public sealed class ModelSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly byte[][] _inputBuffers;
    private readonly byte[][] _outputBuffers;
    private readonly OrtValue[]?[] _inputValues;
    private readonly OrtValue[]?[] _outputValues;

    // The signature's figures the request path reads on every run, worked out once (the signature derives them from
    // interface-typed lists each time, which after a run that streamed the weights through the caches costs misses).
    private readonly int _maxRows;
    private readonly int[] _inputRowBytes;
    private readonly int[] _outputRowBytes;
    private bool _disposed;

    private ModelSession(string modelId, InferenceSession session, ModelSignature signature, string provider, bool degraded)
    {
        ModelId = modelId;
        _session = session;
        Signature = signature;
        ExecutionProvider = provider;
        ProviderDegraded = degraded;
        _runOptions = new RunOptions();
        _inputNames = signature.Inputs.Select(i => i.Name).ToArray();
        _outputNames = signature.Outputs.Select(o => o.Name).ToArray();
        int rows = signature.MaxRows;
        _maxRows = rows;
        _inputRowBytes = [.. signature.Inputs.Select(i => checked((int)i.RowBytes))];
        _outputRowBytes = [.. signature.Outputs.Select(o => checked((int)o.RowBytes))];
        _inputBuffers = [.. _inputRowBytes.Select(b => GC.AllocateArray<byte>(checked(b * rows), pinned: true))];
        _outputBuffers = [.. _outputRowBytes.Select(b => GC.AllocateArray<byte>(checked(b * rows), pinned: true))];
        _inputValues = new OrtValue[rows + 1][];
        _outputValues = new OrtValue[rows + 1][];
    }

    /// <summary>The model id, for logs.</summary>
    public string ModelId { get; }

    /// <summary>The inputs and outputs served.</summary>
    public ModelSignature Signature { get; }

    /// <summary>The execution provider that runs this session (short name, e.g. <c>CPU</c>).</summary>
    public string ExecutionProvider { get; }

    /// <summary>Whether a preferred EP failed and a later one was used (<c>epDegraded</c> in device state).</summary>
    public bool ProviderDegraded { get; }

    /// <summary>The underlying session, for benchmarks that time a raw run. Do not dispose it.</summary>
    public InferenceSession InnerSession => _session;

    /// <summary>
    /// Creates the session from the model bytes, trying the EPs of <paramref name="settings"/> that
    /// <paramref name="catalog"/> offers, in order, down to CPU.
    /// </summary>
    /// <exception cref="OnnxRuntimeException">Even the CPU EP could not load the model.</exception>
    public static ModelSession Create(string modelId, byte[] model, ModelSignature signature, SessionSettings settings, IExecutionProviderCatalog catalog, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(logger);
        IReadOnlyList<string> order = ExecutionProviders.Choose(settings.ExecutionProviders, catalog.GetAvailableProviders());
        for (int i = 0; i < order.Count; i++)
        {
            string provider = order[i];
            if (provider == ExecutionProviders.Cpu)
            {
                using SessionOptions cpuOptions = CreateOptions(provider, settings, signature);
                InferenceSession cpu = new(model, cpuOptions);
                Log.ProviderChosen(logger, modelId, provider);
                return new ModelSession(modelId, cpu, signature, provider, degraded: i > 0);
            }

            if (TryCreate(model, provider, settings, signature, out InferenceSession? session, out string? reason))
            {
                Log.ProviderChosen(logger, modelId, provider);
                return new ModelSession(modelId, session, signature, provider, degraded: i > 0);
            }

            Log.ProviderFallback(logger, modelId, provider, reason, order[i + 1]);
        }

        throw new UnreachableException("The EP order always ends with CPU.");
    }

    /// <summary>The session options for one EP (inference.md §3): CPU threads and optimisation, CUDA without TF32, TensorRT with an engine cache.</summary>
    public static SessionOptions CreateOptions(string provider, SessionSettings settings, ModelSignature signature)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(signature);
        SessionOptions options = new()
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
            IntraOpNumThreads = settings.EffectiveIntraOpThreads,
            EnableMemoryPattern = true,
            EnableCpuMemArena = true,
        };
        try
        {
            switch (provider)
            {
                case ExecutionProviders.Cuda:
                    {
                        using OrtCUDAProviderOptions cuda = new();
                        cuda.UpdateOptions(new Dictionary<string, string>
                        {
                            ["device_id"] = settings.DeviceId.ToString(CultureInfo.InvariantCulture),
                            ["use_tf32"] = "0",
                        });
                        options.AppendExecutionProvider_CUDA(cuda);
                        break;
                    }

                case ExecutionProviders.TensorRt:
                    {
                        using OrtTensorRTProviderOptions trt = new();
                        int max = Math.Max(1, Math.Min(settings.TensorRtMaxBatch, signature.MaxRows));
                        trt.UpdateOptions(new Dictionary<string, string>
                        {
                            ["device_id"] = settings.DeviceId.ToString(CultureInfo.InvariantCulture),
                            ["trt_engine_cache_enable"] = "1",
                            ["trt_engine_cache_path"] = settings.TensorRtCachePath,
                            ["trt_fp16_enable"] = settings.AllowFp16 ? "1" : "0",
                            ["trt_max_workspace_size"] = "1073741824",
                            ["trt_profile_min_shapes"] = ProfileShapes(signature, 1),
                            ["trt_profile_opt_shapes"] = ProfileShapes(signature, Math.Min(8, max)),
                            ["trt_profile_max_shapes"] = ProfileShapes(signature, max),
                        });
                        options.AppendExecutionProvider_Tensorrt(trt);
                        break;
                    }

                case ExecutionProviders.Xnnpack:
                    options.AppendExecutionProvider("XNNPACK", new Dictionary<string, string>
                    {
                        ["intra_op_num_threads"] = settings.EffectiveIntraOpThreads.ToString(CultureInfo.InvariantCulture),
                    });
                    break;
                default:
                    break;
            }

            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    private static string ProfileShapes(ModelSignature signature, int rows) =>
        string.Join(',', signature.Inputs.Select(i => $"{i.Name}:{string.Join('x', i.ShapeFor(i.HasBatchDim ? rows : 1))}"));

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Any failure to create a session on an optional EP means falling back to the next (inference.md §3); the reason is logged.")]
    private static bool TryCreate(byte[] model, string provider, SessionSettings settings, ModelSignature signature, [NotNullWhen(true)] out InferenceSession? session, [NotNullWhen(false)] out string? reason)
    {
        try
        {
            using SessionOptions options = CreateOptions(provider, settings, signature);
            session = new InferenceSession(model, options);
            reason = null;
            return true;
        }
        catch (Exception ex)
        {
            session = null;
            reason = $"{ex.GetType().Name}: {ex.Message}";
            return false;
        }
    }

    /// <summary>The most rows one run holds (<see cref="ModelSignature.MaxRows"/>).</summary>
    public int MaxRows => _maxRows;

    /// <summary>Bytes in one row of input <paramref name="index"/> (<see cref="TensorSpec.RowBytes"/>).</summary>
    public int InputRowBytes(int index) => _inputRowBytes[index];

    /// <summary>Bytes in one row of output <paramref name="index"/> (<see cref="TensorSpec.RowBytes"/>).</summary>
    public int OutputRowBytes(int index) => _outputRowBytes[index];

    /// <summary>The pooled input buffer of input <paramref name="index"/> for <paramref name="rows"/> rows, to fill before <see cref="Run"/>.</summary>
    public Span<byte> InputBuffer(int index, int rows)
    {
        CheckRows(rows);
        return _inputBuffers[index].AsSpan(0, _inputRowBytes[index] * rows);
    }

    /// <summary>The pooled output buffer of output <paramref name="index"/> for <paramref name="rows"/> rows, valid after <see cref="Run"/> until the next run.</summary>
    public ReadOnlySpan<byte> OutputBuffer(int index, int rows)
    {
        CheckRows(rows);
        return _outputBuffers[index].AsSpan(0, _outputRowBytes[index] * rows);
    }

    /// <summary>Runs the model on the first <paramref name="rows"/> rows of the input buffers, writing the output buffers.</summary>
    /// <exception cref="OnnxRuntimeException">The run failed in ONNX Runtime.</exception>
    public void Run(int rows)
    {
        CheckRows(rows);
        OrtValue[] inputs = _inputValues[rows] ??= CreateValues(Signature.Inputs, _inputBuffers, rows);
        OrtValue[] outputs = _outputValues[rows] ??= CreateValues(Signature.Outputs, _outputBuffers, rows);
        _session.Run(_runOptions, _inputNames, inputs, _outputNames, outputs);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (OrtValue[]? values in _inputValues.Concat(_outputValues))
        {
            if (values is not null)
            {
                foreach (OrtValue value in values)
                {
                    value.Dispose();
                }
            }
        }

        _runOptions.Dispose();
        _session.Dispose();
    }

    private void CheckRows(int rows)
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(ModelSession));
        }

        if (rows < 1 || rows > _maxRows)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(rows), rows, $"Rows must be 1..{_maxRows}.");
        }
    }

    private static OrtValue[] CreateValues(IReadOnlyList<TensorSpec> specs, byte[][] buffers, int rows)
    {
        OrtValue[] values = new OrtValue[specs.Count];
        for (int i = 0; i < specs.Count; i++)
        {
            TensorSpec spec = specs[i];
            long[] shape = spec.HasBatchDim ? spec.ShapeFor(rows) : spec.ShapeFor(1);
            values[i] = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance,
                ElementType(spec.DType),
                shape,
                Marshal.UnsafeAddrOfPinnedArrayElement(buffers[i], 0),
                spec.RowBytes * rows);
        }

        return values;
    }

    /// <summary>The ONNX Runtime element type of <paramref name="dtype"/>.</summary>
    public static TensorElementType ElementType(InferenceDType dtype) => dtype switch
    {
        InferenceDType.Float32 => TensorElementType.Float,
        InferenceDType.Float16 => TensorElementType.Float16,
        InferenceDType.Int64 => TensorElementType.Int64,
        InferenceDType.Int32 => TensorElementType.Int32,
        InferenceDType.UInt8 => TensorElementType.UInt8,
        InferenceDType.Bool => TensorElementType.Bool,
        _ => TensorElementType.DataTypeMax,
    };

    /// <summary>The <see cref="InferenceDType"/> of an ONNX Runtime element type, if served.</summary>
    public static bool TryGetDType(TensorElementType elementType, out InferenceDType dtype)
    {
        switch (elementType)
        {
            case TensorElementType.Float: dtype = InferenceDType.Float32; return true;
            case TensorElementType.Float16: dtype = InferenceDType.Float16; return true;
            case TensorElementType.Int64: dtype = InferenceDType.Int64; return true;
            case TensorElementType.Int32: dtype = InferenceDType.Int32; return true;
            case TensorElementType.UInt8: dtype = InferenceDType.UInt8; return true;
            case TensorElementType.Bool: dtype = InferenceDType.Bool; return true;
            default: dtype = default; return false;
        }
    }
}
