// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text.Json;
using Bittensor.Edge.Consensus.Scenarios;
using Spectre.Console;

namespace Bittensor.Edge.Cli.Commands.Consensus;

/// <summary>
/// <c>bte consensus replay SCENARIO.json... --out DIR [--json] [--quiet]</c> (<c>specs/consensus-scenario.md</c>):
/// replays each scenario file, writes <c>DIR/&lt;file name&gt;</c>, and reports failures as <c>FILE: reason</c> on
/// stderr while the other files are still processed. Exit code 0 when every file succeeded, 1 when any failed,
/// 2 for a usage error.
/// </summary>
internal static class ReplayCommand
{
    public const int Success = 0;
    public const int SomeFailed = 1;
    public const int UsageError = 2;

    public static Command Create()
    {
        Command replay = new("replay", "Replay consensus scenario files and write each one's epoch outputs to --out.");
        Argument<string[]> files = new("SCENARIO")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "Scenario files (bte-consensus-scenario/1).",
        };
        Option<DirectoryInfo> output = new("--out")
        {
            Required = true,
            Description = "Directory for the outputs (created if missing; files of the same name are overwritten).",
        };
        Option<bool> json = new("--json") { Description = "Print one JSON summary object on stdout instead of tables." };
        Option<bool> quiet = new("--quiet") { Description = "Print nothing on stdout (failures still go to stderr)." };
        replay.Arguments.Add(files);
        replay.Options.Add(output);
        replay.Options.Add(json);
        replay.Options.Add(quiet);
        replay.Action = new ReplayAction(files, output, json, quiet);
        return replay;
    }

    /// <summary>
    /// The action sees its own parse errors (<see cref="ClearsParseErrors"/>) so that a usage error exits with 2,
    /// which the default parse-error action (exit 1) would not.
    /// </summary>
    private sealed class ReplayAction(Argument<string[]> files, Option<DirectoryInfo> output, Option<bool> json, Option<bool> quiet)
        : AsynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken = default)
        {
            TextWriter stdout = parseResult.InvocationConfiguration.Output;
            TextWriter stderr = parseResult.InvocationConfiguration.Error;
            // SCENARIO takes one or more values, so an unknown option would otherwise be read as a file name;
            // name a file that starts with '-' as ./-file.
            string[] unknownOptions = parseResult.Errors.Count > 0 ? [] : Array.FindAll(parseResult.GetValue(files) ?? [], f => f.StartsWith('-'));
            if (parseResult.Errors.Count > 0 || parseResult.UnmatchedTokens.Count > 0 || unknownOptions.Length > 0)
            {
                foreach (System.CommandLine.Parsing.ParseError error in parseResult.Errors)
                {
                    stderr.WriteLine(error.Message);
                }

                foreach (string token in parseResult.UnmatchedTokens.Concat(unknownOptions))
                {
                    stderr.WriteLine($"Unrecognized argument '{token}'.");
                }

                stderr.WriteLine("usage: bte consensus replay SCENARIO.json [SCENARIO2.json ...] --out DIR [--json] [--quiet]");
                return Task.FromResult(UsageError);
            }

            string[] scenarioFiles = parseResult.GetValue(files) ?? [];
            DirectoryInfo directory = parseResult.GetRequiredValue(output);
            bool asJson = parseResult.GetValue(json);
            bool silent = parseResult.GetValue(quiet);
            return Task.FromResult(Run(scenarioFiles, directory, asJson, silent, stdout, stderr, cancellationToken));
        }
    }

    private static int Run(
        string[] scenarioFiles,
        DirectoryInfo directory,
        bool asJson,
        bool silent,
        TextWriter stdout,
        TextWriter stderr,
        CancellationToken cancellationToken)
    {
        try
        {
            directory.Create();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{directory.FullName}: cannot create the output directory: {e.Message}");
            return SomeFailed;
        }

        IAnsiConsole? console = asJson || silent ? null : ReplayReport.CreateConsole(stdout);
        List<FileOutcome> outcomes = [];
        foreach (string file in scenarioFiles)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string target = Path.Combine(directory.FullName, Path.GetFileName(file));
            try
            {
                ScenarioReplayResult result = Scenario.Load(file).Replay();
                File.WriteAllBytes(target, result.ToUtf8Json());
                outcomes.Add(new FileOutcome(file, target, result, null));
                if (console is not null)
                {
                    ReplayReport.Write(console, file, target, result);
                }
            }
            catch (ScenarioException e)
            {
                stderr.WriteLine(e.Message);
                outcomes.Add(new FileOutcome(file, null, null, e.Message));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                string message = $"{file}: cannot write {target}: {e.Message}";
                stderr.WriteLine(message);
                outcomes.Add(new FileOutcome(file, null, null, message));
            }
        }

        if (asJson && !silent)
        {
            WriteJsonSummary(stdout, directory, outcomes);
        }

        return outcomes.TrueForAll(o => o.Error is null) ? Success : SomeFailed;
    }

    private static void WriteJsonSummary(TextWriter stdout, DirectoryInfo directory, List<FileOutcome> outcomes)
    {
        using MemoryStream stream = new();
        using (Utf8JsonWriter writer = new(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("out", directory.FullName);
            writer.WriteStartArray("files");
            int failed = 0;
            foreach (FileOutcome outcome in outcomes)
            {
                writer.WriteStartObject();
                writer.WriteString("file", outcome.File);
                writer.WriteBoolean("ok", outcome.Error is null);
                if (outcome.Result is { } result)
                {
                    writer.WriteString("output", outcome.Output);
                    writer.WriteString("scenario", result.Scenario.Name);
                    writer.WriteNumber("n", result.Scenario.Count);
                    writer.WriteNumber("epochs", result.Epochs.Count);
                }
                else
                {
                    failed++;
                    writer.WriteString("error", outcome.Error);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("succeeded", outcomes.Count - failed);
            writer.WriteNumber("failed", failed);
            writer.WriteEndObject();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private sealed record FileOutcome(string File, string? Output, ScenarioReplayResult? Result, string? Error);
}
