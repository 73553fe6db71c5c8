// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Core.Wallets;
using Bittensor.Edge.Inference;
using Bittensor.Edge.Inference.Batching;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Scoring;
using Bittensor.Edge.Inference.Sessions;
using Bittensor.Edge.Protocol.Synapses;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;

namespace Bittensor.Edge.Cli.Commands.Inference;

/// <summary>The actions of <c>bte inference</c>; each returns the exit code (0 ok, 1 failed).</summary>
internal static class InferenceActions
{
    private static readonly string s_home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary><c>registry.json</c> in the model folder <c>bte axon serve</c> serves: <c>$BTE_MODELS_PATH</c>, else <c>~/.bittensor-edge/models</c>.</summary>
    public static string DefaultRegistryPath(Func<string, string?> environment) =>
        Path.Combine(Axon.AxonServeAction.DefaultModelsPath(environment), ModelFolder.RegistryFileName);

    public static string DefaultKeyPath { get; } = Path.Combine(s_home, ".bittensor-edge", "registry.key");

    public static int Generate(ParseResult result, string outDir, string[] only)
    {
        TextWriter stdout = result.InvocationConfiguration.Output;
        TextWriter stderr = result.InvocationConfiguration.Error;
        IEnumerable<string> ids = only.Length > 0 ? only : BundledModels.Ids;
        Directory.CreateDirectory(outDir);
        foreach (string id in ids)
        {
            if (!BundledModels.IsBundled(id))
            {
                stderr.WriteLine($"bte: '{id}' is not a bundled model ({string.Join(", ", BundledModels.Ids)}).");
                return 1;
            }

            GeneratedModel model = BundledModels.Create(id);
            string path = Path.Combine(outDir, id + ".onnx");
            File.WriteAllBytes(path, model.Bytes);
            stdout.WriteLine($"{id}  {model.Sha256.ToString("x", null)}  {model.Bytes.Length} bytes  {path}");
        }

        return 0;
    }

    public static int Add(ParseResult result, string registryPath, string file, string? id, string? tolerance, string? boards, string keyPath)
    {
        TextWriter stdout = result.InvocationConfiguration.Output;
        TextWriter stderr = result.InvocationConfiguration.Error;
        if (!File.Exists(file))
        {
            stderr.WriteLine($"bte: {file} does not exist.");
            return 1;
        }

        Tolerance tol = Tolerance.Default;
        if (tolerance is not null)
        {
            string[] parts = tolerance.Split(',');
            if (parts.Length != 2
                || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double abs)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double rel)
                || abs < 0 || rel < 0)
            {
                stderr.WriteLine("bte: --tolerance must be ABS,REL with two non-negative numbers, e.g. 1e-4,1e-3.");
                return 1;
            }

            tol = new Tolerance(abs, rel);
        }

        string modelId = id ?? Path.GetFileNameWithoutExtension(file);
        byte[] bytes = File.ReadAllBytes(file);
        ModelEntry draft;
        try
        {
            EntryOptions options = new()
            {
                Tolerance = tol,
                Boards = boards is null ? EntryOptions.AllBoards : boards.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            };
            draft = ModelInspector.CreateEntry(modelId, bytes, options, NullLogger.Instance);
        }
        catch (Exception ex) when (ex is FormatException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            stderr.WriteLine($"bte: {file} cannot be served: {ex.Message}");
            return 1;
        }

        using WalletKey key = LoadOrCreateKey(keyPath, stderr);
        ModelRegistry registry = LoadRegistry(registryPath).WithTrust(key.PublicKey);
        try
        {
            registry = registry.WithEntry(ModelRegistry.Sign(draft, key.KeyPair));
        }
        catch (ArgumentException ex)
        {
            stderr.WriteLine($"bte: {ex.Message}");
            return 1;
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(registryPath))!;
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, draft.Sha256 + ".onnx"), bytes);
        WriteAtomically(registryPath, registry.ToJson());
        stdout.WriteLine($"Added {modelId} ({draft.Sha256}, {bytes.Length} bytes, inputs {Describe(draft.Inputs)}, outputs {Describe(draft.Outputs)}), signed by {key.Ss58Address}.");
        return 0;
    }

    public static int List(ParseResult result, string registryPath)
    {
        ModelRegistry registry = LoadRegistry(registryPath);
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(result.InvocationConfiguration.Output) });
        Table table = new Table().AddColumn("id").AddColumn("sha256").AddColumn(new TableColumn("bytes").RightAligned()).AddColumn("inputs").AddColumn("entry");
        foreach (ModelEntry entry in registry.Models)
        {
            table.AddRow(
                Markup.Escape(entry.Id),
                entry.Sha256[..16] + "…",
                entry.Bytes.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(Describe(entry.Inputs)),
                registry.Check(entry.Id).ToString());
        }

        console.Write(table);
        return 0;
    }

    public static int Show(ParseResult result, string registryPath, string id)
    {
        ModelRegistry registry = LoadRegistry(registryPath);
        if (!registry.TryGet(id, out ModelEntry entry))
        {
            result.InvocationConfiguration.Error.WriteLine($"bte: model '{id}' is not in {registryPath}.");
            return 1;
        }

        result.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(entry, RegistryJsonContext.Default.ModelEntry));
        return 0;
    }

    public static int Verify(ParseResult result, string registryPath)
    {
        TextWriter stdout = result.InvocationConfiguration.Output;
        ModelRegistry registry = LoadRegistry(registryPath);
        string folder = Path.GetDirectoryName(Path.GetFullPath(registryPath))!;
        int failures = 0;
        foreach (ModelEntry entry in registry.Models)
        {
            string? problem = ModelRegistry.Describe(registry.Check(entry.Id), entry);
            if (problem is null)
            {
                string path = Path.Combine(folder, entry.Sha256 + ".onnx");
                problem = !File.Exists(path)
                    ? $"Model '{entry.Id}': {path} is missing."
                    : ModelRegistry.CheckModelBytes(entry, File.ReadAllBytes(path)) switch
                    {
                        ModelFileCheck.Valid => null,
                        ModelFileCheck.SizeMismatch => $"Model '{entry.Id}': {path} has the wrong size.",
                        _ => $"Model '{entry.Id}': {path} has the wrong SHA-256.",
                    };
            }

            stdout.WriteLine(problem ?? $"{entry.Id}: ok (signed by {entry.Signer}, {entry.Sha256})");
            failures += problem is null ? 0 : 1;
        }

        stdout.WriteLine($"{registry.Models.Count - failures} of {registry.Models.Count} entries verify.");
        return failures == 0 ? 0 : 1;
    }

    public static async Task<int> RunAsync(ParseResult result, string registryPath, string id, string? input, bool random, ulong seed, int rows, bool json)
    {
        TextWriter stdout = result.InvocationConfiguration.Output;
        TextWriter stderr = result.InvocationConfiguration.Error;
        if ((input is null) == !random)
        {
            stderr.WriteLine("bte: give exactly one of --input FILE and --random.");
            return 1;
        }

        if (!TryResolve(registryPath, id, out ModelRegistry registry, out byte[] bytes, out string? error))
        {
            stderr.WriteLine($"bte: {error}");
            return 1;
        }

        registry.TryGet(id, out ModelEntry entry);
        NamedTensor[] inputs;
        if (input is not null)
        {
            InferenceRequest? request;
            try
            {
                request = JsonSerializer.Deserialize(File.ReadAllBytes(input), ProtocolJsonContext.Default.InferenceRequest);
            }
            catch (JsonException ex)
            {
                stderr.WriteLine($"bte: {input} is not an Inference request body: {ex.Message}");
                stderr.WriteLine("bte: expected {\"modelId\", \"modelSha256\", \"inputs\": [{\"name\", \"dtype\", \"shape\": [...], \"data\": base64 of the little-endian values}]} (protocol.md §4); bte inference models show ID gives the input names, dtypes and shapes.");
                return 1;
            }

            inputs = WireTensors.ToHost(request!.Inputs);
        }
        else
        {
            inputs = InputGenerator.Generate(entry, Math.Max(1, rows), seed);
        }

        ILogger logger = NullLogger.Instance;
        await using InferenceHost host = new(SystemClock.Instance, new SessionSettings(), new BatchSettings(32, TimeSpan.Zero), OrtExecutionProviderCatalog.Instance, logger);
        if (!host.TryLoad(registry, id, bytes, out error))
        {
            stderr.WriteLine($"bte: {error}");
            return 1;
        }

        InferenceResult outcome = await host.InferAsync(id, Hash256.Parse(entry.Sha256, null), inputs, TimeSpan.FromSeconds(entry.TimeoutS)).ConfigureAwait(false);
        if (!outcome.IsSuccess)
        {
            stderr.WriteLine($"bte: {outcome.Error!.Code}: {outcome.Error.Message}");
            return 1;
        }

        if (json)
        {
            InferenceResponse response = new(WireTensors.ToWire(outcome.Outputs), (ulong)outcome.ComputeTime.TotalMicroseconds);
            stdout.WriteLine(JsonSerializer.Serialize(response, ProtocolJsonContext.Default.InferenceResponse));
            return 0;
        }

        foreach (NamedTensor output in outcome.Outputs)
        {
            int count = output.Data.Length / InferenceDTypes.ElementSize(output.DType);
            IEnumerable<string> values = Enumerable.Range(0, Math.Min(count, 16))
                .Select(i => InputGenerator.ElementAt(output.DType, output.Data.Span, i).ToString("G6", CultureInfo.InvariantCulture));
            stdout.WriteLine($"{output.Name} {InferenceDTypes.Name(output.DType)} [{string.Join(", ", output.Shape)}]: {string.Join(' ', values)}{(count > 16 ? " …" : "")}");
        }

        stdout.WriteLine($"ran on {host.Models[0].ExecutionProvider} in {outcome.ComputeTime.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)} ms");
        return 0;
    }

    /// <summary>The registry and model bytes for <paramref name="id"/>: from the registry folder, else a bundled model signed by a throwaway key.</summary>
    private static bool TryResolve(string registryPath, string id, out ModelRegistry registry, out byte[] bytes, out string? error)
    {
        registry = LoadRegistry(registryPath);
        if (registry.TryGet(id, out ModelEntry entry))
        {
            string path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(registryPath))!, entry.Sha256 + ".onnx");
            if (!File.Exists(path))
            {
                bytes = [];
                error = $"{path} is missing.";
                return false;
            }

            bytes = File.ReadAllBytes(path);
            error = null;
            return true;
        }

        if (!BundledModels.IsBundled(id))
        {
            bytes = [];
            error = $"Model '{id}' is neither in {registryPath} nor bundled.";
            return false;
        }

        GeneratedModel model = BundledModels.Create(id);
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        ModelEntry bundled = ModelRegistry.Sign(
            ModelInspector.CreateEntry(id, model.Bytes, new EntryOptions { Generator = new GeneratorEntry(model.Spec.Kind, model.Spec.Seed, model.Spec.Dims) }, NullLogger.Instance),
            key);
        registry = ModelRegistry.Empty.WithTrust(key.PublicKey).WithEntry(bundled);
        bytes = model.Bytes;
        error = null;
        return true;
    }

    private static ModelRegistry LoadRegistry(string path) => File.Exists(path) ? ModelRegistry.Parse(File.ReadAllBytes(path)) : ModelRegistry.Empty;

    private static WalletKey LoadOrCreateKey(string path, TextWriter stderr)
    {
        if (File.Exists(path))
        {
            return KeyFile.ReadSecret(path, password: null);
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        WalletKey key = WalletKey.Generate();
        KeyFile.WritePlaintext(path, key);
        stderr.WriteLine($"Created the registry key {path} ({key.Ss58Address}); it is now in the registry's trust list.");
        return key;
    }

    private static void WriteAtomically(string path, byte[] contents)
    {
        string temp = path + ".tmp";
        using (FileStream stream = new(temp, FileMode.Create, FileAccess.Write))
        {
            stream.Write(contents);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static string Describe(IReadOnlyList<TensorEntry> tensors) =>
        string.Join("; ", tensors.Select(t => $"{t.Name} {t.DType} [{string.Join(", ", t.Shape)}]"));
}
