// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.Text.Json;

namespace Bittensor.Edge.Cli.Tests;

public sealed class InferenceCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bte-inference-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Registry => Path.Combine(_root, "registry", "registry.json");

    private string Key => Path.Combine(_root, "keys", "registry.key");

    [Fact]
    public async Task Without_registry_models_add_writes_to_BTE_MODELS_PATH_the_folder_axon_serve_serves()
    {
        string served = Path.Combine(_root, "served");
        RootCommand root = new("bte (test)");
        root.Subcommands.Add(Commands.InferenceCommands.Create(name => name == "BTE_MODELS_PATH" ? served : null));
        Assert.Equal(0, (await WalletCliHarness.InvokeAsync(root, ["inference", "generate", "--out", Path.Combine(_root, "models"), "--model", "mlp-tiny-v1"])).ExitCode);

        CliResult added = await WalletCliHarness.InvokeAsync(root, ["inference", "models", "add", Path.Combine(_root, "models", "mlp-tiny-v1.onnx"), "--key", Key]);
        CliResult listed = await WalletCliHarness.InvokeAsync(root, ["inference", "models", "list"]);

        Assert.True(added.ExitCode == 0, added.Error);
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains("mlp-tiny-v1", listed.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(served, "registry.json")));
        string axonFolder = Commands.Axon.AxonServeAction.DefaultModelsPath(name => name == "BTE_MODELS_PATH" ? served : null);
        Assert.True(Inference.Registry.ModelFolder.TryOpen(axonFolder, out Inference.Registry.ModelFolder? folder, out string? error), error);
        Assert.True(folder.TryRead("mlp-tiny-v1", out _, out byte[]? bytes, out error), error);
        Assert.Equal(38704, bytes.Length);
    }

    [Fact]
    public async Task Generate_then_add_list_verify_and_run_a_bundled_model()
    {
        (int code, string output, string error) = await RunAsync("inference", "generate", "--out", Path.Combine(_root, "models"), "--model", "mlp-tiny-v1");
        Assert.Equal(0, code);
        Assert.Contains("ab81045236a8230d4a4de8aafcb31249c64665524aa9ea1f1b273aa17d3507bf", output, StringComparison.Ordinal);

        (code, output, error) = await RunAsync("inference", "models", "add", Path.Combine(_root, "models", "mlp-tiny-v1.onnx"), "--registry", Registry, "--key", Key, "--boards", "rpi5,x64-sim");
        Assert.True(code == 0, error);
        Assert.Contains("x float32 [N, 64]", output, StringComparison.Ordinal);
        Assert.Contains("Created the registry key", error, StringComparison.Ordinal);

        (code, output, _) = await RunAsync("inference", "models", "verify", "--registry", Registry);
        Assert.Equal(0, code);
        Assert.Contains("1 of 1 entries verify", output, StringComparison.Ordinal);

        (code, output, _) = await RunAsync("inference", "models", "show", "mlp-tiny-v1", "--registry", Registry);
        Assert.Equal(0, code);
        using (JsonDocument entry = JsonDocument.Parse(output))
        {
            Assert.Equal(38704, entry.RootElement.GetProperty("bytes").GetInt64());
            Assert.Equal("float32", entry.RootElement.GetProperty("inputs")[0].GetProperty("dtype").GetString());
            Assert.Equal(2, entry.RootElement.GetProperty("boards").GetArrayLength());
        }

        (code, output, error) = await RunAsync("inference", "run", "mlp-tiny-v1", "--random", "--seed", "3", "--rows", "2", "--json", "--registry", Registry);
        Assert.True(code == 0, error);
        using JsonDocument response = JsonDocument.Parse(output);
        JsonElement y = response.RootElement.GetProperty("outputs")[0];
        Assert.Equal("y", y.GetProperty("name").GetString());
        Assert.Equal(2 * 10 * 4, Convert.FromBase64String(y.GetProperty("data").GetString()!).Length);
    }

    [Fact]
    public async Task Add_takes_a_model_with_several_inputs_and_outputs_of_every_dtype_and_refuses_a_symbolic_non_batch_axis()
    {
        Inference.InferenceDType[] dtypes = [Inference.InferenceDType.Float32, Inference.InferenceDType.Float16, Inference.InferenceDType.Int64, Inference.InferenceDType.Int32, Inference.InferenceDType.UInt8, Inference.InferenceDType.Bool];
        Inference.Onnx.OnnxGraph graph = new(
            "mixed-v1",
            [.. dtypes.Select((d, i) => new Inference.Onnx.OnnxNode($"id{i}", "Identity", [$"in{i}"], [$"out{i}"], []))],
            [],
            [.. dtypes.Select((d, i) => new Inference.Onnx.OnnxValueInfo($"in{i}", d, [Inference.Onnx.OnnxDim.Batch, 4]))],
            [.. dtypes.Select((d, i) => new Inference.Onnx.OnnxValueInfo($"out{i}", d, [Inference.Onnx.OnnxDim.Batch, 4]))]);
        string mixed = Path.Combine(_root, "mixed-v1.onnx");
        File.WriteAllBytes(mixed, Inference.Onnx.ModelWriter.Write(graph));
        Inference.Onnx.OnnxGraph sequence = graph with
        {
            Name = "sequence-v1",
            Inputs = [new Inference.Onnx.OnnxValueInfo("in0", Inference.InferenceDType.Float32, [Inference.Onnx.OnnxDim.Batch, new Inference.Onnx.OnnxDim(0, "S")])],
            Outputs = [new Inference.Onnx.OnnxValueInfo("out0", Inference.InferenceDType.Float32, [Inference.Onnx.OnnxDim.Batch, new Inference.Onnx.OnnxDim(0, "S")])],
            Nodes = [graph.Nodes[0]],
        };
        string dynamic = Path.Combine(_root, "sequence-v1.onnx");
        File.WriteAllBytes(dynamic, Inference.Onnx.ModelWriter.Write(sequence));

        (int code, string output, string error) = await RunAsync("inference", "models", "add", mixed, "--registry", Registry, "--key", Key);
        Assert.True(code == 0, error);
        Assert.Contains("in5 bool [N, 4]", output, StringComparison.Ordinal);
        Assert.Contains("out1 float16 [N, 4]", output, StringComparison.Ordinal);
        (code, output, _) = await RunAsync("inference", "run", "mixed-v1", "--random", "--rows", "3", "--registry", Registry);
        Assert.Equal(0, code);
        Assert.Contains("out2 int64 [3, 4]", output, StringComparison.Ordinal);

        (code, _, error) = await RunAsync("inference", "models", "add", dynamic, "--registry", Registry, "--key", Key);
        Assert.Equal(1, code);
        Assert.Contains("cannot be served", error, StringComparison.Ordinal);
        Assert.Contains("only dimension 0 (the batch) may be symbolic", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_fails_when_a_model_file_was_changed()
    {
        await RunAsync("inference", "generate", "--out", Path.Combine(_root, "models"), "--model", "cnn-tiny-v1");
        (int code, _, _) = await RunAsync("inference", "models", "add", Path.Combine(_root, "models", "cnn-tiny-v1.onnx"), "--registry", Registry, "--key", Key);
        Assert.Equal(0, code);
        string stored = Directory.GetFiles(Path.GetDirectoryName(Registry)!, "*.onnx").Single();
        byte[] bytes = File.ReadAllBytes(stored);
        bytes[^3] ^= 1;
        File.WriteAllBytes(stored, bytes);

        (code, string output, _) = await RunAsync("inference", "models", "verify", "--registry", Registry);

        Assert.Equal(1, code);
        Assert.Contains("wrong SHA-256", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_reads_an_inference_request_body_and_reports_BadInput()
    {
        string input = Path.Combine(_root, "request.json");
        File.WriteAllText(input, $$"""{"modelId":"mlp-tiny-v1","modelSha256":"{{new string('0', 64)}}","inputs":[{"name":"x","dtype":"float32","shape":[1,3],"data":"AAAAAAAAAAAAAAAA"}]}""");

        (int code, _, string error) = await RunAsync("inference", "run", "mlp-tiny-v1", "--input", input, "--registry", Registry);

        Assert.Equal(1, code);
        Assert.Contains("BadInput", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_help_names_the_quick_and_json_options()
    {
        (int code, string output, _) = await RunAsync("inference", "bench", "--help");

        Assert.Equal(0, code);
        Assert.Contains("--quick", output, StringComparison.Ordinal);
        Assert.Contains("--json", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        StringWriter output = new();
        StringWriter error = new();
        int code = await Program.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
