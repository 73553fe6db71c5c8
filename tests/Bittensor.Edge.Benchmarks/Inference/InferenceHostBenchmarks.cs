// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Inference;
using Bittensor.Edge.Inference.Batching;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Scoring;
using Bittensor.Edge.Inference.Sessions;
using Bittensor.Edge.Inference.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace Bittensor.Edge.Benchmarks.Inference;

/// <summary>
/// <c>mlp-bench-v1</c> (inference.md §7): a raw <c>session.Run</c> at batch 1 with pre-created OrtValues (the baseline)
/// against the whole host request path on the same session and the same input (request JSON bytes → read → validate →
/// batcher with maxDelay 0 → base64 decode into the pooled buffer → run → response JSON bytes, as the axon's Inference
/// handler runs it); a direct run at batch 32 (its ratio over 32 is the per-row cost, so batch_gain = 32 / Ratio); and
/// the validator's recompute of one 4-row request on a reference session (run + comparison).
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet derives from benchmark classes.</remarks>
[MemoryDiagnoser]
public class InferenceHostBenchmarks : IDisposable
{
    private InferenceHost _host = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue[] _in1 = null!;
    private OrtValue[] _out1 = null!;
    private OrtValue[] _in32 = null!;
    private OrtValue[] _out32 = null!;
    private NamedTensor[] _request = null!;
    private byte[] _requestBody = null!;
    private ReferenceModel _reference = null!;
    private NamedTensor[] _recomputeInputs = null!;
    private NamedTensor[] _recomputeExpected = null!;
    private Tolerance _tolerance = null!;
    private Hash256 _sha;
    private string _id = "";

    /// <summary>Generates the model, signs its entry with a throwaway key and loads it.</summary>
    [GlobalSetup]
    public void Setup()
    {
        GeneratedModel model = BundledModels.Create(BundledModels.MlpBench);
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        ModelEntry entry = ModelRegistry.Sign(ModelInspector.CreateEntry(model.Id, model.Bytes, new EntryOptions(), NullLogger.Instance), key);
        ModelRegistry registry = ModelRegistry.Empty.WithTrust(key.PublicKey).WithEntry(entry);
        _host = new InferenceHost(SystemClock.Instance, new SessionSettings(), new BatchSettings(32, TimeSpan.Zero), new FixedExecutionProviderCatalog([]), NullLogger.Instance);
        if (!_host.TryLoad(registry, model.Id, model.Bytes, out string? error) || !_host.TryGetSession(model.Id, out ModelSession? session))
        {
            throw new InvalidOperationException(error);
        }

        _session = session.InnerSession;
        _runOptions = new RunOptions();
        _id = model.Id;
        _sha = model.Sha256;
        (_in1, _out1) = Values(1);
        (_in32, _out32) = Values(32);
        float[] row = Input(1);
        _request = [new NamedTensor("x", InferenceDType.Float32, [1, 512], MemoryMarshal.AsBytes(row.AsSpan()).ToArray())];
        _requestBody = InferenceWire.WriteRequest(_id, _sha, _request);
        _reference = ReferenceModel.Create(entry, model.Bytes, new SessionSettings(), new FixedExecutionProviderCatalog([]), NullLogger.Instance);
        _recomputeInputs = InputGenerator.Generate(entry, 4, 11);
        _recomputeExpected = _reference.Run(_recomputeInputs);
        _tolerance = OutputComparer.ToleranceFor(entry);
    }

    /// <summary>Releases the host and the OrtValues.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        if (_host is null)
        {
            return;
        }

        foreach (OrtValue value in _in1.Concat(_out1).Concat(_in32).Concat(_out32))
        {
            value.Dispose();
        }

        _runOptions.Dispose();
        _reference.Dispose();
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _host = null!;
    }

    /// <summary>Raw run at batch 1: the floor.</summary>
    [Benchmark(Baseline = true)]
    public void RawBatch1() => _session.Run(_runOptions, ["x"], _in1, ["y"], _out1);

    /// <summary>The host request path at batch 1, from request bytes to response bytes.</summary>
    [Benchmark]
    public int HostBatch1()
    {
        ValueTask<InferenceResult> run = _host.InferWireAsync(_requestBody, TimeSpan.FromSeconds(12));
        InferenceResult result = run.IsCompletedSuccessfully ? run.Result : run.AsTask().GetAwaiter().GetResult();
        int length = result.ResponseBody!.Value.Length;
        result.ReleaseResponse();
        return length;
    }

    /// <summary>The host path without the wire: tensors in, output arrays out.</summary>
    [Benchmark]
    public InferenceResult HostBatch1Tensors() => _host.InferAsync(_id, _sha, _request, TimeSpan.FromSeconds(12)).GetAwaiter().GetResult();

    /// <summary>The validator's recompute of one 4-row request on its own reference session, with the comparison.</summary>
    [Benchmark]
    public OutputMatch ValidatorRecompute4Rows() => OutputComparer.Compare(_recomputeExpected, _reference.Run(_recomputeInputs), _tolerance);

    /// <summary>Raw run at batch 32.</summary>
    [Benchmark]
    public void RawBatch32() => _session.Run(_runOptions, ["x"], _in32, ["y"], _out32);

    private static (OrtValue[] Inputs, OrtValue[] Outputs) Values(int rows) =>
        ([OrtValue.CreateTensorValueFromMemory(Input(rows), [rows, 512])], [OrtValue.CreateTensorValueFromMemory(new float[rows * 512], [rows, 512])]);

    private static float[] Input(int rows)
    {
        float[] values = new float[rows * 512];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (i % 200 / 100f) - 1f;
        }

        return values;
    }
}
