// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Net;
using Bittensor.Edge.Boards.Watchdog;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Node;
using Bittensor.Edge.Chain.Persistence;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Hosting;
using Bittensor.Edge.Core.Wallets;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Scoring;
using Bittensor.Edge.Inference.Sessions;
using Bittensor.Edge.Node.Validator;
using Bittensor.Edge.Protocol.Dendrite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Node;

/// <summary>What the node takes from the outside world, so tests and <c>bte node run</c> can supply their own.</summary>
/// <param name="LoggerFactory">Where logs go (not disposed by the host).</param>
/// <param name="Clock">Slots, timestamps, waits and watchdog pings.</param>
/// <param name="GetEnvironmentVariable">Reads <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_*</c> and <c>BTE_WALLET_PATH</c>.</param>
/// <param name="Version">Reported by <c>system_info</c>.</param>
/// <param name="ExecutionProviders">What the native ONNX Runtime offers the inference validator; null means the loaded library's own list (tests pass a fixed one).</param>
public sealed record NodeHostEnvironment(ILoggerFactory LoggerFactory, IClock Clock, Func<string, string?> GetEnvironmentVariable, string Version, IExecutionProviderCatalog? ExecutionProviders = null);

/// <summary>
/// The composition root of <c>bte-node</c>, built by hand: genesis, author key, <see cref="LiteDbChainStore"/>,
/// <see cref="ChainNode"/>, <see cref="ChainRpcHandler"/> on Kestrel (<c>POST /rpc</c>), the systemd watchdog and, when
/// <c>validator:enabled</c>, the <see cref="StorageValidator"/> (a <see cref="Dendrite"/> and a
/// <see cref="ChainRpcClient"/> on <c>validator:nodeRpcUrl</c>, by default this node's own RPC) and, with
/// <c>validator:inferenceEnabled</c>, the <see cref="InferenceValidator"/> over the reference models of
/// <c>validator:modelsDir</c>, both feeding one <see cref="WeightSetter"/>. Each
/// service runs as a <c>RunAsync(CancellationToken)</c>; the first failure stops the others, and the outcome is an exit
/// code (<see cref="NodeConstants"/>). Cancelling the stop token (SIGTERM, Ctrl-C) shuts down cleanly: block production
/// ends after the block in progress, the validator's round in progress is abandoned, in-flight RPC long polls end, the
/// store is closed.
/// </summary>
/// <remarks>Stateless; each call of <c>RunAsync</c> is one node run.</remarks>
public static class NodeHost
{
    // Each RPC call of the validator (metagraph, header, set_weights until included) gets at most this long.
    private static readonly TimeSpan s_validatorRpcTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs a node with <paramref name="settings"/> until <paramref name="stop"/> is cancelled or a service fails.</summary>
    public static async Task<int> RunAsync(NodeSettings settings, NodeHostEnvironment environment, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        ILogger logger = environment.LoggerFactory.CreateLogger("Bittensor.Edge.Node");
        if (!TryLoadGenesis(settings.Node.GenesisPath, out GenesisConfig? genesis, out string? error))
        {
            Log.StartupFailed(logger, error);
            return NodeConstants.ExitStartup;
        }

        if (!AuthorKeyLoader.TryLoad(settings.Node.AuthorKeyUri, environment.GetEnvironmentVariable, out WalletKey? authorKey, out error))
        {
            Log.StartupFailed(logger, error);
            return NodeConstants.ExitStartup;
        }

        WalletKey? validatorKey = null;
        if (settings.Validator.Enabled
            && !AuthorKeyLoader.TryLoad(settings.Validator.HotkeyUri, "validator hotkey", environment.GetEnvironmentVariable, out validatorKey, out error))
        {
            authorKey?.Dispose();
            Log.StartupFailed(logger, $"{error} (validator:hotkeyUri)");
            return NodeConstants.ExitStartup;
        }

        using (authorKey)
        using (validatorKey)
        {
            if (authorKey is not null && !genesis.Authorities.Contains(authorKey.PublicKey))
            {
                Log.StartupFailed(logger, $"The author key {authorKey.Ss58Address} ({settings.Node.AuthorKeyUri}) is not an authority of chain '{genesis.ChainId}'.");
                return NodeConstants.ExitStartup;
            }

            List<ReferenceModel>? references = null;
            if (validatorKey is not null && settings.Validator.InferenceEnabled && !TryLoadReferences(settings.Validator, environment, logger, out references, out error))
            {
                Log.StartupFailed(logger, error);
                return NodeConstants.ExitStartup;
            }

            try
            {
                if (!LiteDbChainStore.TryOpen(settings.Node.DataDir, genesis, out LiteDbChainStore? store, out error))
                {
                    Log.StartupFailed(logger, error);
                    return NodeConstants.ExitStartup;
                }

                using (store)
                {
                    return await RunAsync(settings, environment, logger, genesis, store, authorKey, validatorKey, references, stop).ConfigureAwait(false);
                }
            }
            finally
            {
                foreach (ReferenceModel reference in references ?? [])
                {
                    reference.Dispose();
                }
            }
        }
    }

    // The inference validator's reference sessions: the model folder's verified entries, on the first EP of
    // validator:inferenceProviders that this build offers (CPU last), each self-tested. A folder that cannot be read stops
    // the node; a refused model is logged and the others are used.
    private static bool TryLoadReferences(ValidatorSection section, NodeHostEnvironment environment, ILogger logger, out List<ReferenceModel> references, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        references = [];
        if (!ModelFolder.TryOpen(section.ModelsDir, out ModelFolder? folder, out error))
        {
            error += " (validator:modelsDir)";
            return false;
        }

        string[] order = section.InferenceProviders.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        IExecutionProviderCatalog catalog = environment.ExecutionProviders ?? OrtExecutionProviderCatalog.Instance;
        SessionSettings sessions = new() { ExecutionProviders = order };
        (references, List<(string Id, string Reason)> refused) = InferenceValidator.LoadReferences(folder, sessions, catalog, environment.LoggerFactory.CreateLogger("Bittensor.Edge.Inference"));
        foreach ((string id, string reason) in refused)
        {
            Log.InferenceReferenceRefused(logger, id, reason);
        }

        string ids = string.Join(", ", references.Select(r => r.Entry.Id));
        string providers = references.Count == 0 ? "no provider" : string.Join(", ", references.Select(r => r.ExecutionProvider).Distinct());
        string available = string.Join(", ", catalog.GetAvailableProviders());
        string chosen = string.Join(" → ", ExecutionProviders.Choose(order, catalog.GetAvailableProviders()));
        Log.InferenceValidatorStarted(logger, section.Netuid, references.Count, ids, providers, available, chosen);
        return true;
    }

    private static async Task<int> RunAsync(NodeSettings settings, NodeHostEnvironment environment, ILogger logger, GenesisConfig genesis, LiteDbChainStore store, WalletKey? authorKey, WalletKey? validatorKey, List<ReferenceModel>? references, CancellationToken stop)
    {
        ChainNode node = new(genesis, store, store.History, authorKey?.KeyPair, environment.Clock);
        Log.Opened(logger, genesis.ChainId, genesis.Hash, node.Head.Number, store.FilePath);
        if (logger.IsEnabled(LogLevel.Information))
        {
            node.BlockCommitted += receipt => Log.BlockCommitted(logger, receipt.Block.Header.Number, receipt.Block.Hash, receipt.Block.Extrinsics.Length);
        }

        using CancellationTokenSource services = CancellationTokenSource.CreateLinkedTokenSource(stop);
        ChainRpcHandler rpc = new(node, environment.Version);
        RpcEndpoint endpoint = new(rpc, settings.Rpc.MaxBodyBytes, logger, services.Token);
        WebApplication app = BuildWebApp(settings.Rpc, endpoint, environment.LoggerFactory);
        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync(stop).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                Log.StartupFailed(logger, $"Cannot listen on {settings.Rpc.ListenAddress}:{settings.Rpc.Port}: {e.Message}");
                return NodeConstants.ExitStartup;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return NodeConstants.ExitOk;
            }

            Uri listening = ResolveEndpoint(app);
            Log.RpcListening(logger, listening);
            if (authorKey is null)
            {
                Log.NotAuthoring(logger);
            }
            else
            {
                Log.Authoring(logger, authorKey.Ss58Address, genesis.BlockTimeMs);
            }

            using SdNotifier notifier = SdNotifier.FromEnvironment(environment.GetEnvironmentVariable);
            notifier.Start();
            WatchdogPinger? pinger = notifier.IsEnabled && WatchdogPinger.TryGetInterval(environment.GetEnvironmentVariable, Environment.ProcessId, out TimeSpan interval)
                ? new WatchdogPinger(notifier, environment.Clock, interval, () => node.Read(static _ => true))
                : null;
            Notify(notifier, logger, $"READY=1\nSTATUS=Chain {genesis.ChainId} at block {node.Head.Number}, RPC on {settings.Rpc.ListenAddress}:{settings.Rpc.Port}");
            if (notifier.IsEnabled)
            {
                Log.SystemdReady(logger, pinger?.Interval);
            }

            // Disposed after every service has ended (below), so no round is left holding a disposed client.
            using HttpClient? validatorHttp = validatorKey is null ? null : new HttpClient { Timeout = s_validatorRpcTimeout };
            using Dendrite? dendrite = validatorKey is null ? null : new Dendrite(validatorKey.KeyPair, environment.Clock);

            // The storage validator's memory (validator/storage.db in the data directory); a file that cannot be opened
            // (in use, not LiteDB) stops the start like the chain store does.
            StorageValidatorState? validatorState = null;
            if (validatorKey is not null && !TryOpenState(StorageValidatorState.RelativePath, StorageValidatorState.Open, out validatorState))
            {
                return NodeConstants.ExitStartup;
            }

            using StorageValidatorState? ownedValidatorState = validatorState;

            // The inference validator's scores (validator/inference.db), kept across restarts the same way.
            InferenceValidatorState? inferenceState = null;
            if (validatorKey is not null && references is not null && !TryOpenState(InferenceValidatorState.RelativePath, InferenceValidatorState.Open, out inferenceState))
            {
                return NodeConstants.ExitStartup;
            }

            using InferenceValidatorState? ownedInferenceState = inferenceState;

            bool TryOpenState<T>(string relativePath, Func<string, T> open, [NotNullWhen(true)] out T? state)
                where T : class
            {
                string statePath = Path.Combine(settings.Node.DataDir, relativePath);
                try
                {
                    state = open(statePath);
                    return true;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or LiteDB.LiteException)
                {
                    Log.StartupFailed(logger, $"Cannot open the validator state {statePath}: {e.Message}");
                    state = null;
                    return false;
                }
            }
            List<(string Name, Task Task)> running =
            [
                ("block production", node.RunAsync(services.Token)),
                ("watchdog", pinger?.RunAsync(services.Token) ?? Task.CompletedTask),
            ];
            if (validatorKey is not null)
            {
                Uri validatorRpc = ValidatorRpcUrl(settings.Validator, listening);
                ChainRpcClient validatorChain = new(validatorHttp!, validatorRpc);
                InferenceValidator? inference = references is null ? null : new InferenceValidator(
                    validatorChain,
                    dendrite!,
                    validatorKey.PublicKey,
                    environment.Clock,
                    references,
                    new InferenceValidatorOptions
                    {
                        Netuid = (ushort)settings.Validator.Netuid,
                        RoundInterval = TimeSpan.FromSeconds(settings.Validator.RoundS),
                        CapacityEveryRounds = settings.Validator.CapacityEveryRounds,
                    },
                    logger,
                    inferenceState);
                WeightSetter weights = CreateWeightSetter(settings.Validator, validatorState!, validatorKey, validatorChain, inference, out StorageValidator storage, dendrite!, environment.Clock, logger);
                running.Add(("storage validator", RunValidatorAsync(settings.Validator, validatorKey, validatorChain, storage, weights, logger, services.Token)));
                if (inference is not null)
                {
                    running.Add(("inference validator", RunInferenceValidatorAsync(inference, logger, services.Token)));
                }
            }

            (string Service, Exception Error)? failure = await ServiceSupervisor.WaitForStopOrFailureAsync(running, services.Token).ConfigureAwait(false);
            if (failure is { } failed)
            {
                Log.ServiceFailed(logger, failed.Error, failed.Service);
            }

            int exitCode = failure is null ? NodeConstants.ExitOk : NodeConstants.ExitFailure;
            Log.Stopping(logger, exitCode == NodeConstants.ExitOk ? "shutdown requested" : "a service failed");
            Notify(notifier, logger, "STOPPING=1");
            await services.CancelAsync().ConfigureAwait(false);
            foreach ((string _, Task task) in running)
            {
                await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            Log.Stopped(logger, node.Head.Number);
            return exitCode;
        }
    }

    /// <summary>
    /// The base URL the validator's RPC client uses: <c>validator:nodeRpcUrl</c>, or this node's own endpoint
    /// <paramref name="listening"/> with a wildcard address (0.0.0.0, ::) replaced by loopback.
    /// </summary>
    internal static Uri ValidatorRpcUrl(ValidatorSection validator, Uri listening)
    {
        if (!string.IsNullOrEmpty(validator.NodeRpcUrl))
        {
            return new Uri(validator.NodeRpcUrl, UriKind.Absolute);
        }

        if (!IPAddress.TryParse(listening.Host.Trim('[', ']'), out IPAddress? address)
            || !(address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)))
        {
            return listening;
        }

        UriBuilder builder = new(listening) { Host = address.Equals(IPAddress.Any) ? "127.0.0.1" : "[::1]" };
        return builder.Uri;
    }

    // The storage validator and the one weights row: w = marketSplit · storage + (1 − marketSplit) · inference
    // (storage-proofs.md §6), renormalised over the markets that have weights, so a market without scores yet (or
    // without a validator) leaves the whole row to the other. The storage validator's memory (roots, scores, counter)
    // lives in the node's data directory, so a restart keeps scoring the sectors it stored; the synthetic secret comes
    // from the hotkey, so nothing secret is written there.
    private static WeightSetter CreateWeightSetter(ValidatorSection section, StorageValidatorState state, WalletKey hotkey, ChainRpcClient chain, InferenceValidator? inference, out StorageValidator storage, Dendrite dendrite, IClock clock, ILogger logger)
    {
        StorageValidatorOptions options = new()
        {
            Netuid = (ushort)section.Netuid,
            RoundInterval = TimeSpan.FromSeconds(section.RoundS),
            WeightsEveryRounds = section.WeightsEveryRounds,
        };
        storage = new StorageValidator(chain, dendrite, hotkey.PublicKey, clock, options, logger, state, StorageValidator.DeriveSyntheticSecret(hotkey.KeyPair));
        WeightSetter weights = new(new ChainWeightSubmitter(chain, hotkey.KeyPair, options.Netuid));
        if (section.MarketSplit > 0 || inference is null)
        {
            weights.Add(storage, Math.Max(section.MarketSplit, double.Epsilon));
        }

        if (inference is not null && section.MarketSplit < 1)
        {
            weights.Add(inference, 1 - section.MarketSplit);
        }

        return weights;
    }

    // One more service: rounds until the services token is cancelled. Round-level trouble (node or miner unreachable,
    // timeouts) is logged by the validator and skipped; anything else faults this task and stops the node. The storage
    // loop submits the weights row for both markets.
    private static async Task RunValidatorAsync(ValidatorSection section, WalletKey hotkey, ChainRpcClient chain, StorageValidator validator, WeightSetter weights, ILogger logger, CancellationToken stopping)
    {
        TimeSpan interval = TimeSpan.FromSeconds(section.RoundS);
        Log.StorageValidatorStarted(logger, hotkey.Ss58Address, (ushort)section.Netuid, chain.Endpoint, interval, section.WeightsEveryRounds);
        try
        {
            await validator.RunAsync(weights, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutdown: the round or wait in progress was abandoned.
        }

        Log.StorageValidatorStopped(logger, validator.Rounds);
    }

    private static async Task RunInferenceValidatorAsync(InferenceValidator validator, ILogger logger, CancellationToken stopping)
    {
        try
        {
            await validator.RunAsync(stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutdown: the round or wait in progress was abandoned.
        }

        Log.InferenceValidatorStopped(logger, validator.Rounds);
    }

    private static bool TryLoadGenesis(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GenesisConfig? genesis, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        genesis = null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"Cannot read the genesis file {path} (node:genesisPath): {e.Message}";
            return false;
        }

        if (!GenesisParser.TryParse(bytes, out genesis, out string? parseError))
        {
            error = $"The genesis file {path} is invalid: {parseError}";
            return false;
        }

        error = null;
        return true;
    }

    private static WebApplication BuildWebApp(RpcSection rpc, RpcEndpoint endpoint, ILoggerFactory loggerFactory)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, ExternalLifetime>();
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = rpc.MaxBodyBytes;
            kestrel.Listen(IPAddress.Parse(rpc.ListenAddress), rpc.Port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        WebApplication app = builder.Build();
        app.Run(endpoint.HandleAsync);
        return app;
    }

    private static Uri ResolveEndpoint(WebApplication app)
    {
        IServerAddressesFeature? addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        string address = addresses?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:0";
        return new Uri(new Uri(address), RpcEndpoint.Path);
    }

    private static void Notify(SdNotifier notifier, ILogger logger, string state)
    {
        if (notifier.IsEnabled && !notifier.TryNotify(state))
        {
            Log.NotifyFailed(logger, notifier.SocketPath!, "the datagram could not be sent");
        }
    }

    // The node owns signals and shutdown (NodeRunner), so the web host must not install its own console lifetime.
    private sealed class ExternalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
