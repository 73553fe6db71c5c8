// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Bittensor.Edge.Cli.Bench;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Inference;
using Bittensor.Edge.Inference.Batching;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Scoring;
using Bittensor.Edge.Inference.Sessions;
using Bittensor.Edge.Inference.Wire;
using Bittensor.Edge.Node.Validator;
using Bittensor.Edge.Protocol.Synapses;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace Bittensor.Edge.Cli.Commands.Inference;

/// <summary>
/// <c>bte inference bench</c>: the figures of specs/benchmarks.md on <c>mlp-bench-v1</c> (inference.md §7).
/// <c>raw_run_us</c> is <c>session.Run</c> at batch 1 with pre-created OrtValues and pre-bound outputs;
/// <c>host_run_us</c> is the whole host path of the axon's Inference handler (JSON request bytes → read → host
/// validation → batcher with maxDelay 0 → base64 decode into the pooled buffer → run → JSON response bytes). Raw and host runs alternate back to back, and overhead_pct is the median over those pairs, so drift hits both alike.
/// </summary>
internal static class InferenceBenchCommand
{
    public static Command Create()
    {
        Option<bool> quick = new("--quick") { Description = "Fewer iterations (under a minute on 2 cores); the same model and batch sizes." };
        Option<bool> json = new("--json") { Description = "Print one JSON object (specs/benchmarks.md) on stdout; progress goes to stderr." };
        Option<int> threads = new("--threads") { Description = "ONNX Runtime intra-op threads (default: the core count, as a device runs)." };
        Command command = new("bench", "Time raw ONNX Runtime runs against the host request path, and batch 32 against batch 1 (medians).") { quick, json, threads };
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
        {
            BenchReport report = await RunAsync(result.GetValue(quick), result.GetValue(threads), result.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
            await report.PrintAsync(result.InvocationConfiguration.Output, result.GetValue(json)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    internal static async Task<BenchReport> RunAsync(bool quick, int threads, TextWriter progress, CancellationToken cancellationToken)
    {
        // Raw and host runs alternate one by one, so load from other processes hits both alike. At least minPairs pairs,
        // then more until pairTime has passed (a 0.3 ms run gives ~12 000 pairs in the full run; a board's 6 ms run the
        // minimum), so the median is steady on a fast machine without taking minutes on a slow one.
        int minPairs = quick ? 300 : 2000;
        int maxPairs = quick ? 3000 : 20000;
        TimeSpan pairTime = TimeSpan.FromSeconds(quick ? 1 : 8);
        int batchIterations = quick ? 15 : 60;

        // ONNX Runtime's environment comes up on first use; nothing in this process has touched it yet (inference.md §7:
        // ≈ 30 ms on x64). Called again later, it would read 0.
        long envStart = Stopwatch.GetTimestamp();
        _ = OrtEnv.Instance();
        double envInitMs = Stopwatch.GetElapsedTime(envStart).TotalMilliseconds;
        await progress.WriteLineAsync("generating mlp-bench-v1 (6.3 M parameters) and its signed entry ...").ConfigureAwait(false);
        GeneratedModel model = BundledModels.Create(BundledModels.MlpBench);
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        ModelEntry entry = ModelRegistry.Sign(ModelInspector.CreateEntry(model.Id, model.Bytes, new EntryOptions(), NullLogger.Instance), key);
        ModelRegistry registry = ModelRegistry.Empty.WithTrust(key.PublicKey).WithEntry(entry);
        SessionSettings settings = new() { IntraOpThreads = Math.Max(0, threads) };

        // One session for every figure: raw runs go straight to the host's own InferenceSession (two sessions would
        // each keep an intra-op thread pool, and their spinning threads would fight over the cores).
        await using InferenceHost host = new(SystemClock.Instance, settings, new BatchSettings(32, TimeSpan.Zero), new FixedExecutionProviderCatalog([]), NullLogger.Instance);
        if (!host.TryLoad(registry, model.Id, model.Bytes, out string? error) || !host.TryGetSession(model.Id, out ModelSession? session))
        {
            throw new InvalidOperationException(error);
        }

        InferenceSession raw = session.InnerSession;
        using RunOptions runOptions = new();
        using DirectRun batch1 = new(raw, runOptions, 1, model.InputRowLength, model.OutputRowLength);
        using DirectRun batch32 = new(raw, runOptions, 32, model.InputRowLength, model.OutputRowLength);

        float[] values = BenchInput(model.InputRowLength);

        byte[] requestBody = JsonSerializer.SerializeToUtf8Bytes(
            new InferenceRequest(model.Id, new Hex32(model.Sha256), [new Tensor("x", TensorDType.Float32, [1, model.InputRowLength], MemoryMarshal.AsBytes(values.AsSpan()).ToArray())]),
            ProtocolJsonContext.Default.InferenceRequest);

        await progress.WriteLineAsync($"raw vs host at batch 1: {minPairs}+ alternating pairs ({pairTime.TotalSeconds:0} s), {settings.EffectiveIntraOpThreads} intra-op threads ...").ConfigureAwait(false);
        // The axon hands the host a body it has just read off the socket, so its bytes are in cache; a body written once
        // here and reread after every 25 MB run would be cold, a cost no server pays. Each timed request gets a fresh copy
        // (untimed), as the axon's read leaves it.
        byte[] received = new byte[requestBody.Length];

        // Warm up by time as well as count: tiered compilation moves the host path's managed code (JSON, copies,
        // validation) to optimized code only after ~30 calls plus a background delay; raw runs are native either way,
        // so a short warm-up would charge JIT tiers to the host.
        long warmStart = Stopwatch.GetTimestamp();
        TimeSpan warmupTime = TimeSpan.FromSeconds(quick ? 1.5 : 3);
        for (int i = 0; i < 100 || Stopwatch.GetElapsedTime(warmStart) < warmupTime; i++)
        {
            batch1.Run();
            _ = await TimeHostAsync(host, requestBody, received).ConfigureAwait(false);
        }

        List<double> rawSamples = new(maxPairs);
        List<double> hostSamples = new(maxPairs);
        List<double> hostRunSamples = new(maxPairs);
        List<double> hostPathSamples = new(maxPairs);
        long pairsStart = Stopwatch.GetTimestamp();
        for (int b = 0; b < maxPairs && (b < minPairs || Stopwatch.GetElapsedTime(pairsStart) < pairTime); b++)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Which goes first alternates, so an order effect (a warm or cold core after the other's work) cancels out.
            if (b % 2 == 0)
            {
                rawSamples.Add(TimeRaw(batch1));
                AddHost(await TimeHostAsync(host, requestBody, received).ConfigureAwait(false));
            }
            else
            {
                AddHost(await TimeHostAsync(host, requestBody, received).ConfigureAwait(false));
                rawSamples.Add(TimeRaw(batch1));
            }
        }

        void AddHost((double Total, double Run) sample)
        {
            hostSamples.Add(sample.Total);
            hostRunSamples.Add(sample.Run);
            hostPathSamples.Add(sample.Total - sample.Run);
        }

        // Before the medians below sort the lists in place: sample i of each list is one adjacent pair. overhead_pct is
        // inference.md §7's (host − raw) / raw with the median taken over the pairs: each pair ran back to back, so drift
        // of the machine's speed (2× within a minute on a shared VM) cancels inside a pair; the ratio of the two separate
        // medians is reported beside it.
        int pairs = rawSamples.Count;
        List<double> pairOverheads = [.. hostSamples.Zip(rawSamples, (h, r) => (h - r) / r * 100)];
        double overhead = BenchReport.Median(pairOverheads); // sorts pairOverheads
        double p10 = pairOverheads[pairOverheads.Count / 10];
        double p90 = pairOverheads[pairOverheads.Count * 9 / 10];
        double rawUs = BenchReport.Median(rawSamples);
        double hostUs = BenchReport.Median(hostSamples);
        double mediansOverhead = (hostUs - rawUs) / rawUs * 100;
        double hostRunUs = BenchReport.Median(hostRunSamples);
        double hostPathUs = BenchReport.Median(hostPathSamples);

        // Managed allocation per request in steady state (inference.md §7: < 2 KB, tensor bytes excluded; the response
        // array is pooled, so here nothing is excluded). Requests complete inline on this thread, so the thread's own
        // allocation counter sees all of it.
        const int allocRequests = 200;
        long allocBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < allocRequests; i++)
        {
            _ = await TimeHostAsync(host, requestBody, received).ConfigureAwait(false);
        }

        double allocPerRequest = (GC.GetAllocatedBytesForCurrentThread() - allocBefore) / (double)allocRequests;

        // Diagnostic: reading the request body right after a run (cold caches, as in the host path), the scanner the host
        // uses against the full Utf8JsonReader path it falls back to; alternating, each after a raw run.
        await progress.WriteLineAsync($"request read after a run: scanner vs full JSON reader, {minPairs} each ...").ConfigureAwait(false);
        List<double> scanRead = new(minPairs);
        List<double> fullRead = new(minPairs);
        for (int i = 0; i < 2 * minPairs; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            requestBody.CopyTo(received);
            batch1.Run();
            long start = Stopwatch.GetTimestamp();
            bool read = i % 2 == 0
                ? InferenceWire.TryReadRequest(received, out _, out _)
                : InferenceWire.TryReadRequestFully(received, out _, out _);
            (i % 2 == 0 ? scanRead : fullRead).Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            if (!read)
            {
                throw new InvalidOperationException("The benchmark's request body did not read.");
            }
        }

        await progress.WriteLineAsync($"direct session at batch 1 and 32: {batchIterations} runs each ...").ConfigureAwait(false);
        List<double> b1 = new(batchIterations);
        List<double> b32 = new(batchIterations);
        for (int i = 0; i < 3; i++)
        {
            batch32.Run();
        }

        for (int i = 0; i < batchIterations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            batch1.Run();
            b1.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            start = Stopwatch.GetTimestamp();
            batch32.Run();
            b32.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        double perS1 = 1 / BenchReport.Median(b1);
        double perS32 = 32 / BenchReport.Median(b32);
        double gain = perS32 / perS1;

        await progress.WriteLineAsync("validator recompute on the reference session: the same seeded sample set per execution provider ...").ConfigureAwait(false);
        Recompute cpu = MeasureRecompute(entry, model.Bytes, [ExecutionProviders.Cpu], OrtExecutionProviderCatalog.Instance, settings, quick, NullLogger.Instance);
        Recompute? cuda = OrtExecutionProviderCatalog.Instance.GetAvailableProviders().Contains("CUDAExecutionProvider")
            ? MeasureRecompute(entry, model.Bytes, [ExecutionProviders.Cuda, ExecutionProviders.Cpu], OrtExecutionProviderCatalog.Instance, settings, quick, new ProgressLogger(progress))
            : null;

        BenchReport report = new("inference");
        report.Add("ort_env_init_ms", envInitMs, "ms", note: "diagnostic: ONNX Runtime's environment on first use in this process (native library load and init; inference.md §7: ≈ 30 ms on x64)");
        report.Add("raw_run_us", rawUs, "us", note: "mlp-bench-v1, batch 1, session.Run with pre-bound OrtValues");
        report.Add("host_run_us", hostUs, "us", note: "request JSON → read → validate → batcher (maxDelay 0) → decode into pooled buffer → run → response JSON");
        report.Add("overhead_pct", overhead, "%", baseline: "raw_run_us",
            note: string.Create(CultureInfo.InvariantCulture, $"median over {pairs} back-to-back pairs of (host − raw) / raw (p10 {p10:0.00}, p90 {p90:0.00}); target < 3 %: {(overhead < 3 ? "met" : "MISSED")}"));
        report.Add("overhead_medians_pct", mediansOverhead, "%", baseline: "raw_run_us", note: "(host_run_us − raw_run_us) / raw_run_us from the two separate medians: the same quantity, but drift between pairs does not cancel");
        report.Add("host_session_run_us", hostRunUs, "us", note: "diagnostic: the session.Run inside each host request (the batcher's compute time)");
        report.Add("host_path_us", hostPathUs, "us", note: "diagnostic: host request minus its own session.Run (decode, checks, copies, encode), median per request");
        double scanUs = BenchReport.Median(scanRead);
        double fullUs = BenchReport.Median(fullRead);
        report.Add("request_read_us", scanUs, "us", note: "diagnostic: reading the request body after a run (cold caches), with the scanner the host tries first");
        report.Add("request_read_full_us", fullUs, "us", note: "diagnostic: the same with the full Utf8JsonReader path (bodies the scanner declines)");
        report.Add("request_read_gain", fullUs / scanUs, "ratio", baseline: "request_read_full_us");
        report.Add("host_alloc_bytes", allocPerRequest, "bytes",
            note: string.Create(CultureInfo.InvariantCulture, $"managed allocation per host request in steady state (the bench's own timing included); target < 2048: {(allocPerRequest < 2048 ? "met" : "MISSED")}"));
        report.Add("batch1_per_s", perS1, "rows/s");
        report.Add("batch32_per_s", perS32, "rows/s");
        report.Add("batch_gain", gain, "ratio", baseline: "batch1_per_s",
            note: string.Create(CultureInfo.InvariantCulture, $"x64 CPU target ≥ 3: {(gain >= 3 ? "met" : "MISSED")}"));
        string cudaNote = cuda switch
        {
            null => "CUDA not measured: this build's ONNX Runtime offers no CUDA EP (CPU flavour; build with -p:BteGpu=true on an NVIDIA x64 host)",
            { Provider: ExecutionProviders.Cuda } => "CUDA measured below",
            _ => $"CUDA not measured: this build offers the CUDA EP but creating a session on it failed, so it fell back to {cuda.Provider} (the reason is on stderr)",
        };
        report.Add("recompute_rows_per_s_cpu", cpu.RowsPerS, "rows/s",
            note: $"the validator's recompute + comparison of {RecomputeRequests} requests of 1-4 rows (seed {RecomputeSeed}), each miner's {cpu.PerMiner} in one stacked run, on {cpu.Provider}; {cudaNote}");
        report.Add("recompute_single_rows_per_s_cpu", cpu.SingleRowsPerS, "rows/s", note: "diagnostic: the same sample set at one run per request");
        if (cuda is { Provider: ExecutionProviders.Cuda })
        {
            report.Add("recompute_rows_per_s_cuda", cuda.RowsPerS, "rows/s", note: "the same sample set and grouping on CUDA");
            report.Add("recompute_gpu_gain", cuda.RowsPerS / cpu.RowsPerS, "ratio", baseline: "recompute_rows_per_s_cpu");
            report.Add("recompute_single_rows_per_s_cuda", cuda.SingleRowsPerS, "rows/s", note: "diagnostic: one run per request on CUDA");
            report.Add("recompute_single_gpu_gain", cuda.SingleRowsPerS / cpu.SingleRowsPerS, "ratio", baseline: "recompute_single_rows_per_s_cpu");

            // A CUDA validator scores CPU miners: its reference must agree with a CPU run under the entry's tolerance.
            Tolerance tolerance = OutputComparer.ToleranceFor(entry);
            int disagree = cuda.Answers.Zip(cpu.Answers).Count(pair => OutputComparer.Compare(pair.Second, pair.First, tolerance) != OutputMatch.Match);
            double worst = cuda.Answers.Zip(cpu.Answers).Max(pair => MaxAbsDifference(pair.First, pair.Second));
            report.Add("recompute_cuda_cpu_mismatches", disagree, "requests",
                note: string.Create(CultureInfo.InvariantCulture, $"of {RecomputeRequests}: CPU answers a CUDA reference would score wrong (must be 0; largest |cuda − cpu| {worst:G3}, tolerance abs {tolerance.Abs:G3} rel {tolerance.Rel:G3})"));
        }

        return report;
    }

    private const int RecomputeRequests = 32;
    private const ulong RecomputeSeed = 11;

    /// <summary>
    /// The validator's recompute throughput on a reference session created with <paramref name="providers"/>: a fixed
    /// sample set (32 requests of 1..4 rows from SplitMix64 seed 11, inputs from the model's input domain) recomputed on
    /// the reference and compared with the first pass's outputs under the entry's tolerance, as the validator compares a
    /// miner's answer: in groups of requestsPerMiner through <see cref="ReferenceModel.RunMany"/> (the validator's path),
    /// and at one run per request (diagnostic). Rows per second, median of the passes.
    /// </summary>
    private static Recompute MeasureRecompute(ModelEntry entry, byte[] bytes, string[] providers, IExecutionProviderCatalog catalog, SessionSettings settings, bool quick, ILogger logger)
    {
        using ReferenceModel reference = ReferenceModel.Create(entry, bytes, settings with { ExecutionProviders = providers }, catalog, logger);
        SplitMix64 rng = new(RecomputeSeed);
        List<NamedTensor[]> sample = [];
        int rows = 0;
        for (int i = 0; i < RecomputeRequests; i++)
        {
            int n = 1 + (int)(rng.Next() % (ulong)reference.MaxRequestRows);
            sample.Add(InputGenerator.Generate(entry, n, rng.Next()));
            rows += n;
        }

        NamedTensor[][] expected = [.. sample.Select(reference.Run)];
        Tolerance tolerance = OutputComparer.ToleranceFor(entry);

        // The validator's path: each miner's answers are recomputed together (RunMany), so the sample set goes by in groups
        // of requestsPerMiner requests, one stacked run per group.
        int perMiner = new InferenceValidatorOptions().RequestsPerMiner;
        NamedTensor[][][] groups = [.. sample.Chunk(perMiner).Select(g => g.ToArray())];
        double grouped = TimePasses(() =>
        {
            for (int g = 0, i = 0; g < groups.Length; g++)
            {
                foreach (NamedTensor[] outputs in reference.RunMany(groups[g]))
                {
                    Check(expected[i++], outputs);
                }
            }
        });

        // Diagnostic: one run per request, each paying the run's fixed cost.
        double single = TimePasses(() =>
        {
            for (int i = 0; i < sample.Count; i++)
            {
                Check(expected[i], reference.Run(sample[i]));
            }
        });

        return new Recompute(reference.ExecutionProvider, grouped, single, perMiner, expected);

        void Check(NamedTensor[] want, NamedTensor[] got)
        {
            if (OutputComparer.Compare(want, got, tolerance) != OutputMatch.Match)
            {
                throw new InvalidOperationException($"The reference session on {reference.ExecutionProvider} is not deterministic within the tolerance.");
            }
        }

        double TimePasses(Action pass)
        {
            // Untimed passes first, by count and time: the comparison and stacking code reach optimized JIT tiers (after
            // ~30 calls and a background delay) before the clock runs.
            long warm = Stopwatch.GetTimestamp();
            for (int w = 0; w < 3 || Stopwatch.GetElapsedTime(warm) < TimeSpan.FromSeconds(quick ? 0.3 : 1); w++)
            {
                pass();
            }

            List<double> passes = [];
            for (int p = 0; p < (quick ? 3 : 10); p++)
            {
                long start = Stopwatch.GetTimestamp();
                pass();
                passes.Add(rows / Stopwatch.GetElapsedTime(start).TotalSeconds);
            }

            return BenchReport.Median(passes);
        }
    }

    /// <summary>One provider's recompute figures.</summary>
    /// <param name="Provider">The EP the reference ran on.</param>
    /// <param name="RowsPerS">The validator's path: each miner's requests in one stacked run.</param>
    /// <param name="SingleRowsPerS">One run per request.</param>
    /// <param name="PerMiner">Requests per miner (per stacked run).</param>
    /// <param name="Answers">The reference's outputs for the sample set (the same inputs on every provider).</param>
    private sealed record Recompute(string Provider, double RowsPerS, double SingleRowsPerS, int PerMiner, NamedTensor[][] Answers);

    private static double MaxAbsDifference(NamedTensor[] a, NamedTensor[] b)
    {
        double worst = 0;
        for (int t = 0; t < a.Length; t++)
        {
            if (a[t].DType != InferenceDType.Float32)
            {
                continue;
            }

            ReadOnlySpan<float> x = MemoryMarshal.Cast<byte, float>(a[t].Data.Span);
            ReadOnlySpan<float> y = MemoryMarshal.Cast<byte, float>(b[t].Data.Span);
            for (int i = 0; i < x.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs((double)x[i] - y[i]));
            }
        }

        return worst;
    }

    /// <summary>Execution-provider choice and fallback lines go to the progress writer (stderr), never to the JSON on stdout.</summary>
    private sealed class ProgressLogger(TextWriter progress) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            progress.WriteLine($"{logLevel}: {formatter(state, exception)}");
        }
    }

    /// <summary>The bench's input values: a fixed ramp over [−1, 1), the same for the raw and the host runs.</summary>
    private static float[] BenchInput(int count)
    {
        float[] values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (i % 200 / 100f) - 1f;
        }

        return values;
    }

    private static double TimeRaw(DirectRun run)
    {
        long start = Stopwatch.GetTimestamp();
        run.Run();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    /// <summary>
    /// The whole host path for one request body, as the axon's Inference handler runs it (read the JSON, decode the tensor
    /// data into the pooled buffer, batcher, run, encode the response body), on a fresh copy in <paramref name="received"/>.
    /// Returns its time and the time of its session run, µs.
    /// </summary>
    private static async Task<(double Total, double Run)> TimeHostAsync(InferenceHost host, byte[] requestBody, byte[] received)
    {
        requestBody.CopyTo(received);
        long start = Stopwatch.GetTimestamp();
        InferenceResult result = await host.InferWireAsync(received, TimeSpan.FromSeconds(12)).ConfigureAwait(false);
        double total = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        _ = result.ResponseBody ?? throw new InvalidOperationException(result.Error!.Message);
        result.ReleaseResponse();
        return (total, result.ComputeTime.TotalMicroseconds);
    }

    /// <summary>A raw run at a fixed batch: OrtValues over arrays created once, outputs pre-bound.</summary>
    private sealed class DirectRun : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions;
        private readonly OrtValue[] _inputs;
        private readonly OrtValue[] _outputs;
        private readonly string[] _inputNames = ["x"];
        private readonly string[] _outputNames = ["y"];

        public DirectRun(InferenceSession session, RunOptions runOptions, int rows, int inputRow, int outputRow)
        {
            _session = session;
            _runOptions = runOptions;
            _inputs = [OrtValue.CreateTensorValueFromMemory(BenchInput(rows * inputRow), [rows, inputRow])];
            _outputs = [OrtValue.CreateTensorValueFromMemory(new float[rows * outputRow], [rows, outputRow])];
        }

        public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

        public void Dispose()
        {
            _inputs[0].Dispose();
            _outputs[0].Dispose();
        }
    }
}
