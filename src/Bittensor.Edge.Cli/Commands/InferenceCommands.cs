// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands.Inference;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte inference ...</c>: the model registry, bundled model generation, single runs and the benchmark.</summary>
internal static class InferenceCommands
{
    public static Command Create() => Create(Environment.GetEnvironmentVariable);

    /// <param name="environment">Reads <c>BTE_MODELS_PATH</c>; tests pass their own.</param>
    public static Command Create(Func<string, string?> environment)
    {
        Command inference = new("inference", "Hash-pinned ONNX models: registry, generation, runs and benchmark (specs/inference.md).");
        Option<string> registry = new("--registry")
        {
            Description = "The local registry.json; model files sit beside it as <sha256>.onnx (default: registry.json in $BTE_MODELS_PATH, else in ~/.bittensor-edge/models: the folder bte axon serve serves).",
            DefaultValueFactory = _ => InferenceActions.DefaultRegistryPath(environment),
            Recursive = true,
        };
        inference.Options.Add(registry);

        Command models = new("models", "Add, list, show and verify signed registry entries.");
        models.Subcommands.Add(AddCommand(registry));
        Command list = new("list", "List the registry's entries and whether each verifies.");
        list.SetAction((ParseResult r, CancellationToken _) => Task.FromResult(InferenceActions.List(r, r.GetValue(registry)!)));
        models.Subcommands.Add(list);
        Argument<string> showId = new("id") { Description = "Model id." };
        Command show = new("show", "Print one entry as JSON.") { showId };
        show.SetAction((ParseResult r, CancellationToken _) => Task.FromResult(InferenceActions.Show(r, r.GetValue(registry)!, r.GetValue(showId)!)));
        models.Subcommands.Add(show);
        Command verify = new("verify", "Check every entry's signature and trust, and every model file's size and SHA-256; exit 1 if any fails.");
        verify.SetAction((ParseResult r, CancellationToken _) => Task.FromResult(InferenceActions.Verify(r, r.GetValue(registry)!)));
        models.Subcommands.Add(verify);
        inference.Subcommands.Add(models);

        Option<string> outDir = new("--out") { Description = "Folder to write the .onnx files to.", Required = true };
        Option<string[]> only = new("--model") { Description = "Only these bundled ids (repeatable); default: all.", AllowMultipleArgumentsPerToken = true };
        Command generate = new("generate", "Write the bundled models (mlp-tiny-v1, cnn-tiny-v1, mlp-bench-v1, mlp-tiny-cheap-v1) from their seeds.") { outDir, only };
        generate.SetAction((ParseResult r, CancellationToken _) => Task.FromResult(InferenceActions.Generate(r, r.GetValue(outDir)!, r.GetValue(only) ?? [])));
        inference.Subcommands.Add(generate);

        Argument<string> model = new("model") { Description = "A registry id, or a bundled id (generated in memory) when the registry lacks it." };
        Option<string?> input = new("--input") { Description = "A JSON file holding an Inference request body {modelId, modelSha256, inputs} (protocol.md §4)." };
        Option<bool> random = new("--random") { Description = "Generate the inputs from the model's input domains (inference.md §5)." };
        Option<ulong> seed = new("--seed") { Description = "Seed for --random.", DefaultValueFactory = _ => 1 };
        Option<int> rows = new("--rows") { Description = "Rows for --random.", DefaultValueFactory = _ => 1 };
        Option<bool> json = new("--json") { Description = "Print the Inference response body as JSON." };
        Command run = new("run", "Run a model once on the CPU and print its outputs.") { model, input, random, seed, rows, json };
        run.SetAction((ParseResult r, CancellationToken _) => InferenceActions.RunAsync(
            r, r.GetValue(registry)!, r.GetValue(model)!, r.GetValue(input), r.GetValue(random), r.GetValue(seed), r.GetValue(rows), r.GetValue(json)));
        inference.Subcommands.Add(run);

        inference.Subcommands.Add(InferenceBenchCommand.Create());
        return inference;
    }

    private static Command AddCommand(Option<string> registry)
    {
        Argument<string> file = new("file") { Description = "The .onnx file." };
        Option<string?> id = new("--id") { Description = "Model id (default: the file name without .onnx)." };
        Option<string?> tolerance = new("--tolerance") { Description = "ABS,REL float tolerance (default 1e-4,1e-3)." };
        Option<string?> boards = new("--boards") { Description = "B1,B2,... boards allowed (default: every board)." };
        Option<string> key = new("--key")
        {
            Description = "The registry key file (plaintext key JSON, protocol.md §5; a wallet hotkey file works); created on first use (default: ~/.bittensor-edge/registry.key).",
            DefaultValueFactory = _ => InferenceActions.DefaultKeyPath,
        };
        Command add = new("add", "Inspect a model, run its seeded self-test, pin its SHA-256 and sign its entry into the registry.") { file, id, tolerance, boards, key };
        add.SetAction((ParseResult r, CancellationToken _) => Task.FromResult(InferenceActions.Add(
            r, r.GetValue(registry)!, r.GetValue(file)!, r.GetValue(id), r.GetValue(tolerance), r.GetValue(boards), r.GetValue(key)!)));
        return add;
    }
}
