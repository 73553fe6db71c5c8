// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json.Serialization.Metadata;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Protocol.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Axon;

/// <summary>
/// Composes an <see cref="AxonHost"/>: the hotkey, the metagraph view, options, clock, logging, the health source and
/// one handler per synapse. <c>Health</c> is served by the host itself.
/// </summary>
/// <remarks>Not thread-safe; build on one thread, then use the host from any.</remarks>
/// <example>
/// <code>
/// await using AxonHost axon = new AxonBuilder(hotkey, metagraph)
///     .WithOptions(new AxonOptions { Port = 8091 })
///     .WithLogging(loggerFactory)
///     .WithHealth(() => new AxonHealth(bestBlock, storage, inference, devicesOnline))
///     .MapStoreChunk((request, context, ct) => store.PutAsync(request, ct)) // ValueTask&lt;SynapseResult&lt;StoreChunkResponse&gt;&gt;
///     .Build();
/// await axon.RunAsync(stoppingToken);
/// </code>
/// </example>
public sealed class AxonBuilder
{
    private readonly Ed25519KeyPair _hotkey;
    private readonly IMetagraphView _metagraph;
    private readonly Dictionary<string, SynapseRegistration> _synapses = new(StringComparer.Ordinal);
    private AxonOptions _options = new();
    private IClock _clock = SystemClock.Instance;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private Func<AxonHealth> _health = static () => AxonHealth.Empty;

    /// <summary>A builder for an axon signing with <paramref name="hotkey"/> and admitting callers by <paramref name="metagraph"/>.</summary>
    /// <param name="hotkey">The axon's hotkey pair; not disposed by the axon, and must outlive it.</param>
    /// <param name="metagraph">The cached metagraph view.</param>
    public AxonBuilder(Ed25519KeyPair hotkey, IMetagraphView metagraph)
    {
        ArgumentNullException.ThrowIfNull(hotkey);
        ArgumentNullException.ThrowIfNull(metagraph);
        _hotkey = hotkey;
        _metagraph = metagraph;
    }

    /// <summary>Uses <paramref name="options"/> (validated at <see cref="Build"/>).</summary>
    public AxonBuilder WithOptions(AxonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        return this;
    }

    /// <summary>Times nonces, rate limits, deadlines and process times with <paramref name="clock"/> (the system clock by default).</summary>
    public AxonBuilder WithClock(IClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        return this;
    }

    /// <summary>Logs through <paramref name="loggerFactory"/> (silent by default); not disposed by the axon.</summary>
    public AxonBuilder WithLogging(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Asks <paramref name="health"/> for the host's block, storage, inference and device summary on every <c>Health</c> call; it must be fast and thread-safe.</summary>
    public AxonBuilder WithHealth(Func<AxonHealth> health)
    {
        ArgumentNullException.ThrowIfNull(health);
        _health = health;
        return this;
    }

    /// <summary>Serves <paramref name="synapseName"/> with <paramref name="handler"/>, using source-generated JSON metadata for its messages.</summary>
    /// <exception cref="ArgumentException">The name is malformed, is <c>Health</c>, or is already mapped.</exception>
    public AxonBuilder Map<TRequest, TResponse>(
        string synapseName,
        JsonTypeInfo<TRequest> requestInfo,
        JsonTypeInfo<TResponse> responseInfo,
        SynapseHandler<TRequest, TResponse> handler)
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(synapseName);
        ArgumentNullException.ThrowIfNull(requestInfo);
        ArgumentNullException.ThrowIfNull(responseInfo);
        ArgumentNullException.ThrowIfNull(handler);
        CheckName(synapseName);
        if (!_synapses.TryAdd(synapseName, SynapseRegistration.Create(synapseName, requestInfo, responseInfo, handler)))
        {
            ThrowHelper.ThrowArgument(nameof(synapseName), $"{synapseName} is already mapped.");
        }

        return this;
    }

    /// <summary>
    /// Serves <paramref name="synapseName"/> with a handler that reads the body and writes the response itself
    /// (<see cref="RawSynapseHandler"/>), for hot paths where a typed message would cost a copy.
    /// </summary>
    /// <exception cref="ArgumentException">The name is malformed, is <c>Health</c>, or is already mapped.</exception>
    public AxonBuilder MapRaw(string synapseName, RawSynapseHandler handler)
    {
        ArgumentNullException.ThrowIfNull(synapseName);
        ArgumentNullException.ThrowIfNull(handler);
        CheckName(synapseName);
        if (!_synapses.TryAdd(synapseName, SynapseRegistration.CreateRaw(synapseName, handler)))
        {
            ThrowHelper.ThrowArgument(nameof(synapseName), $"{synapseName} is already mapped.");
        }

        return this;
    }

    /// <summary>Serves <c>StoreChunk</c>.</summary>
    public AxonBuilder MapStoreChunk(SynapseHandler<StoreChunkRequest, StoreChunkResponse> handler) =>
        Map(SynapseNames.StoreChunk, ProtocolJsonContext.Default.StoreChunkRequest, ProtocolJsonContext.Default.StoreChunkResponse, handler);

    /// <summary>Serves <c>RetrieveChunk</c>.</summary>
    public AxonBuilder MapRetrieveChunk(SynapseHandler<RetrieveChunkRequest, RetrieveChunkResponse> handler) =>
        Map(SynapseNames.RetrieveChunk, ProtocolJsonContext.Default.RetrieveChunkRequest, ProtocolJsonContext.Default.RetrieveChunkResponse, handler);

    /// <summary>Serves <c>StorageChallenge</c>.</summary>
    public AxonBuilder MapStorageChallenge(SynapseHandler<StorageChallengeRequest, StorageChallengeResponse> handler) =>
        Map(SynapseNames.StorageChallenge, ProtocolJsonContext.Default.StorageChallengeRequest, ProtocolJsonContext.Default.StorageChallengeResponse, handler);

    /// <summary>Serves <c>Inference</c>.</summary>
    public AxonBuilder MapInference(SynapseHandler<InferenceRequest, InferenceResponse> handler) =>
        Map(SynapseNames.Inference, ProtocolJsonContext.Default.InferenceRequest, ProtocolJsonContext.Default.InferenceResponse, handler);

    private static void CheckName(string synapseName)
    {
        if (!SynapseNames.IsWellFormed(synapseName))
        {
            ThrowHelper.ThrowArgument(nameof(synapseName), "A synapse name is 1 to 64 ASCII letters, digits or underscores.");
        }

        if (synapseName == SynapseNames.Health)
        {
            ThrowHelper.ThrowArgument(nameof(synapseName), "The axon serves Health itself; use WithHealth.");
        }
    }

    /// <summary>Validates the options and creates the host (not yet listening).</summary>
    public AxonHost Build()
    {
        _options.Validate();
        Dictionary<string, SynapseRegistration> synapses = new(_synapses, StringComparer.Ordinal);
        AxonPipeline pipeline = new(_hotkey, _metagraph, _options, _clock, _loggerFactory.CreateLogger<AxonHost>(), synapses, _health);
        return new AxonHost(pipeline, _options, _loggerFactory);
    }
}
