// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Cli.Bench;
using Bittensor.Edge.Cli.Commands.Storage;

namespace Bittensor.Edge.Cli.Tests;

/// <summary><c>bte storage bench --quick --json</c> prints every quick metric of specs/benchmarks.md.</summary>
public sealed class StorageBenchCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("bte-storage-bench-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Quick_run_reports_every_metric_with_its_unit_and_the_ratio_names_its_baseline()
    {
        using StringWriter progress = new();
        BenchReport report = StorageBenchCommand.Run(quick: true, _temp, _temp, progress, TestContext.Current.CancellationToken);

        string[] required = ["raw_hash_mb_s", "ingest_mb_s", "ingest_ratio", "prove_ms_warm", "prove_ms_cold", "verify_per_s_per_core"];
        Assert.Equal(required, report.Metrics.Select(m => m.Name).Where(required.Contains));
        Assert.Contains("tree_mb_s", report.Metrics.Select(m => m.Name));
        if (Pi4Estimate.CpuHz() is not null)
        {
            Assert.Equal(
                ["sha256_cpb_here", "pi4_sha256_cpb", "pi4_ingest_mb_s_est", "pi4_prove_ms_warm_est", "pi4_verify_per_s_est"],
                report.Metrics.Select(m => m.Name).Where(n => n.Contains("cpb", StringComparison.Ordinal) || n.StartsWith("pi4_", StringComparison.Ordinal)));
        }

        Assert.All(report.Metrics, m => Assert.True(m.Value > 0, m.Name));
        Assert.Equal("raw_hash_mb_s", report.Metrics.Single(m => m.Name == "ingest_ratio").Baseline);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp));

        using MemoryStream json = new();
        report.WriteJson(json);
        using JsonDocument doc = JsonDocument.Parse(json.ToArray());
        Assert.Equal("storage", doc.RootElement.GetProperty("benchmark").GetString());
        Assert.Equal("MB/s", doc.RootElement.GetProperty("metrics").GetProperty("ingest_mb_s").GetProperty("unit").GetString());
    }
}
