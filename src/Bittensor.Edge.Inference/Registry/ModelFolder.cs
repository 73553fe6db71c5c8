// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Edge.Inference.Registry;

/// <summary>
/// A local model folder: <c>registry.json</c> (inference.md §1) with each model's bytes beside it as
/// <c>&lt;sha256&gt;.onnx</c>, the layout <c>bte inference models add</c> writes and <c>bte axon serve --models</c> and
/// the node's inference validator read.
/// </summary>
/// <remarks>Immutable after <see cref="TryOpen"/>; thread-safe. Model files are read on demand, never cached.</remarks>
public sealed class ModelFolder
{
    /// <summary>The registry's file name inside the folder.</summary>
    public const string RegistryFileName = "registry.json";

    private ModelFolder(string path, ModelRegistry registry)
    {
        Path = path;
        Registry = registry;
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>The parsed registry (entries not yet verified).</summary>
    public ModelRegistry Registry { get; }

    /// <summary>
    /// Opens <paramref name="path"/>: a missing folder or one without <c>registry.json</c> is an empty registry (nothing
    /// to serve, which is not an error); an unreadable or malformed registry is.
    /// </summary>
    public static bool TryOpen(string path, [NotNullWhen(true)] out ModelFolder? folder, [NotNullWhen(false)] out string? error)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string file = System.IO.Path.Combine(path, RegistryFileName);
        folder = null;
        if (!File.Exists(file))
        {
            folder = new ModelFolder(path, ModelRegistry.Empty);
            error = null;
            return true;
        }

        try
        {
            folder = new ModelFolder(path, ModelRegistry.Parse(File.ReadAllBytes(file)));
            error = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            error = $"{file} cannot be read as a model registry: {e.Message}";
            return false;
        }
    }

    /// <summary>The path of <paramref name="entry"/>'s model file.</summary>
    public string ModelPath(ModelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return System.IO.Path.Combine(Path, entry.Sha256 + ".onnx");
    }

    /// <summary>
    /// The verified entry <paramref name="id"/> and its bytes: refuses an entry that is missing, unsigned, badly signed
    /// or signed by a key outside the registry's <c>trust</c>, and a file that is missing or whose size or SHA-256
    /// differs from the entry, each with a sentence that says what to do.
    /// </summary>
    public bool TryRead(string id, [NotNullWhen(true)] out ModelEntry? entry, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = null;
        if (!Registry.TryGetVerified(id, out ModelEntry verified, out error))
        {
            entry = null;
            error ??= $"Model '{id}' is refused.";
            return false;
        }

        entry = verified;
        string file = ModelPath(verified);
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"Model '{id}' is refused: {file} cannot be read ({e.Message}); add it again with bte inference models add.";
            return false;
        }

        error = DescribeFileCheck(verified, bytes, file);
        return error is null;
    }

    /// <summary>A sentence for model bytes that do not match their entry, or null when they match.</summary>
    public static string? DescribeFileCheck(ModelEntry entry, ReadOnlySpan<byte> bytes, string file)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return ModelRegistry.CheckModelBytes(entry, bytes) switch
        {
            ModelFileCheck.Valid => null,
            ModelFileCheck.SizeMismatch => $"Model '{entry.Id}' is refused: {file} has {bytes.Length} bytes, its entry says {entry.Bytes} (the file was changed or truncated; restore it or add the model again).",
            _ => $"Model '{entry.Id}' is refused: the SHA-256 of {file} is {Core.Crypto.Sha256.Hash(bytes).ToString("x", null)}, its entry says {entry.Sha256} (the file was changed; restore it or add the model again).",
        };
    }
}
