// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Storage.Tests.Sectors;

/// <summary>Every <see cref="ISectorStore"/> implementation, for theories that must hold for all of them.</summary>
internal static class StoreKinds
{
    public const string Memory = "memory";
    public const string File = "file";

    public static TheoryData<string> All => [Memory, File];

    public static ISectorStore Open(string kind, TempDirectory directory, ManualClock clock, long quotaBytes = SectorStoreOptions.DefaultQuotaBytes)
    {
        SectorStoreOptions options = new() { Directory = directory.Path, QuotaBytes = quotaBytes, ReserveFraction = 0 };
        return kind switch
        {
            Memory => new MemorySectorStore(options, clock),
            File => FileSectorStore.Open(options, clock),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown store kind"),
        };
    }
}
