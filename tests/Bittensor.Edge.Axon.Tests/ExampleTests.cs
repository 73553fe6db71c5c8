// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Protocol.Verification;

namespace Bittensor.Edge.Axon.Tests;

/// <summary>The hosting and calling example from the hand-over notes, compiled and run.</summary>
public class ExampleTests
{
    [Fact]
    public async Task A_miner_hosts_custom_handlers_and_a_validator_calls_them_with_the_dendrite()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using Ed25519KeyPair minerHotkey = Ed25519KeyPair.Generate();
        using Ed25519KeyPair validatorHotkey = Ed25519KeyPair.Generate();
        MemoryMetagraphView metagraph = new();
        metagraph.Set(validatorHotkey.PublicKey, validatorPermit: true, stakeRao: 1_000_000_000);
        Dictionary<Hash256, byte[]> sectors = [];

        // Miner side: plug synapse handlers into the axon; Health is built in.
        await using AxonHost axon = new AxonBuilder(minerHotkey, metagraph)
            .WithOptions(new AxonOptions { Address = IPAddress.Loopback, Port = 0 })
            .WithHealth(() => new AxonHealth(12, new StorageSummary((ulong)sectors.Count, 1UL << 30), new InferenceSummary([]), 0))
            .MapStoreChunk((request, context, token) =>
            {
                lock (sectors)
                {
                    sectors[request.Root] = request.Data;
                }

                return ValueTask.FromResult<SynapseResult<StoreChunkResponse>>(new StoreChunkResponse(request.Root, true));
            })
            .MapRetrieveChunk((request, context, token) =>
            {
                lock (sectors)
                {
                    return ValueTask.FromResult<SynapseResult<RetrieveChunkResponse>>(
                        sectors.TryGetValue(request.Root, out byte[]? data)
                            ? new RetrieveChunkResponse(request.Root, data)
                            : new DomainError(DomainErrorCodes.UnknownSector, "Not stored here."));
                }
            })
            .Build();
        await axon.StartAsync(ct);

        // Validator side: one dendrite, many calls; results are values, never exceptions.
        using Dendrite dendrite = new(validatorHotkey, SystemClock.Instance);
        AxonTarget target = new(axon.Endpoint, minerHotkey.PublicKey);
        DendriteResult<HealthResponse> health = await dendrite.HealthAsync(target, cancellationToken: ct);
        DendriteResult<RetrieveChunkResponse> missing = await dendrite.RetrieveChunkAsync(target, new RetrieveChunkRequest(Hash256.Zero), cancellationToken: ct);

        Assert.Equal(AxonStatus.Ok, health.Status);
        Assert.Equal(12UL, health.Response!.BestBlockSeen);
        Assert.Equal(AxonStatus.UnprocessableEntity, missing.Status);
        Assert.Equal(DomainErrorCodes.UnknownSector, missing.Error?.Error);
    }
}
