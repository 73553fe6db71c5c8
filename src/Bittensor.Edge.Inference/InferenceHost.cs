// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Inference.Batching;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Sessions;
using Bittensor.Edge.Inference.Wire;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Inference;

/// <summary>A model as the host serves it (the device's advertised <c>models</c> state).</summary>
/// <param name="Id">Model id.</param>
/// <param name="Sha256">SHA-256 of its bytes (hex).</param>
/// <param name="ExecutionProvider">The EP running it.</param>
/// <param name="ProviderDegraded">Whether a preferred EP failed (<c>epDegraded</c>).</param>
/// <param name="EffectiveMaxBatch">Rows per run.</param>
public sealed record LoadedModel(string Id, string Sha256, string ExecutionProvider, bool ProviderDegraded, int EffectiveMaxBatch);

/// <summary>
/// The in-process inference host: loads registry-verified models into warm sessions (one per model, each with its
/// batcher) and serves requests: <c>UnknownModel</c>, <c>BadInput</c>, <c>ModelNotReady</c>, <c>Busy</c> and
/// <c>DeadlineExceeded</c> are returned, never thrown, and a bad request never disturbs others.
/// </summary>
/// <remarks>
/// Thread-safe: <see cref="InferAsync"/>, <see cref="TryLoad"/> and <see cref="UnloadAsync"/> may be called
/// concurrently. The host owns its sessions and batchers; <see cref="DisposeAsync"/> drains and releases them. It owns
/// neither the clock nor the logger. The ONNX Runtime native library loads on the first <see cref="TryLoad"/>.
/// </remarks>
public sealed class InferenceHost : IAsyncDisposable
{
    private readonly IClock _clock;
    private readonly SessionSettings _sessionSettings;
    private readonly BatchSettings _batchSettings;
    private readonly IExecutionProviderCatalog _catalog;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Served> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _refused = new(StringComparer.Ordinal);

    /// <summary>A host; nothing is loaded yet.</summary>
    public InferenceHost(IClock clock, SessionSettings sessionSettings, BatchSettings batchSettings, IExecutionProviderCatalog catalog, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(sessionSettings);
        ArgumentNullException.ThrowIfNull(batchSettings);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(logger);
        _clock = clock;
        _sessionSettings = sessionSettings;
        _batchSettings = batchSettings;
        _catalog = catalog;
        _logger = logger;
    }

    /// <summary>Models being served.</summary>
    public IReadOnlyList<LoadedModel> Models =>
        [.. _models.Values.Select(s => new LoadedModel(s.Entry.Id, s.Entry.Sha256, s.Session.ExecutionProvider, s.Session.ProviderDegraded, s.Batcher.EffectiveMaxBatch))];

    /// <summary>Models of the registry that were refused at load, with the reason (answered <c>ModelNotReady</c>).</summary>
    public IReadOnlyDictionary<string, string> RefusedModels => new Dictionary<string, string>(_refused, StringComparer.Ordinal);

    /// <summary>
    /// Loads every entry of <paramref name="folder"/> (<see cref="ModelFolder.TryRead"/>, then <see cref="TryLoad"/>).
    /// A refused model is logged and remembered, and the others still load. Returns each id with null (loaded) or the
    /// reason it was refused.
    /// </summary>
    public IReadOnlyList<(string Id, string? Error)> LoadFolder(ModelFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        List<(string, string?)> outcomes = [];
        foreach (ModelEntry entry in folder.Registry.Models)
        {
            if (!folder.TryRead(entry.Id, out _, out byte[]? bytes, out string? error))
            {
                _refused[entry.Id] = error;
                Log.ModelLoadFailed(_logger, entry.Id, error);
                outcomes.Add((entry.Id, error));
                continue;
            }

            outcomes.Add((entry.Id, TryLoad(folder.Registry, entry.Id, bytes, out error) ? null : error));
        }

        return outcomes;
    }

    /// <summary>
    /// Loads model <paramref name="id"/> of <paramref name="registry"/> from <paramref name="model"/>: refuses an entry
    /// that is unsigned, badly signed or untrusted and bytes whose size or SHA-256 differ; creates the session on the
    /// best EP; warms up (3 runs at batch 1, 3 at the effective max batch); runs the self-test against the entry's
    /// <c>expectedPrefix</c>. Returns false with a clear <paramref name="error"/> on any refusal.
    /// </summary>
    public bool TryLoad(ModelRegistry registry, string id, byte[] model, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(model);
        if (TryLoadCore(registry, id, model, out error))
        {
            _refused.TryRemove(id, out _);
            return true;
        }

        if (!_models.ContainsKey(id))
        {
            _refused[id] = error;
        }

        return false;
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A model that ONNX Runtime cannot load is a refusal reported to the caller, not a host crash.")]
    private bool TryLoadCore(ModelRegistry registry, string id, byte[] model, [NotNullWhen(false)] out string? error)
    {
        if (!registry.TryGetVerified(id, out ModelEntry entry, out string? refusal))
        {
            error = refusal ?? $"Model '{id}' is refused.";
            Log.ModelLoadFailed(_logger, id, error);
            return false;
        }

        ModelFileCheck file = ModelRegistry.CheckModelBytes(entry, model);
        if (file != ModelFileCheck.Valid)
        {
            error = file == ModelFileCheck.SizeMismatch
                ? $"Model '{id}' is refused: the file has {model.Length} bytes, its entry says {entry.Bytes}."
                : $"Model '{id}' is refused: the file's SHA-256 is {Sha256.Hash(model).ToString("x", null)}, its entry says {entry.Sha256}.";
            Log.ModelLoadFailed(_logger, id, error);
            return false;
        }

        ModelSession? session = null;
        try
        {
            ModelSignature signature = entry.ToSignature();
            SessionSettings settings = _sessionSettings with
            {
                AllowFp16 = entry.Fp16 is not null,
                TensorRtMaxBatch = Math.Min(_batchSettings.BoardMaxBatch, signature.MaxRows),
            };
            session = ModelSession.Create(id, model, signature, settings, _catalog, _logger);
            int effective = Math.Min(_batchSettings.BoardMaxBatch, signature.MaxRows);
            for (int i = 0; i < 3; i++)
            {
                session.Run(1);
                session.Run(effective);
            }

            (_, double[] prefix) = ModelInspector.RunSelfTest(session, entry);
            Tolerance tolerance = settings.AllowFp16 && session.ExecutionProvider == ExecutionProviders.TensorRt ? entry.Fp16! : entry.Tolerance;
            if (!ModelInspector.PrefixMatches(prefix, entry.SelfTest.ExpectedPrefix, tolerance))
            {
                error = $"Model '{id}' failed its self-test on {session.ExecutionProvider}: the first outputs differ from the entry's expectedPrefix.";
                Log.ModelLoadFailed(_logger, id, error);
                session.Dispose();
                return false;
            }
        }
        catch (Exception ex)
        {
            session?.Dispose();
            error = $"Model '{id}' could not be loaded: {ex.Message}";
            Log.ModelLoadFailed(_logger, id, error);
            return false;
        }

        Served served = new(entry, Hash256.Parse(entry.Sha256, null), session, new ModelBatcher(session, _batchSettings, _clock, _logger));
        if (!_models.TryAdd(id, served))
        {
            served.DisposeAsync().AsTask().GetAwaiter().GetResult();
            error = $"Model '{id}' is already loaded.";
            return false;
        }

        Log.ModelReady(_logger, id, entry.Sha256, session.ExecutionProvider);
        error = null;
        return true;
    }

    /// <summary>
    /// Serves one request: the model must be loaded with <paramref name="modelSha256"/>; the inputs are validated; the
    /// request joins the model's batcher with a deadline of now + <paramref name="timeout"/>.
    /// </summary>
    public Task<InferenceResult> InferAsync(string modelId, in Hash256 modelSha256, IReadOnlyList<NamedTensor> inputs, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!TryAdmit(modelId, modelSha256, inputs, out Served? served, out int rows, out InferenceError? error))
        {
            return Task.FromResult(InferenceResult.Failure(error));
        }

        return served.Batcher.SubmitAsync(inputs, rows, _clock.Elapsed + timeout);
    }

    /// <summary>
    /// Serves one <c>Inference</c> request body (protocol.md §4) and answers with the response body
    /// (<see cref="InferenceResult.ResponseBody"/>): the body is read without intermediate objects, its base64 tensor
    /// data decoded straight into the session's pooled buffer when the batch runs, and the response encoded from the
    /// pooled output buffer. <paramref name="body"/> must stay unchanged until the task completes. Failures are
    /// <see cref="InferenceResult"/> values (<see cref="InferenceErrorCode.BadJson"/> for a body that is not a request).
    /// </summary>
    public ValueTask<InferenceResult> InferWireAsync(ReadOnlyMemory<byte> body, TimeSpan timeout)
    {
        if (!InferenceWire.TryReadRequest(body, out WireRequest request, out InferenceError? error)
            || !TryAdmit(request.ModelId, request.ModelSha256, request.Inputs, out Served? served, out int rows, out error))
        {
            return ValueTask.FromResult(InferenceResult.Failure(error));
        }

        return served.Batcher.SubmitWire(request.Inputs, rows, _clock.Elapsed + timeout);
    }

    private bool TryAdmit(string? modelId, in Hash256 modelSha256, IReadOnlyList<NamedTensor> inputs, [NotNullWhen(true)] out Served? served, out int rows, [NotNullWhen(false)] out InferenceError? error)
    {
        rows = 0;
        if (modelId is null || !_models.TryGetValue(modelId, out served))
        {
            served = null;
            error = modelId is not null && _refused.TryGetValue(modelId, out string? reason)
                ? new InferenceError(InferenceErrorCode.ModelNotReady, $"Model '{modelId}' is in this host's registry but was refused at load: {reason}")
                : new InferenceError(InferenceErrorCode.UnknownModel, $"Model '{modelId}' is not served here.");
            return false;
        }

        if (served.Sha256 != modelSha256)
        {
            error = new InferenceError(InferenceErrorCode.UnknownModel, $"Model '{modelId}' is {served.Entry.Sha256}, not {modelSha256.ToString("x", null)}.");
            return false;
        }

        error = served.Session.Signature.Validate(inputs, out rows);
        return error is null;
    }

    /// <summary>
    /// The warm session serving <paramref name="modelId"/>, for benchmarks that time a raw run on the very session the
    /// host uses. Do not run it while requests are in flight (its buffers are the batcher's), and do not dispose it.
    /// </summary>
    public bool TryGetSession(string modelId, [NotNullWhen(true)] out ModelSession? session)
    {
        session = _models.TryGetValue(modelId, out Served? served) ? served.Session : null;
        return session is not null;
    }

    /// <summary>Stops serving <paramref name="modelId"/> (answering its queue <c>ModelNotReady</c>) and releases its session.</summary>
    public async Task<bool> UnloadAsync(string modelId)
    {
        if (!_models.TryRemove(modelId, out Served? served))
        {
            return false;
        }

        await served.DisposeAsync().ConfigureAwait(false);
        Log.ModelUnloaded(_logger, modelId);
        return true;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (string id in _models.Keys.ToArray())
        {
            await UnloadAsync(id).ConfigureAwait(false);
        }
    }

    private sealed class Served(ModelEntry entry, Hash256 sha256, ModelSession session, ModelBatcher batcher) : IAsyncDisposable
    {
        public ModelEntry Entry { get; } = entry;

        public Hash256 Sha256 { get; } = sha256;

        public ModelSession Session { get; } = session;

        public ModelBatcher Batcher { get; } = batcher;

        public async ValueTask DisposeAsync()
        {
            await Batcher.DisposeAsync().ConfigureAwait(false);
            Session.Dispose();
        }
    }
}
