// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.State;

/// <summary>
/// The in-memory <see cref="IStateStore"/>: a hash map of entries plus a cached Merkle tree over them.
/// </summary>
/// <remarks>
/// <para>
/// Cost of <see cref="ComputeStateRoot"/>: when the writes since the last root only changed values of existing keys,
/// only the changed leaves and their paths are rehashed (O(changed · log n)). When keys were added or deleted, the
/// sorted key order and the inner nodes are rebuilt (O(n log n) comparisons, n − 1 node hashes), while leaf hashes of
/// unchanged entries are reused.
/// </para>
/// <para>Not thread-safe: one writer, readers synchronized by the owner (see <see cref="IStateStore"/>).</para>
/// </remarks>
public sealed class MemoryStateStore : IStateStore
{
    private readonly Dictionary<byte[], Entry> _entries = new(ByteArrayComparer.Instance);
    private readonly HashSet<int> _dirty = [];
    private byte[][]? _sortedKeys;

    // _levels[0] holds the leaf hashes in key order; each next level pairs the one below, an odd last node moving up.
    private List<Hash256[]>? _levels;

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
                    Invalidate();
                }
            }
            else if (_entries.TryGetValue(change.Key, out Entry? entry))
            {
                entry.Value = change.Value;
                entry.LeafHash = null;
                if (_levels is not null)
                {
                    _dirty.Add(entry.Index);
                }
            }
            else
            {
                _entries.Add(change.Key, new Entry(change.Value));
                Invalidate();
            }
        }
    }

    /// <inheritdoc/>
    public Hash256 ComputeStateRoot()
    {
        if (_levels is null)
        {
            Rebuild();
        }
        else if (_dirty.Count > 0)
        {
            UpdatePaths();
        }

        List<Hash256[]> levels = _levels!;
        return levels[0].Length == 0 ? Hash256.Zero : levels[^1][0];
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

    private void Invalidate()
    {
        _sortedKeys = null;
        _levels = null;
        _dirty.Clear();
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

    private void Rebuild()
    {
        byte[][] keys = SortedKeys();
        Hash256[] leaves = new Hash256[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            Entry entry = _entries[keys[i]];
            entry.Index = i;
            entry.LeafHash ??= MerkleTree.HashStateEntry(keys[i], entry.Value);
            leaves[i] = entry.LeafHash.Value;
        }

        List<Hash256[]> levels = [leaves];
        Hash256[] level = leaves;
        while (level.Length > 1)
        {
            Hash256[] next = new Hash256[(level.Length + 1) / 2];
            for (int i = 0; i < next.Length; i++)
            {
                next[i] = Pair(level, 2 * i);
            }

            levels.Add(next);
            level = next;
        }

        _levels = levels;
        _dirty.Clear();
    }

    private void UpdatePaths()
    {
        List<Hash256[]> levels = _levels!;
        byte[][] keys = _sortedKeys!;
        HashSet<int> current = [];
        foreach (int index in _dirty)
        {
            Entry entry = _entries[keys[index]];
            entry.LeafHash ??= MerkleTree.HashStateEntry(keys[index], entry.Value);
            levels[0][index] = entry.LeafHash.Value;
            current.Add(index);
        }

        for (int l = 1; l < levels.Count; l++)
        {
            HashSet<int> parents = [];
            foreach (int index in current)
            {
                int parent = index / 2;
                if (parents.Add(parent))
                {
                    levels[l][parent] = Pair(levels[l - 1], 2 * parent);
                }
            }

            current = parents;
        }

        _dirty.Clear();
    }

    // The node over level[left] and level[left + 1], or level[left] moved up when it is the odd last node.
    private static Hash256 Pair(Hash256[] level, int left)
    {
        if (left + 1 >= level.Length)
        {
            return level[left];
        }

        Span<byte> node = stackalloc byte[1 + (2 * Hash256.Size)];
        node[0] = 0x01;
        level[left].CopyTo(node[1..]);
        level[left + 1].CopyTo(node[(1 + Hash256.Size)..]);
        return Blake2b.Hash256(node);
    }

    private sealed class Entry(byte[] value)
    {
        public byte[] Value { get; set; } = value;

        public Hash256? LeafHash { get; set; }

        public int Index { get; set; }
    }
}
