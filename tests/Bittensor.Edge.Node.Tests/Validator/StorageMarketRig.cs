// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using System.Net;
using Bittensor.Edge.Axon;
using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Node;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Protocol.Verification;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;
using Bittensor.Edge.Storage.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Node.Tests.Validator;

/// <summary>
/// A storage market on loopback for the <see cref="Node.Validator.StorageValidator"/>: a dev-genesis
/// <see cref="ChainNode"/> on a <see cref="ManualClock"/> (blocks only when <see cref="ProduceBlock"/> is called) behind the
/// node's own <c>POST /rpc</c> endpoint on Kestrel, and miners that each run a real <see cref="AxonHost"/> on
/// 127.0.0.1 port 0 over a real <see cref="MemorySectorStore"/>, registered and announced on subnet 1 by extrinsics.
/// Each miner records every <see cref="StorageChallengeRequest"/> it receives before answering it honestly.
/// </summary>
internal sealed class StorageMarketRig : IAsyncDisposable
{
    public const ushort Netuid = 1;
    private const ulong GenesisTimeMs = 1_767_225_600_000;

    private readonly WebApplication _rpc;
    private readonly HttpClient _http = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Ed25519KeyPair _authority = Ed25519KeyPair.Generate();
    private readonly Ed25519KeyPair _owner = Ed25519KeyPair.Generate();
    private readonly Ed25519KeyPair _ownerHotkey = Ed25519KeyPair.Generate();
    private readonly List<Ed25519KeyPair> _coldkeys = [];
    private readonly List<RecordingMiner> _miners = [];
    private readonly ExtrinsicBuilder _extrinsics;

    private StorageMarketRig(int miners)
    {
        for (int i = 0; i < miners; i++)
        {
            _coldkeys.Add(Ed25519KeyPair.Generate());
        }

        GenesisConfig genesis = DevGenesis.Create(
            _authority.PublicKey, _owner.PublicKey, [.. _coldkeys.Select(k => k.PublicKey)], GenesisTimeMs,
            subnets: [new GenesisSubnet(new Netuid(Netuid), _owner.PublicKey, _ownerHotkey.PublicKey, new Hyperparameters())]);
        Clock = new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds((long)GenesisTimeMs));
        Chain = new ChainNode(genesis, new MemoryStateStore(), [], _authority, Clock);
        _extrinsics = new ExtrinsicBuilder(genesis.Hash);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _rpc = builder.Build();
        RpcEndpoint endpoint = new(new ChainRpcHandler(Chain), NodeConstants.DefaultMaxBodyBytes, NullLogger.Instance, _stopping.Token);
        _rpc.MapPost(RpcEndpoint.Path, endpoint.HandleAsync);
    }

    /// <summary>The chain's clock; the validator runs on it too, so every answer arrives in 0 s of validator time.</summary>
    public ManualClock Clock { get; }

    public ChainNode Chain { get; }

    public ChainRpcClient Client { get; private set; } = null!;

    /// <summary>The validator's hotkey: known to every miner's axon as a permitted validator, not registered on chain.</summary>
    public Ed25519KeyPair Validator { get; } = Ed25519KeyPair.Generate();

    public IReadOnlyList<RecordingMiner> Miners => _miners;

    /// <summary>Starts the chain's RPC, registers <paramref name="miners"/> hotkeys on subnet 1, and starts and announces their axons.</summary>
    public static async Task<StorageMarketRig> StartAsync(int miners, CancellationToken cancellationToken)
    {
        StorageMarketRig rig = new(miners);
        try
        {
            await rig._rpc.StartAsync(cancellationToken);
            string address = rig._rpc.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            rig.Client = new ChainRpcClient(rig._http, new Uri(address.TrimEnd('/') + "/"));
            foreach (Ed25519KeyPair coldkey in rig._coldkeys)
            {
                RecordingMiner miner = new(rig.Validator.PublicKey);
                rig._miners.Add(miner);
                rig.Include(rig._extrinsics.BurnedRegister(coldkey, 0, rig.ValidUntil, new Netuid(Netuid), miner.Hotkey.PublicKey));
                await miner.Host.StartAsync(cancellationToken);
                ushort port = (ushort)miner.Host.Endpoint.Port;
                rig.Include(rig._extrinsics.ServeAxon(miner.Hotkey, 0, rig.ValidUntil, new Netuid(Netuid), 1_000, 0x7F00_0001, port, 4));
            }

            RpcMetagraph metagraph = await rig.Client.GetMetagraphAsync(Netuid, cancellationToken);
            foreach (RecordingMiner miner in rig._miners)
            {
                int uid = metagraph.Hotkeys.IndexOf(miner.Hotkey.PublicKey);
                Assert.True(uid >= 0, "a miner's registration was not included");
                Assert.Equal((ushort?)miner.Host.Endpoint.Port, metagraph.Axons[uid]?.Port);
            }

            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    /// <summary>Moves one slot and produces its block.</summary>
    public void ProduceBlock()
    {
        Clock.Advance(TimeSpan.FromMilliseconds(Chain.Genesis.BlockTimeMs));
        Assert.True(Chain.TryProduceBlock(out _));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (RecordingMiner miner in _miners)
        {
            await miner.DisposeAsync();
        }

        await _stopping.CancelAsync();
        await _rpc.StopAsync();
        await _rpc.DisposeAsync();
        _http.Dispose();
        _stopping.Dispose();
        _authority.Dispose();
        _owner.Dispose();
        _ownerHotkey.Dispose();
        Validator.Dispose();
        foreach (Ed25519KeyPair coldkey in _coldkeys)
        {
            coldkey.Dispose();
        }
    }

    // Inside the pool's mortality window (best+1 ..= best+128).
    private ulong ValidUntil => Chain.Head.Number + 16;

    // Pools the extrinsic and produces the block that includes it, so each registration and announcement is on chain.
    private void Include(Extrinsic extrinsic)
    {
        Assert.Equal(SubmissionError.None, Chain.Submit(extrinsic));
        ProduceBlock();
        Assert.True(Chain.TryGetTransactionStatus(extrinsic.Hash, out TransactionStatus status));
        Assert.Equal(TransactionState.Included, status.State);
    }
}

/// <summary>An honest miner's axon over a real memory store that keeps every challenge request it receives.</summary>
internal sealed class RecordingMiner : IAsyncDisposable
{
    private readonly SectorOwnerLog _owners = new();
    private readonly ConcurrentQueue<StorageChallengeRequest> _challenges = new();

    public RecordingMiner(PublicKey validator)
    {
        Store = new MemorySectorStore(new SectorStoreOptions(), SystemClock.Instance);
        SectorService service = new(Store, _owners);
        MemoryMetagraphView metagraph = new();
        metagraph.Set(validator, validatorPermit: true, stakeRao: 1_000_000_000_000);
        Host = new AxonBuilder(Hotkey, metagraph)
            .WithOptions(new AxonOptions { Address = IPAddress.Loopback, Port = 0 })
            .WithClock(SystemClock.Instance)
            .WithHealth(() => new AxonHealth(0, new StorageSummary((ulong)Store.Usage.Sectors, (ulong)Store.Usage.FreeBytes), new InferenceSummary([]), 0))
            .MapStoreChunk((request, context, _) => ValueTask.FromResult<SynapseResult<StoreChunkResponse>>(
                service.Store(request.Root, request.Data, request.ExpiresAtBlock, context.Caller) is PutStatus.Stored or PutStatus.AlreadyStored
                    ? new StoreChunkResponse(request.Root, true)
                    : new DomainError(DomainErrorCodes.RootMismatch, "not stored")))
            .MapStorageChallenge((request, context, _) =>
            {
                _challenges.Enqueue(request);
                return ValueTask.FromResult(Answer(service, request, context));
            })
            .Build();
    }

    public Ed25519KeyPair Hotkey { get; } = Ed25519KeyPair.Generate();

    public MemorySectorStore Store { get; }

    public AxonHost Host { get; }

    /// <summary>The challenge requests received so far, in arrival order.</summary>
    public StorageChallengeRequest[] Challenges => [.. _challenges];

    /// <summary>The roots this miner holds in the validator's challenge order, <c>(storedAtBlock, root)</c> (§4), for sectors all stored at <paramref name="storedAtBlock"/>.</summary>
    public Hash256[] RootsInChallengeOrder(ulong storedAtBlock)
    {
        (ulong StoredAtBlock, Hash256 Root)[] sectors = [.. Store.List(null, 1_000).Select(s => (storedAtBlock, s.Root))];
        Challenge.SortSectors(sectors);
        return [.. sectors.Select(s => s.Root)];
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Store.Dispose();
        _owners.Dispose();
        Hotkey.Dispose();
    }

    private static SynapseResult<StorageChallengeResponse> Answer(SectorService service, StorageChallengeRequest request, SynapseContext context)
    {
        SectorLeaf[] items = [.. request.Items.Select(i => new SectorLeaf(i.Root, i.Leaf))];
        return service.Answer(context.Caller, request.K, items, out SectorLeafProof[] proofs) == ChallengeAnswerStatus.Proved
            ? new StorageChallengeResponse([.. proofs.Select(p => new LeafProof(p.Root, p.Leaf, p.Data!, p.Path!))])
            : new DomainError(DomainErrorCodes.BadChallenge, "not proved");
    }
}
