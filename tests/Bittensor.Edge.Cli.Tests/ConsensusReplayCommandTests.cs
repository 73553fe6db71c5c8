// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.Text.Json;

namespace Bittensor.Edge.Cli.Tests;

/// <summary><c>bte consensus replay</c>, run in-process on temporary directories.</summary>
public sealed class ConsensusReplayCommandTests : IDisposable
{
    private static readonly string s_vectors = Path.Combine(AppContext.BaseDirectory, "Vectors", "consensus");
    private static readonly string s_worked = Path.Combine(s_vectors, "scenarios", "worked_example.json");
    private static readonly string s_ref03 = Path.Combine(s_vectors, "scenarios", "ref_03_yuma2.json");

    private readonly string _temp = Directory.CreateTempSubdirectory("bte-replay-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using StringWriter output = new();
        using StringWriter error = new();
        int code = await Program.BuildRoot().Parse(args).InvokeAsync(
            new InvocationConfiguration { Output = output, Error = error },
            TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Replay_writes_the_expected_output_and_exits_zero()
    {
        string outDir = Path.Combine(_temp, "new", "dir");
        (int code, string stdout, string stderr) = await Run("consensus", "replay", s_worked, s_ref03, "--out", outDir);

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stderr);
        using JsonDocument expected = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(s_vectors, "expected", "worked_example.json"), TestContext.Current.CancellationToken));
        using JsonDocument actual = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(outDir, "worked_example.json"), TestContext.Current.CancellationToken));
        Assert.True(JsonElement.DeepEquals(expected.RootElement, actual.RootElement));
        Assert.True(File.Exists(Path.Combine(outDir, "ref_03_yuma2.json")));

        // The readable report: a summary line per epoch and the last epoch's table.
        Assert.Contains("epoch 1 at block 17: 4/4 active, 2 validators earned dividends, 2 miners earned incentive", stdout, StringComparison.Ordinal);
        Assert.Contains("341540655", stdout, StringComparison.Ordinal);
        Assert.Contains("0.341540655", stdout, StringComparison.Ordinal);
        Assert.Contains("the 32 of 48 uids with the largest emission", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_file_among_good_ones_is_reported_and_the_others_are_still_written()
    {
        string bad = Path.Combine(_temp, "bad.json");
        await File.WriteAllTextAsync(bad, """{"format": "bte-consensus-scenario/1", "n": 2, "epochs": [{"block": 1, "events": [{"op": "set_stake", "uid": 2, "stake": 1}]}]}""", TestContext.Current.CancellationToken);
        string missing = Path.Combine(_temp, "missing.json");
        string outDir = Path.Combine(_temp, "out");

        (int code, _, string stderr) = await Run("consensus", "replay", bad, s_worked, missing, "--out", outDir, "--quiet");

        Assert.Equal(1, code);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"{bad}: epochs[0].events[0].uid: uid 2 is out of range (n = 2) (epoch 0)", lines[0].TrimEnd('\r'));
        Assert.StartsWith($"{missing}: cannot read the file", lines[1], StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(outDir, "worked_example.json")));
        Assert.False(File.Exists(Path.Combine(outDir, "bad.json")));
        Assert.False(File.Exists(Path.Combine(outDir, "missing.json")));
    }

    [Fact]
    public async Task Quiet_prints_nothing_on_stdout()
    {
        (int code, string stdout, _) = await Run("consensus", "replay", s_worked, "--out", _temp, "--quiet");
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stdout);
    }

    [Fact]
    public async Task Json_prints_one_summary_object()
    {
        string bad = Path.Combine(_temp, "bad.json");
        await File.WriteAllTextAsync(bad, "{", TestContext.Current.CancellationToken);
        (int code, string stdout, string stderr) = await Run("consensus", "replay", s_worked, bad, "--out", Path.Combine(_temp, "o"), "--json");

        Assert.Equal(1, code);
        Assert.Contains("not valid JSON", stderr, StringComparison.Ordinal);
        using JsonDocument summary = JsonDocument.Parse(stdout);
        Assert.Equal(1, summary.RootElement.GetProperty("succeeded").GetInt32());
        Assert.Equal(1, summary.RootElement.GetProperty("failed").GetInt32());
        JsonElement first = summary.RootElement.GetProperty("files")[0];
        Assert.True(first.GetProperty("ok").GetBoolean());
        Assert.Equal("worked_example", first.GetProperty("scenario").GetString());
        Assert.Equal(3, first.GetProperty("epochs").GetInt32());
        Assert.False(summary.RootElement.GetProperty("files")[1].GetProperty("ok").GetBoolean());
    }

    [Theory]
    [InlineData("consensus replay x.json")]
    [InlineData("consensus replay --out dir")]
    [InlineData("consensus replay x.json --out dir --bogus")]
    public async Task Usage_errors_exit_with_two(string commandLine)
    {
        (int code, _, string stderr) = await Run(commandLine.Split(' '));
        Assert.Equal(2, code);
        Assert.Contains("usage: bte consensus replay", stderr, StringComparison.Ordinal);
    }
}
