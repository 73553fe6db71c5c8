// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Sessions;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Inference.Scoring;

/// <summary>
/// A validator's (or a gateway's spot checker's) own session for one verified model (inference.md §5 "Reference"): the
/// best execution provider the build offers in the given order (CUDA when present, else CPU, with the log line saying
/// which), warmed up, self-tested against the entry's <c>expectedPrefix</c>, and timed, so the validator knows whether
/// recomputing every request is cheap enough (&lt; 50 ms).
/// </summary>
/// <remarks>
/// Thread-safe: <see cref="Run"/> serialises on the session (its pooled buffers are shared). Dispose once no run is in
/// flight; it releases the session.
/// </remarks>
public sealed class ReferenceModel : IDisposable
{
    private readonly ModelSession _session;
    private readonly Lock _lock = new();

    private ReferenceModel(ModelEntry entry, ModelSession session, TimeSpan cost)
    {
        Entry = entry;
        _session = session;
        Cost = cost;
    }

    /// <summary>The verified registry entry.</summary>
    public ModelEntry Entry { get; }

    /// <summary>The execution provider running the reference (e.g. <c>CUDA</c>, <c>CPU</c>).</summary>
    public string ExecutionProvider => _session.ExecutionProvider;

    /// <summary>Whether a preferred EP failed and a later one runs it.</summary>
    public bool ProviderDegraded => _session.ProviderDegraded;

    /// <summary>Median time of one reference run at the largest request batch (min(4, maxBatch) rows), measured at load.</summary>
    public TimeSpan Cost { get; }

    /// <summary>Rows per request the validator draws up to: min(4, maxBatch) (inference.md §5).</summary>
    public int MaxRequestRows => Math.Min(4, _session.MaxRows);

    /// <summary>The most rows one <see cref="Run"/> takes: the model's maxBatch (1 for a model without a batch axis).</summary>
    public int MaxRunRows => _session.MaxRows;

    /// <summary>
    /// Creates the reference for a verified <paramref name="entry"/> and its checked bytes: the session on the first EP
    /// of <paramref name="settings"/> that the catalog offers and that loads (CPU last), 3 warm-up runs, the self-test
    /// (under the entry's tolerance, its <c>fp16</c> one for TensorRT), then 5 timed runs for <see cref="Cost"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The self-test failed on the chosen EP.</exception>
    /// <exception cref="Microsoft.ML.OnnxRuntime.OnnxRuntimeException">ONNX Runtime could not load the model even on CPU.</exception>
    public static ReferenceModel Create(ModelEntry entry, byte[] model, SessionSettings settings, IExecutionProviderCatalog catalog, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        ModelSignature signature = entry.ToSignature();
        ModelSession session = ModelSession.Create(entry.Id, model, signature, settings with { AllowFp16 = false, TensorRtMaxBatch = Math.Min(4, signature.MaxRows) }, catalog, logger);
        try
        {
            int rows = Math.Min(4, signature.MaxRows);
            for (int i = 0; i < 3; i++)
            {
                session.Run(rows);
            }

            (_, double[] prefix) = ModelInspector.RunSelfTest(session, entry);
            if (!ModelInspector.PrefixMatches(prefix, entry.SelfTest.ExpectedPrefix, entry.Tolerance))
            {
                throw new InvalidOperationException($"Model '{entry.Id}' failed its self-test on {session.ExecutionProvider}: the first outputs differ from the entry's expectedPrefix.");
            }

            double[] times = new double[5];
            for (int i = 0; i < times.Length; i++)
            {
                long start = Stopwatch.GetTimestamp();
                session.Run(rows);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Array.Sort(times);
            return new ReferenceModel(entry, session, TimeSpan.FromMilliseconds(times[times.Length / 2]));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Recomputes <paramref name="inputs"/> (raw or base64 data, as <see cref="NamedTensor"/> allows) and returns the
    /// outputs in the model's order, each an array of its own. Inputs must already fit the model
    /// (<see cref="ModelSignature.Validate"/>); values are not checked.
    /// </summary>
    /// <exception cref="ArgumentException">The inputs do not fit the model.</exception>
    public NamedTensor[] Run(IReadOnlyList<NamedTensor> inputs) => RunMany([inputs])[0];

    /// <summary>
    /// Recomputes several requests at once, as <see cref="Run"/> does one: consecutive requests are stacked into runs of
    /// up to <see cref="MaxRunRows"/> rows and their outputs split back, request by request. A validator scoring one
    /// miner's sampled requests pays one run's fixed cost (on a GPU, the launches and copies) instead of one per request;
    /// the outputs are those of the separate runs (each row of these models depends on its own input row only).
    /// </summary>
    /// <exception cref="ArgumentException">Some request's inputs do not fit the model.</exception>
    public NamedTensor[][] RunMany(IReadOnlyList<IReadOnlyList<NamedTensor>> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ModelSignature signature = _session.Signature;
        int[] rows = new int[requests.Count];
        for (int r = 0; r < requests.Count; r++)
        {
            ArgumentNullException.ThrowIfNull(requests[r], nameof(requests));
            if (signature.Validate(requests[r], out rows[r]) is { } error)
            {
                ThrowHelper.ThrowArgument(nameof(requests), requests.Count == 1 ? error.Message : $"Request {r}: {error.Message}");
            }
        }

        NamedTensor[][] results = new NamedTensor[requests.Count][];
        lock (_lock)
        {
            int first = 0;
            while (first < requests.Count)
            {
                // Every request fits one run (Validate checked rows ≤ MaxRows), so each run takes at least one.
                int end = first;
                int total = 0;
                while (end < requests.Count && total + rows[end] <= _session.MaxRows)
                {
                    total += rows[end++];
                }

                for (int i = 0; i < signature.Inputs.Count; i++)
                {
                    int rowBytes = _session.InputRowBytes(i);
                    Span<byte> buffer = _session.InputBuffer(i, total);
                    int offset = 0;
                    for (int r = first; r < end; r++)
                    {
                        NamedTensor tensor = ModelSignature.Find(requests[r], signature.Inputs[i].Name)!;
                        if (!tensor.TryCopyElementsTo(buffer.Slice(offset, rowBytes * rows[r])))
                        {
                            ThrowHelper.ThrowArgument(nameof(requests), $"inputs['{tensor.Name}'].data is not valid base64.");
                        }

                        offset += rowBytes * rows[r];
                    }
                }

                _session.Run(total);
                for (int o = 0; o < signature.Outputs.Count; o++)
                {
                    TensorSpec spec = signature.Outputs[o];
                    ReadOnlySpan<byte> buffer = _session.OutputBuffer(o, total);
                    int offset = 0;
                    for (int r = first; r < end; r++)
                    {
                        int length = _session.OutputRowBytes(o) * rows[r];
                        results[r] ??= new NamedTensor[signature.Outputs.Count];
                        results[r][o] = new NamedTensor(spec.Name, spec.DType, spec.ShapeFor(rows[r]), buffer.Slice(offset, length).ToArray());
                        offset += length;
                    }
                }

                first = end;
            }
        }

        return results;
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}
