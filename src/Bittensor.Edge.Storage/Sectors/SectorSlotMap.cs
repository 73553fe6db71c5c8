// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>How <see cref="SectorSlotMap.Find"/> answers.</summary>
internal enum SlotLookup
{
    /// <summary>No stored sector has this root: authoritative.</summary>
    Absent,

    /// <summary>If the root is stored, its record is at this slot: the caller checks the record's root.</summary>
    Candidate,

    /// <summary>Two stored roots once shared this prefix: ask the index.</summary>
    AskIndex,
}

/// <summary>
/// The store's in-memory map from a sector root to its <c>trees.dat</c> slot, so that puts, proofs and
/// <c>Contains</c> never wait on a LiteDB lookup (about 60–90 µs each; a k = 32 challenge over 32 sectors paid 2 ms for
/// them alone).
/// </summary>
/// <remarks>
/// <para><b>Compact.</b> Keyed by the root's first 8 bytes: about 28 B per sector (a <see cref="Dictionary{TKey,TValue}"/>
/// of <c>ulong → int</c>), 28 MiB for a million sectors, where keying by the whole root would take about 52 MiB. The
/// record at the slot ends with the full root (<see cref="SectorTreeFile"/>), so a candidate is confirmed by the 32
/// bytes the caller reads anyway.</para>
/// <para><b>Prefix collisions.</b> Roots are SHA-256 outputs, but a validator can grind two roots sharing 64 bits
/// (≈ 2³² work). When a new root's prefix is already mapped, the prefix moves to a collided set and every root with it is
/// looked up in the index from then on (<see cref="SlotLookup.AskIndex"/>): correct, only slower, and never silent.</para>
/// <para>Not thread-safe: the store calls it under its lock. It mirrors the index: the store adds a root after the
/// index commit and removes it with the index delete.</para>
/// </remarks>
internal sealed class SectorSlotMap
{
    private readonly Dictionary<ulong, int> _slots;
    private readonly HashSet<ulong> _collided = [];

    /// <summary>An empty map sized for <paramref name="capacity"/> sectors.</summary>
    public SectorSlotMap(int capacity = 0) => _slots = new Dictionary<ulong, int>(capacity);

    /// <summary>Roots mapped directly (collided prefixes not counted).</summary>
    public int Count => _slots.Count;

    /// <summary>Where <paramref name="root"/>'s record would be.</summary>
    public SlotLookup Find(in Hash256 root, out int slot)
    {
        ulong key = Key(root);
        if (_collided.Contains(key))
        {
            slot = -1;
            return SlotLookup.AskIndex;
        }

        return _slots.TryGetValue(key, out slot) ? SlotLookup.Candidate : SlotLookup.Absent;
    }

    /// <summary>Maps a root that was not stored before.</summary>
    public void Add(in Hash256 root, int slot)
    {
        ulong key = Key(root);
        if (_collided.Contains(key))
        {
            return;
        }

        if (_slots.Remove(key))
        {
            _collided.Add(key);
            return;
        }

        _slots[key] = slot;
    }

    /// <summary>Points a stored root at another slot (its record was rewritten).</summary>
    public void Move(in Hash256 root, int slot)
    {
        ulong key = Key(root);
        if (!_collided.Contains(key))
        {
            _slots[key] = slot;
        }
    }

    /// <summary>Forgets a stored root.</summary>
    public void Remove(in Hash256 root)
    {
        ulong key = Key(root);
        if (!_collided.Contains(key))
        {
            _slots.Remove(key);
        }
    }

    private static ulong Key(in Hash256 root) => BinaryPrimitives.ReadUInt64LittleEndian(root.Bytes);
}
