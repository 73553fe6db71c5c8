// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Spectre.Console;

namespace Bittensor.Edge.Cli.Bench;

/// <summary>
/// The figures of one <c>bte ... bench</c> run, printed as a table or as the JSON object of
/// specs/benchmarks.md ("--json": one object on stdout, progress on stderr).
/// </summary>
internal sealed class BenchReport
{
    private readonly List<Metric> _metrics = [];

    public BenchReport(string benchmark) => Benchmark = benchmark;

    public string Benchmark { get; }

    public IReadOnlyList<Metric> Metrics => _metrics;

    public void Add(string name, double value, string unit, string? baseline = null, string? note = null) =>
        _metrics.Add(new Metric(name, value, unit, baseline, note));

    public void WriteJson(Stream stream)
    {
        using Utf8JsonWriter json = new(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("benchmark", Benchmark);
        json.WriteStartObject("machine");
        json.WriteNumber("cores", Environment.ProcessorCount);
        json.WriteString("os", RuntimeInformation.RuntimeIdentifier);
        json.WriteString("runtime", RuntimeInformation.FrameworkDescription);
        json.WriteEndObject();
        json.WriteStartObject("metrics");
        foreach (Metric m in _metrics)
        {
            json.WriteStartObject(m.Name);
            json.WriteNumber("value", Math.Round(m.Value, 4));
            json.WriteString("unit", m.Unit);
            if (m.Baseline is not null)
            {
                json.WriteString("baseline", m.Baseline);
            }
            if (m.Note is not null)
            {
                json.WriteString("note", m.Note);
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    public void WriteTable(IAnsiConsole console)
    {
        Table table = new Table().Title($"bte {Benchmark} bench on {Environment.ProcessorCount} cores, {RuntimeInformation.RuntimeIdentifier}")
            .AddColumn("metric").AddColumn(new TableColumn("value").RightAligned()).AddColumn("unit").AddColumn("note");
        foreach (Metric m in _metrics)
        {
            string note = m.Baseline is null ? m.Note ?? "" : $"vs {m.Baseline}" + (m.Note is null ? "" : $"; {m.Note}");
            table.AddRow(Markup.Escape(m.Name), m.Value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(m.Unit), Markup.Escape(note));
        }
        console.Write(table);
    }

    /// <summary>
    /// Prints the report to <paramref name="output"/>: the benchmarks.md JSON object for <c>--json</c>, else a table.
    /// Every <c>bte ... bench</c> command ends with this, so the formats cannot drift apart.
    /// </summary>
    public async Task PrintAsync(TextWriter output, bool json)
    {
        if (json)
        {
            using MemoryStream buffer = new();
            WriteJson(buffer);
            await output.WriteAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray())).ConfigureAwait(false);
        }
        else
        {
            WriteTable(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) }));
        }
    }

    /// <summary>Median of the samples (the figure benchmarks.md asks for unless a name says p99).</summary>
    public static double Median(List<double> samples)
    {
        Debug.Assert(samples.Count > 0);
        samples.Sort();
        int mid = samples.Count / 2;
        return samples.Count % 2 == 1 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
    }

    internal readonly record struct Metric(string Name, double Value, string Unit, string? Baseline, string? Note);
}
