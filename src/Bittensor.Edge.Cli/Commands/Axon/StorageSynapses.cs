// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Axon;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;
using Bittensor.Edge.Storage.Serving;

namespace Bittensor.Edge.Cli.Commands.Axon;

/// <summary>
/// Thin adapters from the wire records of StoreChunk, RetrieveChunk and StorageChallenge (protocol.md §4) to a
/// <see cref="SectorService"/>, which holds the rules (storage-proofs.md §3–5).
/// </summary>
internal static class StorageSynapses
{
    /// <summary>Maps the three storage synapses onto <paramref name="service"/>.</summary>
    public static AxonBuilder MapStorage(this AxonBuilder builder, SectorService service) =>
        builder
            .MapStoreChunk((request, context, _) => ValueTask.FromResult(StoreChunk(service, request, context)))
            .MapRetrieveChunk((request, _, _) => ValueTask.FromResult(RetrieveChunk(service, request)))
            .MapStorageChallenge((request, context, _) => ValueTask.FromResult(StorageChallenge(service, request, context)));

    /// <summary>The storage part of <c>Health</c>.</summary>
    public static StorageSummary Summary(SectorService service)
    {
        StoreUsage usage = service.Usage;
        return new StorageSummary((ulong)usage.Sectors, (ulong)usage.FreeBytes);
    }

    internal static SynapseResult<StoreChunkResponse> StoreChunk(SectorService service, StoreChunkRequest request, SynapseContext context) =>
        service.Store(request.Root, request.Data, request.ExpiresAtBlock, context.Caller) switch
        {
            PutStatus.Stored or PutStatus.AlreadyStored => new StoreChunkResponse(request.Root, true),
            PutStatus.RootMismatch => new DomainError(DomainErrorCodes.RootMismatch, $"data does not hash to {request.Root}."),
            PutStatus.WrongSize => DomainError.BadInput($"data must be exactly {StorageSizes.SectorBytes} bytes."),
            PutStatus.QuotaExceeded => new DomainError("QuotaExceeded", "the miner's storage quota is full."),
            _ => new DomainError("DiskFull", "the miner's disk is full."),
        };

    internal static SynapseResult<RetrieveChunkResponse> RetrieveChunk(SectorService service, RetrieveChunkRequest request) =>
        service.Retrieve(request.Root) is byte[] data
            ? new RetrieveChunkResponse(request.Root, data)
            : new DomainError(DomainErrorCodes.UnknownSector, $"sector {request.Root} is not stored here.");

    internal static SynapseResult<StorageChallengeResponse> StorageChallenge(SectorService service, StorageChallengeRequest request, SynapseContext context)
    {
        SectorLeaf[] items = new SectorLeaf[request.Items.Count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = new SectorLeaf(request.Items[i].Root, request.Items[i].Leaf);
        }

        ChallengeAnswerStatus status = service.Answer(context.Caller, request.K, items, out SectorLeafProof[] proofs);
        switch (status)
        {
            case ChallengeAnswerStatus.Proved:
                LeafProof[] wire = new LeafProof[proofs.Length];
                for (int i = 0; i < wire.Length; i++)
                {
                    wire[i] = new LeafProof(proofs[i].Root, proofs[i].Leaf, proofs[i].Data!, proofs[i].Path!);
                }

                return new StorageChallengeResponse(wire);
            case ChallengeAnswerStatus.BadChallenge:
                return new DomainError(DomainErrorCodes.BadChallenge, "k must be 1..64 and equal the item count, and every root must be one this validator stored.");
            case ChallengeAnswerStatus.UnknownSector:
                return new DomainError(DomainErrorCodes.UnknownSector, "a challenged sector is no longer stored here.");
            default:
                throw new InvalidOperationException("A challenged sector is corrupt on disk.");
        }
    }
}
