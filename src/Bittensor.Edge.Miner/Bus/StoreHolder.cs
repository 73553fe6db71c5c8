// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Miner.Bus;

/// <summary>
/// The sector store once it is open: the host opens and reconciles it after READY (storage-proofs.md §8 can take
/// minutes on a big card) and publishes it here; until then storage requests get <c>Busy</c>.
/// </summary>
/// <remarks>Thread-safe. Does not own the store.</remarks>
public sealed class StoreHolder
{
    private volatile ISectorStore? _store;

    /// <summary>The open store, or null while it opens.</summary>
    public ISectorStore? Store => _store;

    /// <summary>Publishes the opened store.</summary>
    public void Set(ISectorStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }
}
