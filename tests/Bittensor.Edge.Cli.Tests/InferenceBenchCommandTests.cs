// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Cli.Bench;
using Bittensor.Edge.Cli.Commands.Inference;

namespace Bittensor.Edge.Cli.Tests;

/// <summary>
/// <c>bte inference bench --quick</c> reports specs/benchmarks.md's inference metrics, consistently with each other. The
/// figures themselves are the machine's; only what does not depend on its speed is asserted.
/// </summary>
public sealed class InferenceBenchCommandTests
{
    private static readonly string[] s_positive = ["raw_run_us", "host_run_us", "batch1_per_s", "batch32_per_s", "recompute_rows_per_s_cpu", "request_read_us", "request_read_full_us"];

    [Fact]
    public async Task Quick_run_reports_every_metric_consistently_and_stays_within_the_allocation_budget()
    {
        using StringWriter progress = new();
        BenchReport report = await InferenceBenchCommand.RunAsync(quick: true, threads: 0, progress, TestContext.Current.CancellationToken);
        Dictionary<string, BenchReport.Metric> metrics = report.Metrics.ToDictionary(m => m.Name);

        string[] required = ["raw_run_us", "host_run_us", "overhead_pct", "batch1_per_s", "batch32_per_s", "batch_gain"];
        Assert.Equal(required, report.Metrics.Select(m => m.Name).Where(required.Contains));
        Assert.All(s_positive, name => Assert.True(metrics[name].Value > 0, name));
        Assert.Equal("raw_run_us", metrics["overhead_pct"].Baseline);
        Assert.Equal("batch1_per_s", metrics["batch_gain"].Baseline);
        Assert.Equal(metrics["batch32_per_s"].Value / metrics["batch1_per_s"].Value, metrics["batch_gain"].Value, 6);
        Assert.Equal((metrics["host_run_us"].Value - metrics["raw_run_us"].Value) / metrics["raw_run_us"].Value * 100, metrics["overhead_medians_pct"].Value, 6);

        // Allocation does not depend on the machine's speed: inference.md §7's budget is < 2 KB per request.
        Assert.InRange(metrics["host_alloc_bytes"].Value, 1, 2047);

        // This build's ONNX Runtime has no CUDA EP, and the report says so instead of leaving the GPU figures out silently.
        Assert.DoesNotContain("recompute_rows_per_s_cuda", metrics.Keys);
        Assert.Contains("CUDA not measured", metrics["recompute_rows_per_s_cpu"].Note!, StringComparison.Ordinal);

        using MemoryStream json = new();
        report.WriteJson(json);
        using JsonDocument doc = JsonDocument.Parse(json.ToArray());
        Assert.Equal("inference", doc.RootElement.GetProperty("benchmark").GetString());
        Assert.Equal("%", doc.RootElement.GetProperty("metrics").GetProperty("overhead_pct").GetProperty("unit").GetString());
    }
}
