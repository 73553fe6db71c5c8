// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using System.Net.Sockets;
using Bittensor.Edge.Axon;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Cli.Commands.Chain;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Inference;
using Bittensor.Edge.Inference.Batching;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Sessions;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage.Sectors;
using Bittensor.Edge.Storage.Serving;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Cli.Commands.Axon;

/// <summary>What <c>bte axon serve</c> was asked for.</summary>
/// <param name="Netuid">The subnet the hotkey mines on.</param>
/// <param name="Listen">The address the axon binds.</param>
/// <param name="Port">The port it binds (0 picks a free one).</param>
/// <param name="ExternalIp">The address announced on chain; null means <paramref name="Listen"/>.</param>
/// <param name="AnnounceOnChain">Whether to submit <c>serve_axon</c>.</param>
/// <param name="StorePath">The sector store's directory (<c>--store</c>); empty means <see cref="AxonServeAction.DefaultStorePath"/>.</param>
/// <param name="ModelsPath">The model folder (<c>--models</c>: <c>registry.json</c> and <c>&lt;sha256&gt;.onnx</c> files); empty means <see cref="AxonServeAction.DefaultModelsPath"/>.</param>
/// <param name="ReserveFraction">Fraction of the store's file system that puts leave free (<c>--reserve-fraction</c>, <see cref="SectorStoreOptions.ReserveFraction"/>).</param>
internal sealed record AxonServeSettings(ushort Netuid, IPAddress Listen, int Port, IPAddress? ExternalIp, bool AnnounceOnChain, string StorePath = "", string ModelsPath = "", double ReserveFraction = SectorStoreOptions.DefaultReserveFraction);

/// <summary>
/// A standalone x64 miner axon (ARCHITECTURE.md: <c>bte axon serve</c>): checks that the hotkey is registered,
/// serves Health, the storage synapses (StoreChunk, RetrieveChunk, StorageChallenge over a
/// <see cref="FileSectorStore"/>) and Inference (an <see cref="InferenceHost"/> over the models of a local model folder)
/// behind the full §3.3 pipeline with the blacklist fed by the chain's metagraph, then announces its address with
/// <c>serve_axon</c>.
/// </summary>
internal static class AxonServeAction
{
    /// <summary>The axon version announced on chain (major·10⁶ + minor·10³ + patch).</summary>
    public const uint Version = 1_000;

    /// <summary>protocol.md §2.5.4: "use 4, the SDK's default".</summary>
    public const byte ProtocolCode = 4;

    // An axon started without models still serves Inference, answering UnknownModel for every id.
    private static readonly Lazy<InferenceHost> s_noModels = new(() => new InferenceHost(
        Core.Time.SystemClock.Instance, new SessionSettings(), BatchSettings.X64, new FixedExecutionProviderCatalog([]), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));

    /// <summary>The file that records which validator stored each sector, inside the store's directory.</summary>
    public const string OwnersFileName = "owners.log";

    /// <summary><c>$BTE_STORE_PATH</c>, else <c>~/.bittensor-edge/store</c>.</summary>
    public static string DefaultStorePath(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? configured = environment("BTE_STORE_PATH");
        return string.IsNullOrEmpty(configured)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".bittensor-edge", "store")
            : configured;
    }

    /// <summary><c>$BTE_MODELS_PATH</c>, else <c>~/.bittensor-edge/models</c> (where <c>bte inference models add</c> writes).</summary>
    public static string DefaultModelsPath(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? configured = environment("BTE_MODELS_PATH");
        return string.IsNullOrEmpty(configured)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".bittensor-edge", "models")
            : configured;
    }

    public static async Task<int> RunAsync(ChainCliContext context, AxonServeSettings settings, CancellationToken cancellationToken)
    {
        using Core.Wallets.WalletKey hotkey = context.LoadHotkey();
        using ILoggerFactory loggerFactory = Bittensor.Edge.Node.NodeRunner.CreateLoggerFactory(LogLevel.Information);
        string storePath = settings.StorePath.Length > 0 ? settings.StorePath : DefaultStorePath(Environment.GetEnvironmentVariable);
        string modelsPath = settings.ModelsPath.Length > 0 ? settings.ModelsPath : DefaultModelsPath(Environment.GetEnvironmentVariable);
        if (!ModelFolder.TryOpen(modelsPath, out ModelFolder? models, out string? modelsError))
        {
            await context.Error.WriteLineAsync($"error: {modelsError} (--models)").ConfigureAwait(false);
            return ChainCliContext.Failed;
        }

        System.IO.Directory.CreateDirectory(storePath);
        using FileSectorStore store = FileSectorStore.Open(new SectorStoreOptions { Directory = storePath, ReserveFraction = settings.ReserveFraction }, Core.Time.SystemClock.Instance);
        using SectorOwnerLog owners = SectorOwnerLog.Open(Path.Combine(storePath, OwnersFileName));
        SectorService storage = new(store, owners);
        await using InferenceHost inference = CreateInferenceHost(Core.Time.SystemClock.Instance, loggerFactory);
        await LoadModelsAsync(inference, models, context.Output, context.Error).ConfigureAwait(false);
        RunningAxon? axon = await StartAsync(context.Client, hotkey.KeyPair, settings, storage, inference, Core.Time.SystemClock.Instance, loggerFactory, context.Error, cancellationToken).ConfigureAwait(false);
        if (axon is null)
        {
            return ChainCliContext.Failed;
        }

        await using (axon.ConfigureAwait(false))
        {
            await context.Output.WriteLineAsync(
                $"axon serving {string.Join(", ", axon.Host.Synapses)} at {axon.Host.Endpoint} as {hotkey.KeyPair.Ss58Address} (uid {axon.Uid} on subnet {settings.Netuid}); Ctrl-C stops it.").ConfigureAwait(false);
            await axon.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return ChainCliContext.Ok;
    }

    /// <summary>
    /// The standalone miner's inference host: the x64 board's EP order (CPU) from what the native build offers, one
    /// core left to storage, and the x64 batcher (max batch 32, max delay 2 ms; inference.md §4).
    /// </summary>
    public static InferenceHost CreateInferenceHost(IClock clock, ILoggerFactory loggerFactory) =>
        new(clock, new SessionSettings { ExecutionProviders = [ExecutionProviders.Cpu], ReserveCoreForStorage = true }, BatchSettings.X64,
            OrtExecutionProviderCatalog.Instance, loggerFactory.CreateLogger("Bittensor.Edge.Inference"));

    /// <summary>Loads every model of <paramref name="folder"/>, printing what serves and, to <paramref name="error"/>, what was refused and why.</summary>
    public static async Task LoadModelsAsync(InferenceHost host, ModelFolder folder, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(folder);
        if (folder.Registry.Models.Count == 0)
        {
            await output.WriteLineAsync($"no models in {folder.Path} (add one with bte inference models add FILE.onnx --registry {Path.Combine(folder.Path, ModelFolder.RegistryFileName)}); Inference answers UnknownModel.").ConfigureAwait(false);
            return;
        }

        foreach ((string id, string? refusal) in host.LoadFolder(folder))
        {
            if (refusal is null)
            {
                LoadedModel loaded = host.Models.First(m => m.Id == id);
                await output.WriteLineAsync($"model {id} ({loaded.Sha256[..16]}…) ready on {loaded.ExecutionProvider}, max batch {loaded.EffectiveMaxBatch}").ConfigureAwait(false);
            }
            else
            {
                await error.WriteLineAsync($"warning: {refusal} It is not served.").ConfigureAwait(false);
            }
        }
    }

    /// <summary>Starts the axon without the inference synapse's models (<see cref="StartAsync(ChainRpcClient, Ed25519KeyPair, AxonServeSettings, SectorService, InferenceHost?, IClock, ILoggerFactory, TextWriter, CancellationToken)"/>).</summary>
    public static Task<RunningAxon?> StartAsync(
        ChainRpcClient client,
        Ed25519KeyPair hotkey,
        AxonServeSettings settings,
        SectorService storage,
        IClock clock,
        ILoggerFactory loggerFactory,
        TextWriter error,
        CancellationToken cancellationToken) =>
        StartAsync(client, hotkey, settings, storage, null, clock, loggerFactory, error, cancellationToken);

    /// <summary>
    /// Starts the axon and announces it; null, with the reason written to <paramref name="error"/>, when the hotkey
    /// is not registered or the announcement is refused for a reason that serving cannot outlive. Inference is served
    /// from <paramref name="inference"/> (not disposed here); without one it answers <c>UnknownModel</c>.
    /// </summary>
    public static Task<RunningAxon?> StartAsync(
        ChainRpcClient client,
        Ed25519KeyPair hotkey,
        AxonServeSettings settings,
        SectorService storage,
        InferenceHost? inference,
        IClock clock,
        ILoggerFactory loggerFactory,
        TextWriter error,
        CancellationToken cancellationToken) =>
        StartAsync(
            client, hotkey, settings, storage, InferenceSynapses.Handler(inference ?? s_noModels.Value, clock), () => InferenceSynapses.Summary(inference),
            clock, loggerFactory, error, cancellationToken);

    /// <summary>
    /// Starts the axon with any Inference handler and the models it advertises in <c>Health</c> (the seam tests use to
    /// stand up a miner that answers from a different model than it claims).
    /// </summary>
    internal static async Task<RunningAxon?> StartAsync(
        ChainRpcClient client,
        Ed25519KeyPair hotkey,
        AxonServeSettings settings,
        SectorService storage,
        RawSynapseHandler inference,
        Func<InferenceSummary> inferenceModels,
        IClock clock,
        ILoggerFactory loggerFactory,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        RpcMetagraph metagraph = await client.GetMetagraphAsync(settings.Netuid, cancellationToken).ConfigureAwait(false);
        int uid = metagraph.Hotkeys.IndexOf(hotkey.PublicKey);
        if (uid < 0)
        {
            await error.WriteLineAsync(
                $"error: hotkey {hotkey.Ss58Address} is not registered on subnet {settings.Netuid}; register it first: bte register --netuid {settings.Netuid}").ConfigureAwait(false);
            return null;
        }

        ChainMetagraphView view = new(client, settings.Netuid, clock);
        await view.RefreshAsync(cancellationToken).ConfigureAwait(false);
        AxonHost host = new AxonBuilder(hotkey, view)
            .WithOptions(new AxonOptions { Address = settings.Listen, Port = settings.Port })
            .WithClock(clock)
            .WithLogging(loggerFactory)
            .WithHealth(() => new AxonHealth(view.Block, StorageSynapses.Summary(storage), inferenceModels(), 0))
            .MapStorage(storage)
            .MapRaw(SynapseNames.Inference, inference)
            .Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);

        if (settings.AnnounceOnChain)
        {
            IPAddress announced = settings.ExternalIp ?? settings.Listen;
            ushort port = (ushort)host.Endpoint.Port;
            if (!await AnnounceAsync(client, hotkey, settings.Netuid, metagraph.Axons[uid], announced, port, error, cancellationToken).ConfigureAwait(false))
            {
                await host.DisposeAsync().ConfigureAwait(false);
                return null;
            }
        }

        ILogger logger = loggerFactory.CreateLogger("Bittensor.Edge.Cli.Axon");
        return new RunningAxon(host, view, uid, logger, cancellationToken);
    }

    /// <summary>The chain's encoding of an address (protocol.md §2.5.4): the IPv4 value or the 128-bit IPv6 value, and its type.</summary>
    public static (UInt128 Ip, byte IpType) Encode(IPAddress address)
    {
        byte[] bytes = address.GetAddressBytes();
        UInt128 value = 0;
        foreach (byte b in bytes)
        {
            value = (value << 8) | b;
        }

        return (value, address.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)6 : (byte)4);
    }

    private static async Task<bool> AnnounceAsync(
        ChainRpcClient client, Ed25519KeyPair hotkey, ushort netuid, RpcAxon? current, IPAddress address, ushort port, TextWriter error, CancellationToken cancellationToken)
    {
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            await error.WriteLineAsync("error: the axon listens on every address; pass --external-ip with the address validators should call.").ConfigureAwait(false);
            return false;
        }

        (UInt128 ip, byte ipType) = Encode(address);
        if (current is not null && current.Port == port && current.IpType == ipType && IPAddress.TryParse(current.Ip, out IPAddress? known) && known.Equals(address))
        {
            return true; // already announced; a second serve_axon would only hit the serving rate limit
        }

        RpcExtrinsicStatus status = await client.SignAndSubmitAsync(
            hotkey, new ServeAxonCall(new Netuid(netuid), Version, ip, port, ipType, ProtocolCode), cancellationToken).ConfigureAwait(false);
        if (status.IsIncluded && status.Ok == true)
        {
            return true;
        }

        string advice = status.Error switch
        {
            "InvalidIp" => " (loopback addresses are refused unless the genesis allows them: use --external-ip with a routable address)",
            "ServingRateLimit" => " (the subnet's serving_rate_limit: wait that many blocks since the last announcement, or keep the old one with --no-announce)",
            _ => "",
        };
        await error.WriteLineAsync($"error: serve_axon for {address}:{port} failed: {status.Error ?? status.Status}{advice}").ConfigureAwait(false);
        return false;
    }
}

/// <summary>A started axon with its metagraph refresher. Disposing stops both.</summary>
internal sealed class RunningAxon : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task _refresh;

    internal RunningAxon(AxonHost host, ChainMetagraphView view, int uid, ILogger logger, CancellationToken cancellationToken)
    {
        Host = host;
        View = view;
        Uid = uid;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _refresh = view.RunAsync(e => Log.MetagraphRefreshFailed(logger, view.Block, e.Message), _stop.Token);
    }

    public AxonHost Host { get; }

    public ChainMetagraphView View { get; }

    public int Uid { get; }

    /// <summary>Completes when <paramref name="cancellationToken"/> fires or the axon stops by itself.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => Host.RunAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _refresh.ConfigureAwait(false);
        await Host.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
