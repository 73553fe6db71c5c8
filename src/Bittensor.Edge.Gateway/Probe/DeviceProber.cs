// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Gateway.Admin;
using Bittensor.Edge.Gateway.Bus;
using Bittensor.Edge.Gateway.Fleet;
using Bittensor.Edge.Inference;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Scoring;
using Bittensor.Edge.Inference.Sessions;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Gateway.Probe;

/// <summary>
/// <c>bte fleet probe DEVICE</c>: a storage challenge and an inference request over the bus, each answer verified.
/// <list type="number">
/// <item><c>storage.put</c> of a random 4 MiB sector, only when the device holds none of the gateway's (recorded in the
/// <see cref="FleetStore"/>) or has lost it;</item>
/// <item><c>storage.prove</c> of fresh random leaves of that sector, each proof checked against the root the gateway
/// computed itself (<see cref="ProofVerifier"/>);</item>
/// <item><c>infer.run</c> of the bundled generated model on fresh seeded inputs, the outputs compared under the
/// model's tolerance with the gateway's own ONNX Runtime run of the same inputs (<see cref="OutputComparer"/>).</item>
/// </list>
/// Requests are signed by the bus key; answers count only when signed by the device's enrolled key (the
/// <see cref="GatewayBus"/> drops any other).
/// </summary>
/// <remarks>Thread-safe; the reference session runs one probe at a time. Dispose releases it.</remarks>
public sealed class DeviceProber : IDisposable
{
    private const int InferRows = 2;

    private readonly GatewayBus _bus;
    private readonly FleetStore _store;
    private readonly string _modelId;
    private readonly int _leaves;
    private readonly TimeSpan _timeout;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly Lock _sessionLock = new();
    private ReferenceModel? _reference;

    /// <summary>A prober of <paramref name="modelId"/> with <paramref name="leaves"/> leaves per challenge.</summary>
    public DeviceProber(GatewayBus bus, FleetStore store, string modelId, int leaves, TimeSpan timeout, IClock clock, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        _bus = bus;
        _store = store;
        _modelId = modelId;
        _leaves = leaves;
        _timeout = timeout;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Runs the probe; the report says what passed and why anything failed.</summary>
    public async Task<ProbeReport> ProbeAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        List<ProbeCheck> checks = [];
        await ProbeStorageAsync(deviceId, checks, cancellationToken).ConfigureAwait(false);
        checks.Add(await ProbeInferenceAsync(deviceId, cancellationToken).ConfigureAwait(false));
        ProbeReport report = new(deviceId, checks.All(c => c.Ok), checks);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            string summary = string.Join("; ", checks.Select(c => $"{c.Name} {(c.Ok ? "ok" : "FAIL")} {c.LatencyMs:0.0} ms"));
            Log.ProbeFinished(_logger, deviceId, report.Ok, summary);
        }

        return report;
    }

    /// <summary>Releases the reference session.</summary>
    public void Dispose()
    {
        lock (_sessionLock)
        {
            _reference?.Session.Dispose();
            _reference = null;
        }
    }

    private async Task ProbeStorageAsync(string deviceId, List<ProbeCheck> checks, CancellationToken cancellationToken)
    {
        bool put = false;
        if (!_store.TryGetProbeSector(deviceId, out Hash256 root))
        {
            ProbeCheck putCheck = await PutAsync(deviceId, cancellationToken).ConfigureAwait(false);
            checks.Add(putCheck);
            put = true;
            if (!putCheck.Ok || !_store.TryGetProbeSector(deviceId, out root))
            {
                checks.Add(new ProbeCheck(BusMethods.StorageProve, false, 0, "skipped: the sector could not be stored"));
                return;
            }
        }

        (ProbeCheck prove, bool unknownSector) = await ProveAsync(deviceId, root, cancellationToken).ConfigureAwait(false);
        if (unknownSector && !put)
        {
            // The device lost the gateway's sector (wiped, or its store reconciled it away): store a new one and retry.
            ProbeCheck putCheck = await PutAsync(deviceId, cancellationToken).ConfigureAwait(false);
            checks.Add(putCheck);
            if (putCheck.Ok && _store.TryGetProbeSector(deviceId, out root))
            {
                (prove, _) = await ProveAsync(deviceId, root, cancellationToken).ConfigureAwait(false);
            }
        }

        checks.Add(prove);
    }

    private async Task<ProbeCheck> PutAsync(string deviceId, CancellationToken cancellationToken)
    {
        byte[] sector = RandomNumberGenerator.GetBytes(StorageConstants.SectorSize);
        Hash256 root = SectorTree.ComputeRoot(sector);
        byte[] header = BusRequestHeader.Encode(BusMethods.StoragePut, Deadline(), new StoragePutParams(root), FleetJsonContext.Default.StoragePutParams);
        BusCallResult call = await _bus.CallAsync(deviceId, header, sector, _timeout, cancellationToken).ConfigureAwait(false);
        if (!TryResult(call, FleetJsonContext.Default.StoragePutResult, out StoragePutResult? result, out string? problem))
        {
            return new ProbeCheck(BusMethods.StoragePut, false, Ms(call.Latency), problem);
        }

        if (result.Root.Value != root || !result.Durable)
        {
            return new ProbeCheck(BusMethods.StoragePut, false, Ms(call.Latency), $"the device answered root {result.Root} durable={result.Durable} for {root.ToString("x", null)}");
        }

        _store.SetProbeSector(deviceId, root);
        return new ProbeCheck(BusMethods.StoragePut, true, Ms(call.Latency), $"4 MiB sector {Short(root)} durable");
    }

    private async Task<(ProbeCheck Check, bool UnknownSector)> ProveAsync(string deviceId, Hash256 root, CancellationToken cancellationToken)
    {
        ChallengeItem[] items = new ChallengeItem[_leaves];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = new ChallengeItem(root, RandomNumberGenerator.GetInt32(StorageConstants.LeavesPerSector));
        }

        byte[] header = BusRequestHeader.Encode(BusMethods.StorageProve, Deadline(), new StorageProveParams(items), FleetJsonContext.Default.StorageProveParams);
        BusCallResult call = await _bus.CallAsync(deviceId, header, ReadOnlyMemory<byte>.Empty, _timeout, cancellationToken).ConfigureAwait(false);
        if (call.Status == BusCallStatus.Answered && call.Header is { Ok: false, Error: BusErrors.UnknownSector })
        {
            return (new ProbeCheck(BusMethods.StorageProve, false, Ms(call.Latency), $"the device does not hold sector {Short(root)}"), true);
        }

        if (!TryResult(call, FleetJsonContext.Default.StorageProveResult, out StorageProveResult? result, out string? problem))
        {
            return (new ProbeCheck(BusMethods.StorageProve, false, Ms(call.Latency), problem), false);
        }

        if (result.Proofs is null || result.Proofs.Count != items.Length || call.Body.Length != items.Length * StorageConstants.LeafSize)
        {
            return (new ProbeCheck(BusMethods.StorageProve, false, Ms(call.Latency), $"expected {items.Length} proofs and {items.Length * StorageConstants.LeafSize} leaf bytes, got {result.Proofs?.Count ?? 0} and {call.Body.Length}"), false);
        }

        for (int i = 0; i < items.Length; i++)
        {
            BusLeafProof proof = result.Proofs[i];
            ProofStatus status = proof is null || proof.Root.Value != root || proof.Leaf != items[i].Leaf
                ? ProofStatus.ItemMismatch
                : ProofVerifier.VerifyLeaf(root, items[i].Leaf, call.Body.Span.Slice(i * StorageConstants.LeafSize, StorageConstants.LeafSize), proof.Path ?? []);
            if (status != ProofStatus.Valid)
            {
                return (new ProbeCheck(BusMethods.StorageProve, false, Ms(call.Latency), $"proof {i} (leaf {items[i].Leaf}) is {status}"), false);
            }
        }

        return (new ProbeCheck(BusMethods.StorageProve, true, Ms(call.Latency), $"{items.Length} leaf proofs verify against {Short(root)}"), false);
    }

    private async Task<ProbeCheck> ProbeInferenceAsync(string deviceId, CancellationToken cancellationToken)
    {
        ReferenceModel reference;
        try
        {
            reference = Reference();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or DllNotFoundException or TypeInitializationException)
        {
            return new ProbeCheck(BusMethods.InferRun, false, 0, $"the gateway cannot run {_modelId} itself: {e.Message}");
        }

        NamedTensor[] inputs = InputGenerator.Generate(reference.Entry, InferRows, BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)));
        List<BusTensor> tensors = [];
        using MemoryStream body = new();
        foreach (NamedTensor input in inputs)
        {
            tensors.Add(new BusTensor(input.Name, ToWire(input.DType), input.Shape, body.Position, input.Data.Length));
            body.Write(input.Data.Span);
        }

        InferRunParams parameters = new(_modelId, reference.Sha256, [new BusInferItem(tensors)]);
        byte[] header = BusRequestHeader.Encode(BusMethods.InferRun, Deadline(), parameters, FleetJsonContext.Default.InferRunParams);
        BusCallResult call = await _bus.CallAsync(deviceId, header, body.ToArray(), _timeout, cancellationToken).ConfigureAwait(false);
        if (!TryResult(call, FleetJsonContext.Default.InferRunResult, out InferRunResult? result, out string? problem))
        {
            return new ProbeCheck(BusMethods.InferRun, false, Ms(call.Latency), problem);
        }

        if (result.Items is not { Count: 1 } || result.Items[0]?.Tensors is not { } outputs)
        {
            return new ProbeCheck(BusMethods.InferRun, false, Ms(call.Latency), $"expected 1 result item, got {result.Items?.Count ?? 0}");
        }

        List<NamedTensor> device = [];
        foreach (BusTensor tensor in outputs)
        {
            if (tensor is null || tensor.Offset < 0 || tensor.Length < 0 || tensor.Offset + tensor.Length > call.Body.Length || tensor.Shape is null)
            {
                return new ProbeCheck(BusMethods.InferRun, false, Ms(call.Latency), "an output tensor points outside the response body");
            }

            device.Add(new NamedTensor(tensor.Name, ToHost(tensor.DType), tensor.Shape, call.Body.Slice((int)tensor.Offset, (int)tensor.Length)));
        }

        IReadOnlyList<NamedTensor> expected = Recompute(reference, inputs);
        OutputMatch match = OutputComparer.Compare(device, expected, reference.Entry.Tolerance);
        return match == OutputMatch.Match
            ? new ProbeCheck(BusMethods.InferRun, true, Ms(call.Latency), $"{_modelId} × {InferRows} rows matches the gateway's ONNX Runtime run (device compute {result.ComputeUs} µs)")
            : new ProbeCheck(BusMethods.InferRun, false, Ms(call.Latency), $"{_modelId} outputs differ from the gateway's run: {match}");
    }

    private List<NamedTensor> Recompute(ReferenceModel reference, NamedTensor[] inputs)
    {
        lock (_sessionLock)
        {
            ModelSession session = reference.Session;
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i].Data.Span.CopyTo(session.InputBuffer(i, InferRows));
            }

            session.Run(InferRows);
            List<NamedTensor> outputs = [];
            for (int o = 0; o < session.Signature.Outputs.Count; o++)
            {
                TensorSpec spec = session.Signature.Outputs[o];
                outputs.Add(new NamedTensor(spec.Name, spec.DType, spec.ShapeFor(InferRows), session.OutputBuffer(o, InferRows).ToArray()));
            }

            return outputs;
        }
    }

    private ReferenceModel Reference()
    {
        lock (_sessionLock)
        {
            if (_reference is null)
            {
                GeneratedModel model = BundledModels.Create(_modelId);
                ModelEntry entry = ModelInspector.CreateEntry(_modelId, model.Bytes, new EntryOptions(), _logger);
                ModelSession session = ModelSession.Create(_modelId, model.Bytes, entry.ToSignature(), new SessionSettings(), new FixedExecutionProviderCatalog([]), _logger);
                _reference = new ReferenceModel(entry, model.Sha256, session);
            }

            return _reference;
        }
    }

    private static bool TryResult<T>(BusCallResult call, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, [NotNullWhen(true)] out T? result, [NotNullWhen(false)] out string? problem)
        where T : class
    {
        result = null;
        switch (call.Status)
        {
            case BusCallStatus.NotEnrolled:
                problem = "the device is not enrolled (or revoked)";
                return false;
            case BusCallStatus.Timeout:
                problem = $"no answer signed by the device within {call.Latency.TotalSeconds:0.#} s (is it online? see bte fleet devices)";
                return false;
            case BusCallStatus.BadResponse:
                problem = "the device's signed answer has a malformed header";
                return false;
        }

        if (call.Header is not { Ok: true } header)
        {
            problem = $"the device answered {call.Header?.Error}: {call.Header?.Message}";
            return false;
        }

        try
        {
            result = header.ReadResult(typeInfo);
            problem = null;
            return true;
        }
        catch (JsonException e)
        {
            problem = $"the device's result does not parse: {e.Message}";
            return false;
        }
    }

    private long Deadline() => (_clock.UtcNow + _timeout).ToUnixTimeMilliseconds();

    private static double Ms(TimeSpan latency) => Math.Round(latency.TotalMilliseconds, 2);

    private static string Short(in Hash256 root) => root.ToString("x", null)[..12];

    private static TensorDType ToWire(InferenceDType dtype) => dtype switch
    {
        InferenceDType.Float32 => TensorDType.Float32,
        InferenceDType.Float16 => TensorDType.Float16,
        InferenceDType.Int64 => TensorDType.Int64,
        InferenceDType.Int32 => TensorDType.Int32,
        InferenceDType.UInt8 => TensorDType.UInt8,
        _ => TensorDType.Bool,
    };

    private static InferenceDType ToHost(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => InferenceDType.Float32,
        TensorDType.Float16 => InferenceDType.Float16,
        TensorDType.Int64 => InferenceDType.Int64,
        TensorDType.Int32 => InferenceDType.Int32,
        TensorDType.UInt8 => InferenceDType.UInt8,
        _ => InferenceDType.Bool,
    };

    private sealed record ReferenceModel(ModelEntry Entry, Hash256 Sha256, ModelSession Session);
}
