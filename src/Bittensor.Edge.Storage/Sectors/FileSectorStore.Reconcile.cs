// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
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

        // 2. Entries whose file is missing or not exactly one sector long.
        Dictionary<Hash256, long> files = ListSectorFiles(out int orphansRemoved);
        HashSet<Hash256> indexed = _index.AllRoots();
        List<Hash256> lost = [];
        foreach (Hash256 root in indexed)
        {
            if (!files.TryGetValue(root, out long length) || length != StorageConstants.SectorSize)
            {
                _index.Delete(root);
                lost.Add(root);
            }
        }

        // 3. Files without an entry: durable but not yet acknowledged when the process died, or junk.
        List<Hash256> adopted = [];
        byte[] level4 = new byte[StorageConstants.Level4Size];
        foreach ((Hash256 root, long length) in files)
        {
            if (indexed.Contains(root) && length == StorageConstants.SectorSize)
            {
                continue;
            }

            string path = SectorPath(root);
            if (length == StorageConstants.SectorSize && RehashFile(path, level4) is Hash256 actual && actual == root)
            {
                _index.Upsert(new SectorInfo(root, _clock.UtcNow, ulong.MaxValue, null), level4);
                adopted.Add(root);
            }
            else if (!indexed.Contains(root))
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
        lost.Sort();
        adopted.Sort();
        LastReconcile = new ReconcileReport(tempRemoved, lost, adopted, orphansRemoved, rebuilt, Stopwatch.GetElapsedTime(start));
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

    /// <summary>The root of a sector file, or <see langword="null"/> when it is not exactly one sector long or vanished.</summary>
    private static Hash256? RehashFile(string path, byte[]? level4 = null)
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

                Span<byte> nodes = level4 ?? stackalloc byte[StorageConstants.Level4Size];
                return SectorTree.ComputeRoot(sector, nodes);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
