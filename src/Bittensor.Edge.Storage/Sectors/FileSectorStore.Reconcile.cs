// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Collections;
using System.Diagnostics;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Storage.Interop;
using Bittensor.Edge.Storage.Merkle;
using LiteDB;
using Microsoft.Win32.SafeHandles;

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>Start-up: directories, the index, and the reconcile of §8.</summary>
public sealed partial class FileSectorStore
{
    private void OpenCore()
    {
        long start = Stopwatch.GetTimestamp();
        bool created = !System.IO.Directory.Exists(_directory);
        System.IO.Directory.CreateDirectory(_directory);
        System.IO.Directory.CreateDirectory(_tempDirectory);
        System.IO.Directory.CreateDirectory(_sectorsDirectory);
        if (created)
        {
            Libc.FsyncDirectory(Path.GetDirectoryName(_directory)!);
        }

        Libc.FsyncDirectory(_directory);

        // 1. Unacknowledged writes.
        int tempRemoved = 0;
        foreach (string part in System.IO.Directory.EnumerateFiles(_tempDirectory))
        {
            File.Delete(part);
            tempRemoved++;
        }

        // 4. An index that does not open is moved aside; every file then goes through step 3 and is re-adopted.
        string indexPath = Path.Combine(_directory, IndexFileName);
        bool rebuilt = false;
        try
        {
            _index = SectorIndex.Open(indexPath);
        }
        catch (Exception e) when (e is LiteException or InvalidCastException or InvalidOperationException or IndexOutOfRangeException or ArgumentException or IOException or SectorStoreCorruptException)
        {
            string aside = $"{indexPath}.broken-{_clock.UtcNow.ToUnixTimeMilliseconds()}";
            File.Move(indexPath, aside);
            string log = SectorIndex.LogPath(indexPath);
            if (File.Exists(log))
            {
                File.Move(log, SectorIndex.LogPath(aside));
            }

            _index = SectorIndex.Open(indexPath);
            rebuilt = true;
        }

        _trees = SectorTreeFile.Open(Path.Combine(_directory, TreesFileName));

        // 2. Entries whose file is missing or not exactly one sector long.
        Dictionary<Hash256, long> files = ListSectorFiles(out int orphansRemoved);
        Dictionary<Hash256, int> indexed = _index.AllSlots();
        List<Hash256> lost = [];
        foreach (Hash256 root in indexed.Keys)
        {
            if (!files.TryGetValue(root, out long length) || length != StorageConstants.SectorSize)
            {
                _index.Delete(root, out _);
                lost.Add(root);
            }
        }

        // 2b. Tree records: an entry owns its slot if the record there ends with its root and no other entry claimed
        // it first. Anything else (no slot, a slot past the end, a record of a sector deleted before a crash, an entry
        // from an older index) is rebuilt from the sector file below. Trailing free slots are cut off.
        int slotCount = _trees.SlotCount;
        BitArray used = new(slotCount);
        List<Hash256> repair = [];
        byte[] upper = new byte[StorageConstants.UpperTreeSize];
        foreach ((Hash256 root, int slot) in indexed)
        {
            if (!files.TryGetValue(root, out long length) || length != StorageConstants.SectorSize)
            {
                continue;
            }

            if (slot >= 0 && slot < slotCount && !used[slot] && _trees.TryRead(slot, upper)
                && upper.AsSpan(SectorTreeFile.RootOffset).SequenceEqual(root.Bytes))
            {
                used[slot] = true;
            }
            else
            {
                repair.Add(root);
            }
        }

        // 3a. What the tree records remember of puts whose entries never committed (acknowledged, then the process
        // died before the batched index commit): read before free slots are cut off or reused below.
        Dictionary<Hash256, RecordMeta> remembered = RememberedPuts(files, indexed, used, slotCount);

        int end = slotCount;
        while (end > 0 && !used[end - 1])
        {
            end--;
        }

        if (end < slotCount)
        {
            _trees.Truncate(end);
        }

        _slotEnd = end;
        for (int slot = end - 1; slot >= 0; slot--)
        {
            if (!used[slot])
            {
                _freeSlots.Push(slot);
            }
        }

        int treesRebuilt = 0;
        foreach (Hash256 root in repair)
        {
            string path = SectorPath(root);
            if (RehashFile(path, upper) is Hash256 actual && actual == root)
            {
                int slot = AllocateSlot();
                _trees.Write(slot, upper);
                _index.SetSlot(root, slot);
                indexed[root] = slot;
                treesRebuilt++;
            }
            else
            {
                // The data no longer hashes to its name: as the scrub would, drop it and report it lost.
                _index.Delete(root, out _);
                File.Delete(path);
                lost.Add(root);
            }
        }

        // 3. Files without an entry: durable but not yet acknowledged when the process died, or junk.
        List<Hash256> adopted = [];
        List<(Hash256 Root, int Slot)> adoptedSlots = [];
        foreach ((Hash256 root, long length) in files)
        {
            if (indexed.ContainsKey(root) && length == StorageConstants.SectorSize)
            {
                continue;
            }

            string path = SectorPath(root);
            if (length == StorageConstants.SectorSize && RehashFile(path, upper) is Hash256 actual && actual == root)
            {
                // An acknowledged put keeps its expiry and store time; a file renamed just before a crash (never
                // acknowledged) has no record naming it and never expires until it is put again.
                RecordMeta meta = remembered.TryGetValue(root, out RecordMeta m) ? m : new RecordMeta(ulong.MaxValue, _clock.UtcNow.ToUnixTimeMilliseconds());
                int slot = AllocateSlot();
                _trees.Write(slot, upper, meta);
                _index.Upsert(new SectorInfo(root, DateTimeOffset.FromUnixTimeMilliseconds(meta.StoredAtUnixMs), meta.ExpiresAtBlock, null), slot);
                adoptedSlots.Add((root, slot));
                adopted.Add(root);
            }
            else if (!indexed.ContainsKey(root))
            {
                File.Delete(path);
                orphansRemoved++;
            }
            else
            {
                // Indexed but the wrong length: already reported lost above; remove the remains.
                File.Delete(path);
            }
        }

        _count = _index.Count();

        // The in-memory root → slot map, from what the index now holds (the entries dropped as lost are gone).
        foreach (Hash256 root in lost)
        {
            indexed.Remove(root);
        }

        _slots = new SectorSlotMap(indexed.Count + adoptedSlots.Count);
        foreach ((Hash256 root, int slot) in indexed)
        {
            _slots.Add(root, slot);
        }

        foreach ((Hash256 root, int slot) in adoptedSlots)
        {
            _slots.Add(root, slot);
        }

        // The scans above filled LiteDB's page cache with every entry; lookups from here on need only a few pages.
        _index.DropCache();
        lost.Sort();
        adopted.Sort();
        LastReconcile = new ReconcileReport(tempRemoved, lost, adopted, orphansRemoved, rebuilt, Stopwatch.GetElapsedTime(start))
        {
            TreesRebuilt = treesRebuilt,
        };
    }

    /// <summary>
    /// Expiry and store time of each unindexed sector file, from the newest record at a slot no entry owns that names its
    /// root (<see cref="SectorTreeFile"/>); empty, without reading trees.dat, when every file is indexed.
    /// </summary>
    private Dictionary<Hash256, RecordMeta> RememberedPuts(Dictionary<Hash256, long> files, Dictionary<Hash256, int> indexed, BitArray used, int slotCount)
    {
        Dictionary<Hash256, RecordMeta> remembered = [];
        if (files.Keys.All(indexed.ContainsKey))
        {
            return remembered;
        }

        for (int slot = 0; slot < slotCount; slot++)
        {
            if (!used[slot] && _trees.TryReadMeta(slot, out Hash256 root, out RecordMeta meta)
                && files.ContainsKey(root) && !indexed.ContainsKey(root)
                && (!remembered.TryGetValue(root, out RecordMeta seen) || meta.StoredAtUnixMs > seen.StoredAtUnixMs))
            {
                remembered[root] = meta;
            }
        }

        return remembered;
    }

    /// <summary>Every well-named sector file with its length; files with any other name are deleted and counted.</summary>
    private Dictionary<Hash256, long> ListSectorFiles(out int removed)
    {
        removed = 0;
        Dictionary<Hash256, long> files = [];
        DirectoryInfo sectors = new(_sectorsDirectory);
        foreach (DirectoryInfo bucket in sectors.EnumerateDirectories())
        {
            foreach (FileInfo file in bucket.EnumerateFiles())
            {
                if (file.Name.Length == 2 * Hash256.Size
                    && Hash256.TryParse(file.Name, out Hash256 root)
                    && root.ToString("x", null) == file.Name
                    && string.Equals(bucket.Name, file.Name.Substring(0, 2), StringComparison.Ordinal))
                {
                    files[root] = file.Length;
                }
                else
                {
                    file.Delete();
                    removed++;
                }
            }
        }

        return files;
    }

    /// <summary>
    /// The root of a sector file, or <see langword="null"/> when it is not exactly one sector long or vanished; writes the
    /// upper tree (4 064 bytes) to <paramref name="upper"/> when given.
    /// </summary>
    private static Hash256? RehashFile(string path, Span<byte> upper = default)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StorageConstants.SectorSize);
        try
        {
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }

            using (handle)
            {
                if (RandomAccess.GetLength(handle) != StorageConstants.SectorSize)
                {
                    return null;
                }

                Span<byte> sector = buffer.AsSpan(0, StorageConstants.SectorSize);
                int total = 0;
                while (total < sector.Length)
                {
                    int read = RandomAccess.Read(handle, sector.Slice(total), total);
                    if (read == 0)
                    {
                        return null;
                    }

                    total += read;
                }

                return upper.IsEmpty ? SectorTree.ComputeRoot(sector) : SectorTree.ComputeUpperTree(sector, upper);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
