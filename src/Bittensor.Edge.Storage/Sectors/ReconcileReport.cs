// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>What a <see cref="FileSectorStore"/> found and repaired when it opened (specs/storage-proofs.md §8).</summary>
/// <param name="TempFilesRemoved">Leftover <c>tmp/*.part</c> files deleted (writes that were never acknowledged).</param>
/// <param name="Lost">Index entries dropped because the file was missing or not 4 MiB: report these roots <c>lost</c>.</param>
/// <param name="Adopted">Files without an entry whose data hashed to their name, now indexed: renamed into place but not yet acknowledged, or acknowledged with the batched index commit still pending when the process died (these keep the expiry their tree record remembers).</param>
/// <param name="OrphansRemoved">Files deleted because their name was not a root or their data did not hash to it.</param>
/// <param name="IndexRebuilt">Whether <c>index.db</c> failed to open and was moved aside and rebuilt from the files.</param>
/// <param name="Elapsed">How long the reconcile took.</param>
public sealed record ReconcileReport(
    int TempFilesRemoved,
    IReadOnlyList<Hash256> Lost,
    IReadOnlyList<Hash256> Adopted,
    int OrphansRemoved,
    bool IndexRebuilt,
    TimeSpan Elapsed)
{
    /// <summary>A report of nothing found.</summary>
    public static ReconcileReport Empty { get; } = new(0, [], [], 0, false, TimeSpan.Zero);

    /// <summary>
    /// Indexed sectors whose tree record (<c>trees.dat</c>) was missing or named another root, rebuilt by rehashing the
    /// sector file: a crash between a put's record write and its commit never causes this, a crash after a delete may.
    /// </summary>
    public int TreesRebuilt { get; init; }

    /// <summary>Whether the store was already consistent.</summary>
    public bool WasClean => TempFilesRemoved == 0 && Lost.Count == 0 && Adopted.Count == 0 && OrphansRemoved == 0 && !IndexRebuilt && TreesRebuilt == 0;
}
