// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using BenchmarkDotNet.Running;

namespace Bittensor.Edge.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project tests/Bittensor.Edge.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
