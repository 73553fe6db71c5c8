// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Storage.Merkle;

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>
/// An <see cref="ISectorStore"/> in managed memory, for tests and the simulation's virtual devices. Same results as
/// <see cref="FileSectorStore"/>, minus durability.
/// </summary>
/// <remarks>Thread-safe: one lock guards the map; hashing runs outside it. Dispose drops the data.</remarks>
public sealed class MemorySectorStore : ISectorStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Hash256, Entry> _sectors = [];
    private readonly IClock _clock;
    private readonly long _quotaSectors;
    private long _reserved;
    private bool _disposed;

    /// <summary>A store that accepts up to <see cref="SectorStoreOptions.QuotaSectors"/> sectors.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public MemorySectorStore(SectorStoreOptions options, IClock clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        if (options.Validate() is string error)
        {
            ThrowHelper.ThrowArgument(nameof(options), error);
        }

        _quotaSectors = options.QuotaSectors;
        _clock = clock;
    }

    /// <inheritdoc/>
    public StoreUsage Usage
    {
        get
        {
            lock (_lock)
            {
                ThrowIfDisposed();
                return new StoreUsage(_sectors.Count, _quotaSectors);
            }
        }
    }

    /// <inheritdoc/>
    public PutStatus Put(in Hash256 root, ReadOnlySpan<byte> sector, ulong expiresAtBlock)
    {
        if (sector.Length != StorageConstants.SectorSize)
        {
            return PutStatus.WrongSize;
        }

        lock (_lock)
        {
            ThrowIfDisposed();
            if (TryRaiseExpiry(root, expiresAtBlock))
            {
                return PutStatus.AlreadyStored;
            }

            if (_sectors.Count + _reserved >= _quotaSectors)
            {
                return PutStatus.QuotaExceeded;
            }

            _reserved++;
        }

        try
        {
            byte[] upper = new byte[StorageConstants.UpperTreeSize];
            if (SectorTree.ComputeUpperTree(sector, upper) != root)
            {
                return PutStatus.RootMismatch;
            }

            byte[] data = sector.ToArray();
            lock (_lock)
            {
                ThrowIfDisposed();
                if (!TryRaiseExpiry(root, expiresAtBlock))
                {
                    _sectors[root] = new Entry(data, upper, new SectorInfo(root, _clock.UtcNow, expiresAtBlock, null));
                }

                return PutStatus.Stored;
            }
        }
        finally
        {
            lock (_lock)
            {
                _reserved--;
            }
        }
    }

    /// <inheritdoc/>
    public bool Contains(in Hash256 root)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            return _sectors.ContainsKey(root);
        }
    }

    /// <inheritdoc/>
    public bool TryGetInfo(in Hash256 root, out SectorInfo info)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            bool found = _sectors.TryGetValue(root, out Entry? entry);
            info = found ? entry!.Info : default;
            return found;
        }
    }

    /// <inheritdoc/>
    public bool TryRead(in Hash256 root, long offset, Span<byte> destination)
    {
        SectorRange.Check(offset, destination.Length);
        lock (_lock)
        {
            ThrowIfDisposed();
            if (!_sectors.TryGetValue(root, out Entry? entry))
            {
                return false;
            }

            entry.Data.AsSpan((int)offset, destination.Length).CopyTo(destination);
            return true;
        }
    }

    /// <inheritdoc/>
    public bool TryGetLevel4(in Hash256 root, Span<byte> destination)
    {
        if (destination.Length != StorageConstants.Level4Size)
        {
            ThrowHelper.ThrowArgumentLength(nameof(destination), StorageConstants.Level4Size, destination.Length);
        }

        lock (_lock)
        {
            ThrowIfDisposed();
            if (!_sectors.TryGetValue(root, out Entry? entry))
            {
                return false;
            }

            entry.UpperTree.AsSpan(0, StorageConstants.Level4Size).CopyTo(destination);
            return true;
        }
    }

    /// <inheritdoc/>
    public bool TryGetUpperTree(in Hash256 root, Span<byte> destination)
    {
        if (destination.Length != StorageConstants.UpperTreeSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(destination), StorageConstants.UpperTreeSize, destination.Length);
        }

        lock (_lock)
        {
            ThrowIfDisposed();
            if (!_sectors.TryGetValue(root, out Entry? entry))
            {
                return false;
            }

            entry.UpperTree.CopyTo(destination);
            return true;
        }
    }

    /// <inheritdoc/>
    public bool Delete(in Hash256 root)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            return _sectors.Remove(root);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<SectorInfo> List(Hash256? after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        List<SectorInfo> page = [];
        lock (_lock)
        {
            ThrowIfDisposed();
            foreach (Entry entry in _sectors.Values)
            {
                if (after is not Hash256 a || entry.Info.Root > a)
                {
                    page.Add(entry.Info);
                }
            }
        }

        page.Sort(static (x, y) => x.Root.CompareTo(y.Root));
        return page.Count > limit ? page.GetRange(0, limit) : page;
    }

    /// <inheritdoc/>
    public IReadOnlyList<Hash256> CollectExpired(ulong currentBlock)
    {
        List<Hash256> expired = [];
        lock (_lock)
        {
            ThrowIfDisposed();
            foreach (Entry entry in _sectors.Values)
            {
                if (entry.Info.ExpiresAtBlock < currentBlock)
                {
                    expired.Add(entry.Info.Root);
                }
            }

            foreach (Hash256 root in expired)
            {
                _sectors.Remove(root);
            }
        }

        expired.Sort();
        return expired;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _sectors.Clear();
        }
    }

    private bool TryRaiseExpiry(in Hash256 root, ulong expiresAtBlock)
    {
        if (!_sectors.TryGetValue(root, out Entry? existing))
        {
            return false;
        }

        if (expiresAtBlock > existing.Info.ExpiresAtBlock)
        {
            existing.Info = existing.Info with { ExpiresAtBlock = expiresAtBlock };
        }

        return true;
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(MemorySectorStore));
        }
    }

    private sealed class Entry(byte[] data, byte[] upperTree, SectorInfo info)
    {
        public byte[] Data { get; } = data;

        public byte[] UpperTree { get; } = upperTree;

        public SectorInfo Info { get; set; } = info;
    }
}
