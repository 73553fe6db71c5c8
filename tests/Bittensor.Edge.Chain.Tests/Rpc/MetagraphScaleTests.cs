// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;
using System.Text.Json;
using Bittensor.Edge.Chain.Benchmarks;
using Bittensor.Edge.Chain.Node;
using Bittensor.Edge.Chain.Rpc;

namespace Bittensor.Edge.Chain.Tests.Rpc;

public sealed class MetagraphScaleTests
{
    [Fact]
    public async Task A_4096_uid_metagraph_is_served_in_under_10_ms()
    {
        long start = Stopwatch.GetTimestamp();
        ChainNode node = ChainBenchScenarios.CreateMetagraphNode();
        TestContext.Current.SendDiagnosticMessage($"built in {Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s");
        ChainRpcHandler handler = new(node);
        byte[] request = """{"jsonrpc":"2.0","id":1,"method":"subnet_getMetagraph","params":[1]}"""u8.ToArray();

        long cold = Stopwatch.GetTimestamp();
        byte[] first = await handler.HandleAsync(request, TestContext.Current.CancellationToken);
        TimeSpan coldTime = Stopwatch.GetElapsedTime(cold);
        List<double> warm = [];
        for (int i = 0; i < 20; i++)
        {
            long t = Stopwatch.GetTimestamp();
            await handler.HandleAsync(request, TestContext.Current.CancellationToken);
            warm.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }

        warm.Sort();
        TestContext.Current.SendDiagnosticMessage($"cold {coldTime.TotalMilliseconds:0.00} ms, warm median {warm[10]:0.00} ms");
        using JsonDocument json = JsonDocument.Parse(first);
        Assert.Equal(4096, json.RootElement.GetProperty("result").GetProperty("n").GetInt32());
        Assert.Equal(4096, json.RootElement.GetProperty("result").GetProperty("hotkeys").GetArrayLength());
        Assert.True(warm[10] < 10, $"median {warm[10]} ms");
    }
}
