// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.State;

/// <summary>
/// The in-memory <see cref="IStateStore"/>: a hash map of entries, each caching its leaf hash.
/// </summary>
/// <remarks>
/// <para>
/// Cost of <see cref="ComputeStateRoot"/>: leaf hashes are recomputed only for entries changed since the last
/// root (O(changed)); the sorted key order is rebuilt only when keys were added or deleted (O(n log n) then);
/// the inner nodes are rehashed every time (n − 1 BLAKE2b calls over 65 bytes, O(state)). That is once per
/// block, and a few milliseconds for 10^4 entries.
/// </para>
/// <para>Not thread-safe: one writer, readers synchronized by the owner (see <see cref="IStateStore"/>).</para>
/// </remarks>
public sealed class MemoryStateStore : IStateStore
{
    private readonly Dictionary<byte[], Entry> _entries = new(ByteArrayComparer.Instance);
    private byte[][]? _sortedKeys;

    /// <inheritdoc/>
    public int Count => _entries.Count;

    /// <inheritdoc/>
    public bool TryGet(byte[] key, [NotNullWhen(true)] out byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_entries.TryGetValue(key, out Entry? entry))
        {
            value = entry.Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <inheritdoc/>
    public void Apply(IEnumerable<KeyValuePair<byte[], byte[]?>> writeSet)
    {
        ArgumentNullException.ThrowIfNull(writeSet);
        foreach (KeyValuePair<byte[], byte[]?> change in writeSet)
        {
            if (change.Value is null)
            {
                if (_entries.Remove(change.Key))
                {
                    _sortedKeys = null;
                }
            }
            else if (_entries.TryGetValue(change.Key, out Entry? entry))
            {
                entry.Value = change.Value;
                entry.LeafHash = null;
            }
            else
            {
                _entries.Add(change.Key, new Entry(change.Value));
                _sortedKeys = null;
            }
        }
    }

    /// <inheritdoc/>
    public Hash256 ComputeStateRoot()
    {
        byte[][] keys = SortedKeys();
        Hash256[] leaves = new Hash256[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            Entry entry = _entries[keys[i]];
            entry.LeafHash ??= MerkleTree.HashStateEntry(keys[i], entry.Value);
            leaves[i] = entry.LeafHash.Value;
        }

        return MerkleTree.ComputeRoot(leaves);
    }

    /// <inheritdoc/>
    public IEnumerable<KeyValuePair<byte[], byte[]>> EnumerateSorted()
    {
        byte[][] keys = SortedKeys();
        foreach (byte[] key in keys)
        {
            yield return new KeyValuePair<byte[], byte[]>(key, _entries[key].Value);
        }
    }

    private byte[][] SortedKeys()
    {
        if (_sortedKeys is null)
        {
            byte[][] keys = new byte[_entries.Count][];
            _entries.Keys.CopyTo(keys, 0);
            Array.Sort(keys, ByteArrayComparer.Instance);
            _sortedKeys = keys;
        }

        return _sortedKeys;
    }

    private sealed class Entry(byte[] value)
    {
        public byte[] Value { get; set; } = value;

        public Hash256? LeafHash { get; set; }
    }
}
