// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Miner.Tests;

public sealed class SelfTestTests
{
    [Fact]
    public void Every_self_test_check_passes_on_this_machine()
    {
        IReadOnlyList<SelfTest.Check> checks = SelfTest.RunChecks();
        Assert.Equal(3, checks.Count);
        Assert.All(checks, c => Assert.True(c.Ok, $"{c.Name}: {c.Detail}"));
    }

    [Fact]
    public async Task Self_test_prints_one_line_per_check_and_exits_zero()
    {
        using StringWriter output = new();
        using StringWriter error = new();
        int code = await Program.RunAsync(["self-test"], output, error);
        Assert.Equal(MinerConstants.ExitOk, code);
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("self-test passed", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Self_test_json_reports_ok_and_each_check()
    {
        using StringWriter output = new();
        int code = await Program.RunAsync(["self-test", "--json"], output, TextWriter.Null);
        Assert.Equal(MinerConstants.ExitOk, code);
        using System.Text.Json.JsonDocument doc = System.Text.Json.JsonDocument.Parse(output.ToString());
        Assert.True(doc.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(3, doc.RootElement.GetProperty("checks").GetArrayLength());
    }

    [Fact]
    public async Task Version_prints_the_assembly_version()
    {
        using StringWriter output = new();
        Assert.Equal(MinerConstants.ExitOk, await Program.RunAsync(["--version"], output, TextWriter.Null));
        Assert.Equal(MinerVersion.Current, output.ToString().Trim());
        Assert.DoesNotContain("+", MinerVersion.Current, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("self-test", "--bogus")]
    [InlineData("--nope")]
    [InlineData("--config")]
    public async Task Bad_arguments_exit_2_with_a_hint(params string[] args)
    {
        using StringWriter error = new();
        Assert.Equal(MinerConstants.ExitUsage, await Program.RunAsync(args, TextWriter.Null, error));
        Assert.Contains("bte-miner --help", error.ToString(), StringComparison.Ordinal);
    }
}
