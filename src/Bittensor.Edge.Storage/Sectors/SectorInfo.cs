// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>What a store records about one sector (its index entry).</summary>
/// <param name="Root">The sector's root, its name everywhere.</param>
/// <param name="StoredAt">When the store committed it (store clock).</param>
/// <param name="ExpiresAtBlock">The block after which it may be deleted (<c>StoreChunk.expiresAtBlock</c>).</param>
/// <param name="LastScrub">When a scrub last rehashed it; <see langword="null"/> if never.</param>
public readonly record struct SectorInfo(Hash256 Root, DateTimeOffset StoredAt, ulong ExpiresAtBlock, DateTimeOffset? LastScrub);
