// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Bittensor.Edge.Cli.Bench;
using Bittensor.Edge.Consensus.Benchmarks;
using Bittensor.Edge.Consensus.Epoch;

namespace Bittensor.Edge.Cli.Commands.Consensus;

/// <summary><c>bte consensus bench</c>: the epoch timings of specs/benchmarks.md.</summary>
internal static class ConsensusBenchCommand
{
    public static Command Create()
    {
        Option<bool> quick = new("--quick") { Description = "Fewer iterations (under a minute on 2 cores); the same scenario sizes." };
        Option<bool> json = new("--json") { Description = "Print one JSON object (specs/benchmarks.md) on stdout; progress goes to stderr." };
        Command command = new("bench", "Time the Yuma epoch on the pinned scenarios of specs/benchmarks.md (medians).")
        {
            quick,
            json,
        };
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
        {
            BenchReport report = Run(result.GetValue(quick), result.InvocationConfiguration.Error, cancellationToken);
            await report.PrintAsync(result.InvocationConfiguration.Output, result.GetValue(json)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    internal static BenchReport Run(bool quick, TextWriter progress, CancellationToken cancellationToken)
    {
        int warmup = quick ? 30 : 60;
        TimeSpan warmupTime = TimeSpan.FromSeconds(quick ? 1 : 2);
        int iterations = quick ? 7 : 31;
        BenchReport report = new("consensus");
        foreach (BenchScenario scenario in BenchScenarios.All)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress.WriteLine($"{scenario.Metric}: building n={scenario.N}, {scenario.Validators} validators ({scenario.Description}) ...");
            SubnetState state = BenchScenarios.CreateState(scenario);
            // Warm up by time as well as count: tiered compilation moves the hot loops to optimized code only
            // after ~30 calls plus a background delay, and the figure is meant for steady state.
            long warmStart = Stopwatch.GetTimestamp();
            for (int i = 0; i < warmup || Stopwatch.GetElapsedTime(warmStart) < warmupTime; i++)
            {
                _ = YumaEpoch.Run(state, scenario.Parameters, BenchScenarios.Block, BenchScenarios.RaoEmission);
            }
            List<double> samples = new(iterations);
            for (int i = 0; i < iterations; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long start = Stopwatch.GetTimestamp();
                _ = YumaEpoch.Run(state, scenario.Parameters, BenchScenarios.Block, BenchScenarios.RaoEmission);
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            double median = BenchReport.Median(samples);
            string? note = scenario.TargetMs is double target
                ? string.Create(CultureInfo.InvariantCulture, $"target < {target} ms: {(median < target ? "met" : "MISSED")}, {median / target:0.00} of it")
                : null;
            report.Add(scenario.Metric, median, "ms", note: note);
            progress.WriteLine($"{scenario.Metric}: median {median.ToString("0.00", CultureInfo.InvariantCulture)} ms over {iterations} runs");

            if (scenario.Metric == "epoch_ms_n4096_v64")
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                _ = YumaEpoch.Run(state, scenario.Parameters, BenchScenarios.Block, BenchScenarios.RaoEmission);
                long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                int weights = 0;
                for (int uid = 0; uid < state.Count; uid++)
                {
                    weights += state.GetWeights(uid).Count;
                }
                report.Add("alloc_mb_n4096_v64", allocated / 1e6, "MB",
                    note: string.Create(CultureInfo.InvariantCulture, $"{(double)allocated / weights:0.0} bytes per weight ({weights} weights)"));
            }
        }
        return report;
    }
}
