// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Miner.Tests.Infrastructure;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Merkle;

namespace Bittensor.Edge.Miner.FootprintBench;

/// <summary>
/// The driver of <c>tools/bench-footprint</c> (specs/benchmarks.md, Footprint). Given a NativeAOT and a
/// framework-dependent publish folder of bte-miner, it starts an embedded broker with a test gateway, lets the device join
/// once, then for each build measures: start-up (exec → connected, subscribed and birth published, median of N runs on
/// the x64-sim board), RSS after 10 s idle, peak RSS under 15 s of storage puts, proofs and inference on the bundled
/// models, and the size of the folder with and without the ONNX Runtime native library. Prints JSON or a table.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class Program
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    public static async Task<int> Main(string[] args)
    {
        string? aot = null;
        string? jit = null;
        int runs = 5;
        bool json = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--aot" when i + 1 < args.Length:
                    aot = args[++i];
                    break;
                case "--jit" when i + 1 < args.Length:
                    jit = args[++i];
                    break;
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out runs) && runs > 0:
                    i++;
                    break;
                case "--json":
                    json = true;
                    break;
                default:
                    await Console.Error.WriteLineAsync("usage: Bittensor.Edge.Miner.FootprintBench --aot DIR [--jit DIR] [--runs N] [--json]");
                    return 2;
            }
        }

        if (aot is null)
        {
            await Console.Error.WriteLineAsync("usage: Bittensor.Edge.Miner.FootprintBench --aot DIR [--jit DIR] [--runs N] [--json]");
            return 2;
        }

        string work = Path.Combine(Path.GetTempPath(), "bte-footprint-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        Directory.CreateDirectory(Path.Combine(work, "state"));
        try
        {
            await using TestFleet fleet = await TestFleet.StartAsync();
            await File.WriteAllTextAsync(Path.Combine(work, "state", "firstboot.json"), fleet.FirstBootJson(fleet.CreateToken()));
            File.SetUnixFileMode(Path.Combine(work, "state", "firstboot.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

            Progress("joining the test fleet once (AOT build)");
            string deviceId;
            using (Process join = Start(Path.Combine(aot, "bte-miner"), work))
            {
                deviceId = await fleet.FirstEnrollment.Task.WaitAsync(s_timeout);
                await fleet.WaitRetainedAsync(fleet.Topics.Status(deviceId), p => IsOnline(p, 0), s_timeout);
                await TerminateAsync(join);
            }

            Figures aotFigures = await MeasureAsync("aot", Path.Combine(aot, "bte-miner"), work, fleet, deviceId, runs);
            (double aotMb, double aotOrtMb) = Sizes(aot);
            Dictionary<string, double> results = new(StringComparer.Ordinal)
            {
                ["binary_mb"] = aotMb,
                ["binary_mb_with_ort"] = aotOrtMb,
                ["startup_ms"] = aotFigures.StartupMs,
                ["ready_ms"] = aotFigures.ReadyMs,
                ["idle_rss_mb"] = aotFigures.IdleRssMb,
                ["idle_rss_mb_after_requests"] = aotFigures.IdleWithModelsRssMb,
                ["load_rss_mb"] = aotFigures.LoadRssMb,
                ["load_ops"] = aotFigures.LoadOps,
            };

            // Without --jit (a quick look while working on the AOT build) only the AOT figures are printed.
            if (jit is not null)
            {
                Figures jitFigures = await MeasureAsync("jit", Path.Combine(jit, "bte-miner"), work, fleet, deviceId, runs);
                (double jitMb, double jitOrtMb) = Sizes(jit);
                results["jit_startup_ms"] = jitFigures.StartupMs;
                results["jit_ready_ms"] = jitFigures.ReadyMs;
                results["jit_binary_mb"] = jitMb;
                results["jit_binary_mb_with_ort"] = jitOrtMb;
                results["jit_idle_rss_mb"] = jitFigures.IdleRssMb;
                results["jit_idle_rss_mb_after_requests"] = jitFigures.IdleWithModelsRssMb;
                results["jit_load_rss_mb"] = jitFigures.LoadRssMb;
                results["jit_load_ops"] = jitFigures.LoadOps;
            }

            results["load_unanswered"] = Interlocked.Read(ref s_unanswered);
            Print(results, json, runs);
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<Figures> MeasureAsync(string name, string binary, string work, TestFleet fleet, string deviceId, int runs)
    {
        // Ready: exec → the first infer.run on mlp-tiny-v1 answered (inference.md §7: "device ready with mlp-tiny-v1",
        // < 2 s on a Pi 4). Separate starts, so that the start-up runs below measure an untouched device.
        List<double> readies = [];
        for (int run = 1; run <= runs; run++)
        {
            Progress($"{name}: ready run {run} of {runs}");
            long started = Stopwatch.GetTimestamp();
            using Process process = Start(binary, work);
            try
            {
                await AnsweredInferenceAsync(fleet, deviceId);
                readies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await TerminateAsync(process);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }

        double readyMs = Median(readies);
        List<double> startups = [];
        ulong lastBdSeq = StatusOf(fleet, deviceId)?.BdSeq ?? 0;
        for (int run = 1; run <= runs; run++)
        {
            Progress($"{name}: start-up run {run} of {runs}");
            TaskCompletionSource<long> birth = new(TaskCreationOptions.RunContinuationsAsynchronously);
            string statusTopic = fleet.Topics.Status(deviceId);
            ulong after = lastBdSeq;
            void OnRetained(string topic, byte[] payload)
            {
                if (topic == statusTopic && IsOnline(payload, after + 1))
                {
                    birth.TrySetResult(Stopwatch.GetTimestamp());
                }
            }

            fleet.RetainedPublished += OnRetained;
            long started = Stopwatch.GetTimestamp();
            Process process = Start(binary, work);
            long online;
            try
            {
                online = await birth.Task.WaitAsync(s_timeout);
            }
            finally
            {
                fleet.RetainedPublished -= OnRetained;
            }

            startups.Add(Stopwatch.GetElapsedTime(started, online).TotalMilliseconds);
            lastBdSeq = StatusOf(fleet, deviceId)!.BdSeq;
            if (run < runs)
            {
                await TerminateAsync(process);
                process.Dispose();
                continue;
            }

            try
            {
                Progress($"{name}: idle for 10 s");
                await Task.Delay(TimeSpan.FromSeconds(10));
                double idle = RssMb(process);
                Progress($"{name}: one request per bundled model, then 5 s idle");
                await WarmModelsAsync(fleet, deviceId);
                await Task.Delay(TimeSpan.FromSeconds(5));
                double idleWithModels = RssMb(process);
                Progress($"{name}: storage and inference load for 15 s");
                (double peak, double ops) = await LoadAsync(fleet, deviceId, process, TimeSpan.FromSeconds(15));
                await TerminateAsync(process);
                return new Figures(Median(startups), readyMs, idle, idleWithModels, peak, ops);
            }
            finally
            {
                // A bench that fails half-way must not leave a device running against a broker that is gone.
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }
        }

        throw new InvalidOperationException("no runs");
    }

    private static async Task<(double PeakMb, double Ops)> LoadAsync(TestFleet fleet, string deviceId, Process process, TimeSpan duration)
    {
        byte[][] sectors = [.. Enumerable.Range(0, 6).Select(_ => RandomNumberGenerator.GetBytes(StorageConstants.SectorSize))];
        Hash256[] roots = [.. sectors.Select(s => SectorTree.ComputeRoot(s))];
        long ops = 0;
        double peak = 0;

        // Every sector is put once, then the loop proves 32 random leaves at a time with a put (an idempotent re-put of
        // a stored root: hashed again, nothing written) every 8th round, so 4 MiB messages do not dominate the bus.
        for (int k = 0; k < sectors.Length; k++)
        {
            await CallAsync(fleet, deviceId, BusRequestHeader.Encode(BusMethods.StoragePut, Deadline(), new StoragePutParams(roots[k]), FleetJsonContext.Default.StoragePutParams), sectors[k]);
        }

        using CancellationTokenSource stop = new(duration);

        async Task StorageAsync(int seed)
        {
            Random random = new(seed);
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                int k = random.Next(sectors.Length);
                if (i % 8 == 7)
                {
                    await CallAsync(fleet, deviceId, BusRequestHeader.Encode(BusMethods.StoragePut, Deadline(), new StoragePutParams(roots[k]), FleetJsonContext.Default.StoragePutParams), sectors[k]);
                }

                ChallengeItem[] items = [.. Enumerable.Range(0, 32).Select(_ => new ChallengeItem(roots[random.Next(roots.Length)], random.Next(StorageConstants.LeavesPerSector)))];
                await CallAsync(fleet, deviceId, BusRequestHeader.Encode(BusMethods.StorageProve, Deadline(), new StorageProveParams(items), FleetJsonContext.Default.StorageProveParams), ReadOnlyMemory<byte>.Empty);
                Interlocked.Increment(ref ops);
            }
        }

        async Task InferenceAsync(string modelId, int[] shape)
        {
            GeneratedModel model = BundledModels.Create(modelId);
            int count = shape.Aggregate(1, (a, b) => a * b);
            float[] input = new float[count];
            for (int i = 0; i < count; i++)
            {
                input[i] = (i % 13) / 13f;
            }

            byte[] body = MemoryMarshal.AsBytes(input.AsSpan()).ToArray();
            InferRunParams parameters = new(model.Id, model.Sha256, [new BusInferItem([new BusTensor("x", TensorDType.Float32, [.. shape.Select(d => (long)d)], 0, body.Length)])]);
            while (!stop.IsCancellationRequested)
            {
                await CallAsync(fleet, deviceId, BusRequestHeader.Encode(BusMethods.InferRun, Deadline(), parameters, FleetJsonContext.Default.InferRunParams), body);
                Interlocked.Increment(ref ops);
            }
        }

        async Task SampleAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, RssMb(process));
                await Task.Delay(200, CancellationToken.None);
            }
        }

        await Task.WhenAll(StorageAsync(1), StorageAsync(2), InferenceAsync(BundledModels.MlpTiny, [4, 64]), InferenceAsync(BundledModels.CnnTiny, [2, 1, 28, 28]), SampleAsync());
        return (peak, ops);
    }

    private static long s_unanswered;

    /// <summary>
    /// Sends <c>infer.run</c> on mlp-tiny-v1 (batch 1) until the device answers it: the device comes up, connects, and
    /// loads ONNX Runtime and the model (preloaded at start, or on this request); refusals while it loads are retried.
    /// </summary>
    private static async Task AnsweredInferenceAsync(TestFleet fleet, string deviceId)
    {
        (InferRunParams parameters, byte[] body) = InferRun(BundledModels.MlpTiny, [1, 64]);
        using CancellationTokenSource guard = new(s_timeout);
        while (true)
        {
            try
            {
                (BusResponseHeader answer, _) = await fleet.CallAsync(deviceId, BusRequestHeader.Encode(BusMethods.InferRun, Deadline(), parameters, FleetJsonContext.Default.InferRunParams), body, TimeSpan.FromMilliseconds(500));
                if (answer.Ok)
                {
                    return;
                }
            }
            catch (TimeoutException)
            {
                // Not connected yet: the request waits in the persistent session or is lost; ask again.
            }

            guard.Token.ThrowIfCancellationRequested();
            await Task.Delay(5, guard.Token);
        }
    }

    /// <summary>An <c>infer.run</c> of one all-zero float32 input <c>x</c> of <paramref name="shape"/> on a bundled model.</summary>
    private static (InferRunParams Parameters, byte[] Body) InferRun(string modelId, long[] shape)
    {
        GeneratedModel model = BundledModels.Create(modelId);
        byte[] body = new byte[shape.Aggregate((long)sizeof(float), (a, b) => a * b)];
        return (new InferRunParams(model.Id, model.Sha256, [new BusInferItem([new BusTensor("x", TensorDType.Float32, shape, 0, body.Length)])]), body);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return Math.Round(values[values.Count / 2], 1);
    }

    private static async Task WarmModelsAsync(TestFleet fleet, string deviceId)
    {
        foreach ((string id, long[] shape) in (ValueTuple<string, long[]>[])[(BundledModels.MlpTiny, [1, 64]), (BundledModels.CnnTiny, [1, 1, 28, 28])])
        {
            (InferRunParams parameters, byte[] body) = InferRun(id, shape);
            await CallAsync(fleet, deviceId, BusRequestHeader.Encode(BusMethods.InferRun, Deadline(), parameters, FleetJsonContext.Default.InferRunParams), body);
        }
    }

    private static async Task CallAsync(TestFleet fleet, string deviceId, byte[] header, ReadOnlyMemory<byte> body)
    {
        BusResponseHeader answer;
        long started = Stopwatch.GetTimestamp();
        try
        {
            (answer, _) = await fleet.CallAsync(deviceId, header, body, TimeSpan.FromSeconds(20));
            if (Environment.GetEnvironmentVariable("BENCH_TRACE") is not null)
            {
                Console.Error.WriteLine($"call {body.Length} bytes {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms");
            }
        }
        catch (TimeoutException)
        {
            // Counted and reported (load_unanswered): a bench measures, it does not stop at the first lost answer.
            Interlocked.Increment(ref s_unanswered);
            return;
        }

        if (!answer.Ok && answer.Error != BusErrors.Busy)
        {
            throw new InvalidOperationException($"The device answered {answer.Error}: {answer.Message}");
        }
    }

    private static Process Start(string binary, string work)
    {
        ProcessStartInfo start = new(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])["--board", "x64-sim", "--data-dir", Path.Combine(work, "data"), "--state-dir", Path.Combine(work, "state"), "--log-level", Environment.GetEnvironmentVariable("BENCH_DEVICE_LOG_LEVEL") ?? "Warning"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("NOTIFY_SOCKET");
        start.Environment.Remove("WATCHDOG_USEC");
        start.Environment["BTE_storage__reserveFraction"] = "0";
        // The device's defaults: the bundled models preload at start (ONNX Runtime loaded), then start-up memory is handed
        // back (device:trimMemory). idle_rss_mb is that device after 10 s idle; idle_rss_mb_after_requests the same after
        // one request per model, so the code inference needs is counted.
        // BENCH_DEVICE_X=v sets X=v for the device only (e.g. BENCH_DEVICE_DOTNET_GCHeapHardLimit to try a GC setting).
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Key is string key && key.StartsWith("BENCH_DEVICE_", StringComparison.Ordinal) && key != "BENCH_DEVICE_LOG_LEVEL")
            {
                start.Environment[key["BENCH_DEVICE_".Length..]] = variable.Value as string;
            }
        }

        Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Echo(e.Data);
        process.ErrorDataReceived += (_, e) => Echo(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Echo(string? line)
    {
        if (!string.IsNullOrEmpty(line))
        {
            Console.Error.WriteLine("  bte-miner: " + line);
        }
    }

    private static async Task TerminateAsync(Process process)
    {
        using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(s_timeout);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"bte-miner exited with {process.ExitCode} after SIGTERM");
        }
    }

    private static double RssMb(Process process)
    {
        foreach (string line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                long kib = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
                return Math.Round(kib / 1024.0, 1);
            }
        }

        throw new InvalidOperationException("no VmRSS");
    }

    private static (double Without, double With) Sizes(string folder)
    {
        long without = 0;
        long with = 0;
        foreach (FileInfo file in new DirectoryInfo(folder).EnumerateFiles())
        {
            if (file.Extension is ".pdb" or ".xml" or ".dbg" or ".jsonc" or ".service")
            {
                continue;
            }

            with += file.Length;
            if (!file.Name.StartsWith("libonnxruntime", StringComparison.Ordinal))
            {
                without += file.Length;
            }
        }

        return (Math.Round(without / 1048576.0, 2), Math.Round(with / 1048576.0, 2));
    }

    private static StatusMessage? StatusOf(TestFleet fleet, string deviceId) =>
        fleet.Retained.TryGetValue(fleet.Topics.Status(deviceId), out byte[]? payload) && StatusMessage.TryDecode(payload, out StatusMessage? message) ? message : null;

    private static bool IsOnline(byte[] payload, ulong minBdSeq) => StatusMessage.TryDecode(payload, out StatusMessage? m) && m!.State == StatusMessage.Online && m.BdSeq >= minBdSeq;

    private static long Deadline() => DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeMilliseconds();

    private static void Progress(string line) => Console.Error.WriteLine("bench-footprint: " + line);

    private static void Print(Dictionary<string, double> results, bool json, int runs)
    {
        if (json)
        {
            // specs/benchmarks.md's output: {"benchmark", "machine", "metrics": {name: {value, unit}}}.
            using Stream stdout = Console.OpenStandardOutput();
            using (Utf8JsonWriter writer = new(stdout, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteString("benchmark", "footprint");
                writer.WriteStartObject("machine");
                writer.WriteNumber("cores", Environment.ProcessorCount);
                writer.WriteString("os", RuntimeInformation.RuntimeIdentifier);
                writer.WriteString("runtime", RuntimeInformation.FrameworkDescription);
                writer.WriteEndObject();
                writer.WriteStartObject("metrics");
                foreach ((string key, double value) in results)
                {
                    writer.WriteStartObject(key);
                    writer.WriteNumber("value", Math.Round(value, 2));
                    writer.WriteString("unit", UnitOf(key));
                    if (Verdict(key, value) is string verdict)
                    {
                        writer.WriteString("note", verdict);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteStartObject("startup_runs");
                writer.WriteNumber("value", runs);
                writer.WriteString("unit", "runs");
                writer.WriteString("note", "startup_ms and jit_startup_ms are medians of these");
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            stdout.WriteByte((byte)'\n');
            return;
        }

        Console.WriteLine($"bte-miner footprint (x64-sim, median start-up of {runs} runs; MB = MiB)");
        foreach ((string key, double value) in results)
        {
            string verdict = Verdict(key, value) is string v ? "   " + v : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {key,-28} {value,10:0.##}{verdict}"));
        }
    }

    /// <summary>
    /// The specs' targets for the AOT figures (fleet.md's footprint table, inference.md §7's ready and load figures), with
    /// where a target is set for when it is not this x64 host.
    /// </summary>
    private static readonly Dictionary<string, (double Below, string Where)> s_targets = new(StringComparer.Ordinal)
    {
        ["binary_mb"] = (20, ""), ["startup_ms"] = (200, ""), ["ready_ms"] = (2000, " (on a Pi 4)"), ["idle_rss_mb"] = (40, ""), ["load_rss_mb"] = (64, ""),
    };

    /// <summary>"target &lt; N: met" or "not met" for a figure with a target; null for the rest.</summary>
    private static string? Verdict(string key, double value) =>
        s_targets.TryGetValue(key, out (double Below, string Where) target)
            ? string.Create(CultureInfo.InvariantCulture, $"target < {target.Below}{target.Where}: {(value < target.Below ? "met" : "not met")}{(target.Where.Length > 0 ? " here" : "")}")
            : null;

    private static string UnitOf(string key) =>
        key.EndsWith("_mb", StringComparison.Ordinal) || key.Contains("_mb_", StringComparison.Ordinal) ? "MiB"
        : key.EndsWith("_ms", StringComparison.Ordinal) ? "ms"
        : key.EndsWith("_ops", StringComparison.Ordinal) ? "requests"
        : key == "load_unanswered" ? "requests"
        : "count";

    private sealed record Figures(double StartupMs, double ReadyMs, double IdleRssMb, double IdleWithModelsRssMb, double LoadRssMb, double LoadOps);
}
