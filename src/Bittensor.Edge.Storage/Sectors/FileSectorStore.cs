// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Storage.Interop;
using Bittensor.Edge.Storage.Merkle;
using Microsoft.Win32.SafeHandles;

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>
/// The device store (specs/storage-proofs.md §8): one file per sector under <c>sectors/&lt;first 2 hex&gt;/&lt;root hex&gt;</c>,
/// written through <c>tmp/</c>, a LiteDB index <c>index.db</c> with one small entry per sector, and <c>trees.dat</c>
/// with each sector's levels 4–10 in a fixed 4 KiB record whose slot the entry names (<see cref="SectorTreeFile"/>).
/// </summary>
/// <remarks>
/// <para><b>Write path</b> (nothing is acknowledged before step 5): 1. hash the sector and reject a root mismatch;
/// 2. meanwhile, on one pool thread, check the free space, write <c>tmp/&lt;root&gt;.&lt;random&gt;.part</c>
/// (<see cref="FileMode.CreateNew"/>) in 1 MiB writes and fsync it; 3. rename it into <c>sectors/xx/</c> and fsync that
/// directory (and <c>sectors/</c> when <c>xx</c> is new); 4. write the tree record, with the put's expiry and store
/// time, into a free slot of <c>trees.dat</c> and fsync it; 5. return <see cref="PutStatus.Stored"/>. The index entry
/// naming the slot is committed in the background <see cref="IndexCommitDelay"/> later, batched with other puts' entries
/// (one LiteDB transaction costs 150–400 µs here, a tenth of a put): the sector is durable without it, since a store that dies
/// first finds the file at its next open and adopts it with the record's expiry. Every read of the index first commits
/// the entries still pending, so callers never see the lag.</para>
/// <para><b>Delete</b> commits the index delete first, then frees the slot and unlinks. <b>Reads</b> use <see cref="RandomAccess"/> on
/// the file, never the index.</para>
/// <para><b>Start-up</b>: <see cref="Open"/> reconciles the index with the files before returning (see
/// <see cref="ReconcileReport"/>), so a store killed at any moment reopens with every acknowledged sector.</para>
/// <para>Thread-safe: puts of different sectors hash and write in parallel; the quota is reserved under a lock before
/// writing, so concurrent puts never exceed it. Dispose closes the index; the files stay.</para>
/// </remarks>
public sealed partial class FileSectorStore : ISectorStore
{
    private const string TempDirectoryName = "tmp";
    private const string SectorsDirectoryName = "sectors";
    private const string IndexFileName = "index.db";
    private const string TreesFileName = "trees.dat";
    private const string PartExtension = ".part";

    /// <summary>
    /// How long acknowledged entries wait for their batched index commit. One LiteDB transaction costs 150–400 µs here
    /// whatever it holds, and it runs on the core the next put's writer needs; gathering ≈ 7 back-to-back puts per commit
    /// keeps it under 1 % of sustained ingest. Readers never wait for it (they commit what is pending first).
    /// </summary>
    internal static readonly TimeSpan IndexCommitDelay = TimeSpan.FromMilliseconds(20);

    private readonly Lock _lock = new();
    private readonly Lock _flushLock = new();
    private readonly Dictionary<Hash256, (SectorInfo Info, int Slot)> _pending = [];
    private readonly IClock _clock;
    private readonly string _directory;
    private readonly string _tempDirectory;
    private readonly string _sectorsDirectory;
    private readonly long _quotaSectors;
    private readonly double _reserveFraction;
    private readonly Stack<int> _freeSlots = new();
    private SectorSlotMap _slots = new();
    private SectorIndex _index;
    private SectorTreeFile _trees;
    private int _slotEnd;
    private long _count;
    private long _reserved;
    private int _flushScheduled;
    private bool _disposed;

    private FileSectorStore(SectorStoreOptions options, IClock clock)
    {
        _clock = clock;
        _directory = Path.GetFullPath(options.Directory);
        _tempDirectory = Path.Combine(_directory, TempDirectoryName);
        _sectorsDirectory = Path.Combine(_directory, SectorsDirectoryName);
        _quotaSectors = options.QuotaSectors;
        _reserveFraction = options.ReserveFraction;
        _index = null!;
        _trees = null!;
        FreeSpace = DefaultFreeSpace;
    }

    /// <summary>The store's directory.</summary>
    public string Directory => _directory;

    /// <summary>Fraction of the file system that puts leave free (<see cref="SectorStoreOptions.ReserveFraction"/>).</summary>
    public double ReserveFraction => _reserveFraction;

    /// <summary>What the last <see cref="Open"/> found and repaired.</summary>
    public ReconcileReport LastReconcile { get; private set; } = ReconcileReport.Empty;

    /// <summary>Free and total bytes of the file system under the store; tests replace it to simulate a full disk.</summary>
    internal Func<string, (long Available, long Total)> FreeSpace { get; set; }

    /// <inheritdoc/>
    public StoreUsage Usage
    {
        get
        {
            lock (_lock)
            {
                ThrowIfDisposed();
                return new StoreUsage(_count, _quotaSectors);
            }
        }
    }

    /// <summary>
    /// Opens (creating if needed) the store in <see cref="SectorStoreOptions.Directory"/> and reconciles it:
    /// leftover <c>.part</c> files are deleted, index entries without a whole file are dropped and reported lost, files
    /// without an entry are rehashed and indexed (or deleted when the name is wrong), and an index that fails to open is
    /// moved aside and rebuilt from the files. The result is in <see cref="LastReconcile"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="IOException">The directory cannot be used.</exception>
    public static FileSectorStore Open(SectorStoreOptions options, IClock clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        if (options.Validate() is string error)
        {
            ThrowHelper.ThrowArgument(nameof(options), error);
        }

        if (string.IsNullOrEmpty(options.Directory))
        {
            ThrowHelper.ThrowArgument(nameof(options), "storage.directory is required for a file store.");
        }

        FileSectorStore store = new(options, clock);
        try
        {
            store.OpenCore();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public PutStatus Put(in Hash256 root, ReadOnlySpan<byte> sector, ulong expiresAtBlock)
    {
        if (sector.Length != StorageConstants.SectorSize)
        {
            return PutStatus.WrongSize;
        }

        bool stored;
        lock (_lock)
        {
            ThrowIfDisposed();
            stored = ContainsCore(root);
            if (!stored)
            {
                if (_count + _reserved >= _quotaSectors)
                {
                    return PutStatus.QuotaExceeded;
                }

                _reserved++;
            }
        }

        if (stored)
        {
            return PutExisting(root, sector, expiresAtBlock);
        }

        try
        {
            return PutCore(root, sector, expiresAtBlock);
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
            return ContainsCore(root);
        }
    }

    /// <inheritdoc/>
    public bool TryGetInfo(in Hash256 root, out SectorInfo info)
    {
        ThrowIfDisposed();
        FlushIndex();
        return _index.TryGet(root, out info);
    }

    /// <inheritdoc/>
    public bool TryRead(in Hash256 root, long offset, Span<byte> destination)
    {
        SectorRange.Check(offset, destination.Length);
        ThrowIfDisposed();
        SafeFileHandle? handle = TryOpenSector(root);
        if (handle is null)
        {
            return false;
        }

        using (handle)
        {
            int total = 0;
            while (total < destination.Length)
            {
                int read = RandomAccess.Read(handle, destination.Slice(total), offset + total);
                if (read == 0)
                {
                    ThrowHelper.ThrowCorrupt($"The file of sector {root:x} is shorter than {StorageConstants.SectorSize} bytes.");
                }

                total += read;
            }

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

        Span<byte> upper = stackalloc byte[StorageConstants.UpperTreeSize];
        if (!TryGetUpperTree(root, upper))
        {
            return false;
        }

        upper.Slice(0, StorageConstants.Level4Size).CopyTo(destination);
        return true;
    }

    /// <inheritdoc/>
    public bool TryGetUpperTree(in Hash256 root, Span<byte> destination)
    {
        if (destination.Length != StorageConstants.UpperTreeSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(destination), StorageConstants.UpperTreeSize, destination.Length);
        }

        int slot;
        lock (_lock)
        {
            ThrowIfDisposed();
            switch (_slots.Find(root, out slot))
            {
                case SlotLookup.Absent:
                    return false;
                case SlotLookup.AskIndex when !TryGetSlotCore(root, out slot):
                    return false;
            }
        }

        if (!_trees.TryRead(slot, destination))
        {
            return false;
        }

        // A slot freed by a concurrent delete may already hold another sector's record: then the sector is gone. A
        // record that names another root while the entry stays is corruption, which the prover reports.
        if (destination.Slice(SectorTreeFile.RootOffset).SequenceEqual(root.Bytes))
        {
            return true;
        }

        lock (_lock)
        {
            ThrowIfDisposed();
            return _pending.ContainsKey(root) || _index.Contains(root);
        }
    }

    /// <inheritdoc/>
    public bool Delete(in Hash256 root)
    {
        ThrowIfDisposed();
        FlushIndex();
        lock (_lock)
        {
            ThrowIfDisposed();
            if (!_index.Delete(root, out int slot))
            {
                return false;
            }

            _slots.Remove(root);
            FreeSlot(slot);
            _count--;
        }

        File.Delete(SectorPath(root));
        return true;
    }

    /// <inheritdoc/>
    public IReadOnlyList<SectorInfo> List(Hash256? after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ThrowIfDisposed();
        FlushIndex();
        return _index.Page(after, limit);
    }

    /// <inheritdoc/>
    public IReadOnlyList<Hash256> CollectExpired(ulong currentBlock)
    {
        ThrowIfDisposed();
        FlushIndex();
        List<Hash256> expired = _index.ExpiredBefore(currentBlock);
        List<Hash256> deleted = new(expired.Count);
        foreach (Hash256 root in expired)
        {
            if (Delete(root))
            {
                deleted.Add(root);
            }
        }

        deleted.Sort();
        return deleted;
    }

    /// <summary>
    /// Asks the kernel to drop the sector's file from the page cache (<c>posix_fadvise(DONTNEED)</c>, Linux only), so
    /// the next proof reads from the device: the cold case of <c>prove_ms_cold</c>. On tmpfs it has no effect.
    /// </summary>
    /// <returns>Whether the sector exists and the kernel accepted the advice.</returns>
    public bool DropFromPageCache(in Hash256 root)
    {
        ThrowIfDisposed();
        using SafeFileHandle? handle = TryOpenSector(root);
        return handle is not null && Libc.DropPageCache(handle);
    }

    /// <summary>
    /// Rehashes the sector scrubbed longest ago (reads only, §8 "Scrub"). A sector whose data no longer hashes to its
    /// root has rotted: it is deleted and returned with <see cref="ScrubOutcome.Rotted"/>, to be reported lost.
    /// </summary>
    public ScrubOutcome ScrubNext(out Hash256 root)
    {
        ThrowIfDisposed();
        FlushIndex();
        if (_index.LeastRecentlyScrubbed() is not SectorInfo info)
        {
            root = default;
            return ScrubOutcome.Empty;
        }

        root = info.Root;
        byte[] upper = ArrayPool<byte>.Shared.Rent(StorageConstants.UpperTreeSize);
        try
        {
            Span<byte> computed = upper.AsSpan(0, StorageConstants.UpperTreeSize);
            if (RehashFile(SectorPath(root), computed) is Hash256 actual && actual == root)
            {
                // The data is sound; repair its tree record if that rotted instead.
                Span<byte> stored = stackalloc byte[StorageConstants.UpperTreeSize];
                if (_index.TryGetSlot(root, out int slot) && (!_trees.TryRead(slot, stored) || !stored.SequenceEqual(computed)))
                {
                    RewriteTreeRecord(root, slot, computed);
                }

                _index.SetLastScrub(root, _clock.UtcNow);
                return ScrubOutcome.Intact;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(upper);
        }

        Delete(root);
        return ScrubOutcome.Rotted;
    }

    /// <summary>Commits the pending index entries and closes the index. Sector files stay on disk.</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Dispose does not throw; entries that did not commit are durable in trees.dat and adopted at the next open.")]
    public void Dispose()
    {
        lock (_flushLock)
        {
            try
            {
                if (_index is not null)
                {
                    FlushIndex();
                }
            }
            catch (Exception)
            {
            }

            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
            }

            _index?.Dispose();
            _trees?.Dispose();
        }
    }

    /// <summary>Entries waiting for their index commit (tests).</summary>
    internal int PendingIndexEntries
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>The slot of a stored root from the pending entries or the index. Under <see cref="_lock"/>.</summary>
    private bool TryGetSlotCore(in Hash256 root, out int slot)
    {
        if (_pending.TryGetValue(root, out (SectorInfo Info, int Slot) entry))
        {
            slot = entry.Slot;
            return true;
        }

        return _index.TryGetSlot(root, out slot);
    }

    /// <summary>
    /// Whether <paramref name="root"/> is indexed, through the slot map and a 32-byte read of its record; the index only
    /// when the map cannot say. Under <see cref="_lock"/>.
    /// </summary>
    private bool ContainsCore(in Hash256 root)
    {
        switch (_slots.Find(root, out int slot))
        {
            case SlotLookup.Absent:
                return false;
            case SlotLookup.Candidate:
                Span<byte> recorded = stackalloc byte[StorageConstants.NodeSize];
                if (_trees.TryReadRoot(slot, recorded) && recorded.SequenceEqual(root.Bytes))
                {
                    return true;
                }

                break;
        }

        // A collided prefix, or a record that does not name its entry's root (reported as corrupt by the prover).
        return _pending.ContainsKey(root) || _index.Contains(root);
    }

    /// <summary>A put of a sector already stored: the data must still hash to the root; the later expiry wins.</summary>
    private PutStatus PutExisting(in Hash256 root, ReadOnlySpan<byte> sector, ulong expiresAtBlock)
    {
        if (SectorTree.ComputeRoot(sector) != root)
        {
            return PutStatus.RootMismatch;
        }

        FlushIndex();
        lock (_lock)
        {
            ThrowIfDisposed();
            if (_index.TryGet(root, out SectorInfo existing) && expiresAtBlock > existing.ExpiresAtBlock)
            {
                _index.UpdateExpiry(root, expiresAtBlock);
            }
        }

        return PutStatus.AlreadyStored;
    }

    /// <summary>
    /// Steps 1–4 of the write path with the write overlapping the hashing: a thread-pool work item checks the free space,
    /// creates, writes and fsyncs the temp file (and the bucket directory) while this thread hashes the sector's tree
    /// (all hashing stays on this thread). Only when the root matches is the file renamed into place; on a mismatch the
    /// <c>.part</c> file is deleted unrenamed, so nothing reaches <c>sectors/</c> or the index (a crash in between leaves
    /// a <c>.part</c>, which open deletes).
    /// </summary>
    private unsafe PutStatus PutCore(in Hash256 root, ReadOnlySpan<byte> sector, ulong expiresAtBlock)
    {
        string hex = root.ToString("x", null);
        byte[] upperBuffer = ArrayPool<byte>.Shared.Rent(StorageConstants.UpperTreeSize);
        Span<byte> upper = upperBuffer.AsSpan(0, StorageConstants.UpperTreeSize);
        SectorWrite job = new(this, hex);
        bool renamed = false;
        try
        {
            Hash256 actual;
            fixed (byte* data = sector)
            {
                job.Data = (nint)data;
                Task write = Task.Factory.StartNew(
                    static state => ((SectorWrite)state!).Run(),
                    job,
                    CancellationToken.None,
                    TaskCreationOptions.DenyChildAttach,
                    TaskScheduler.Default);
                try
                {
                    actual = SectorTree.ComputeUpperTree(sector, upper);
                }
                finally
                {
                    // The writer reads through a pointer into the pinned span: wait for it before leaving the fixed
                    // block, even when hashing threw. Wait() runs the write inline if no pool thread picked it up.
                    try
                    {
                        write.Wait();
                    }
                    catch (AggregateException e) when (e.InnerExceptions.Count == 1)
                    {
                        job.Error = e.InnerExceptions[0];
                    }
                }
            }

            if (job.BelowReserve || (job.Error is IOException io && IsDiskFull(io)))
            {
                return PutStatus.DiskFull;
            }

            if (actual != root)
            {
                return PutStatus.RootMismatch;
            }

            if (job.Error is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(job.Error);
            }

            File.Move(job.TempPath!, Path.Combine(job.Bucket!, hex), overwrite: true);
            renamed = true;
            Libc.FsyncDirectory(job.Bucket!);
            return Commit(root, upper, expiresAtBlock);
        }
        catch (IOException e) when (!renamed && IsDiskFull(e))
        {
            return PutStatus.DiskFull;
        }
        finally
        {
            if (!renamed && job.TempPath is not null)
            {
                File.Delete(job.TempPath);
            }

            ArrayPool<byte>.Shared.Return(upperBuffer);
        }
    }

    /// <summary>
    /// Step 4: the tree record with the put's metadata (written and fsynced), then the entry naming its slot goes to the
    /// pending batch and the slot map, which is when the sector counts as stored.
    /// </summary>
    private PutStatus Commit(in Hash256 root, ReadOnlySpan<byte> upper, ulong expiresAtBlock)
    {
        int slot;
        lock (_lock)
        {
            ThrowIfDisposed();
            slot = AllocateSlot();
        }

        bool committed = false;
        try
        {
            DateTimeOffset now = _clock.UtcNow;
            _trees.Write(slot, upper, new RecordMeta(expiresAtBlock, now.ToUnixTimeMilliseconds()));
            lock (_lock)
            {
                ThrowIfDisposed();
                if (ContainsCore(root))
                {
                    // A concurrent put of the same sector committed first; the file it renamed holds the same bytes.
                    return PutStatus.Stored;
                }

                _pending[root] = (new SectorInfo(root, now, expiresAtBlock, null), slot);
                _slots.Add(root, slot);
                committed = true;
                _count++;
            }
        }
        finally
        {
            if (!committed)
            {
                lock (_lock)
                {
                    FreeSlot(slot);
                }
            }
        }

        ScheduleIndexFlush();
        return PutStatus.Stored;
    }

    /// <summary>Arms one background <see cref="FlushIndex"/> <see cref="IndexCommitDelay"/> from now, unless one is armed already.</summary>
    private void ScheduleIndexFlush()
    {
        if (Interlocked.Exchange(ref _flushScheduled, 1) == 0)
        {
            _ = _clock.DelayAsync(IndexCommitDelay, CancellationToken.None).ContinueWith(
                static (_, state) => ((FileSectorStore)state!).BackgroundFlush(),
                this,
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A failed background commit leaves the entries pending; the next read of the index commits them again and throws to its caller.")]
    private void BackgroundFlush()
    {
        // Disarmed before the commit takes its batch: a put that adds an entry after this line arms the next commit, and
        // one that added it before is in this batch.
        Volatile.Write(ref _flushScheduled, 0);
        try
        {
            FlushIndex();
        }
        catch (Exception)
        {
        }
    }

    /// <summary>
    /// Commits every pending index entry in one LiteDB transaction. Entries leave <see cref="_pending"/> only after the
    /// commit, so a reader under <see cref="_lock"/> finds each entry in one place or the other. Never call it under
    /// <see cref="_lock"/> (flushes take <see cref="_flushLock"/> first).
    /// </summary>
    private void FlushIndex()
    {
        lock (_flushLock)
        {
            List<(SectorInfo Info, int Slot)> batch;
            lock (_lock)
            {
                if (_pending.Count == 0 || _disposed)
                {
                    return;
                }

                batch = [.. _pending.Values];
            }

            _index.InsertMany(batch, batch.Count);
            lock (_lock)
            {
                foreach ((SectorInfo info, _) in batch)
                {
                    _pending.Remove(info.Root);
                }
            }
        }
    }

    /// <summary>
    /// The pool thread's half of <see cref="PutCore"/>: the free-space check, the temp file (created, written from the
    /// pinned sector in 1 MiB writes, fsynced) and the bucket directory.
    /// </summary>
    private sealed class SectorWrite(FileSectorStore store, string hex)
    {
        /// <summary>The pinned sector (4 MiB), valid while the put waits for <see cref="Run"/>.</summary>
        public nint Data { get; set; }

        /// <summary>The temp file, once created (the put deletes it unless it renamed it).</summary>
        public string? TempPath { get; private set; }

        /// <summary>The bucket directory, once it exists.</summary>
        public string? Bucket { get; private set; }

        /// <summary>The sector would have eaten into the reserve, so nothing was written.</summary>
        public bool BelowReserve { get; private set; }

        /// <summary>What the write threw, if anything.</summary>
        public Exception? Error { get; set; }

        public unsafe void Run()
        {
            (long available, long total) = store.FreeSpace(store._directory);
            if (available - StorageConstants.SectorSize < (long)(total * store._reserveFraction))
            {
                BelowReserve = true;
                return;
            }

            string temp = Path.Combine(store._tempDirectory, $"{hex}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}{PartExtension}");

            // No preallocation: on tmpfs fallocate costs more than it saves (1.3 → 1.15 ms per sector measured), and a
            // sequential 4 MiB write of a new file gets contiguous extents from ext4's delayed allocation anyway.
            using (SafeFileHandle handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None))
            {
                TempPath = temp;
                ReadOnlySpan<byte> sector = new((void*)Data, StorageConstants.SectorSize);
                for (int offset = 0; offset < StorageConstants.SectorSize; offset += StorageConstants.WriteChunkSize)
                {
                    RandomAccess.Write(handle, sector.Slice(offset, StorageConstants.WriteChunkSize), offset);
                }

                RandomAccess.FlushToDisk(handle);
            }

            string bucket = Path.Combine(store._sectorsDirectory, hex.Substring(0, 2));
            if (!System.IO.Directory.Exists(bucket))
            {
                System.IO.Directory.CreateDirectory(bucket);
                Libc.FsyncDirectory(store._sectorsDirectory);
            }

            Bucket = bucket;
        }
    }

    /// <summary>A free tree-file slot, lowest freed first, else a new one at the end. Under <see cref="_lock"/> (or in <see cref="OpenCore"/>).</summary>
    private int AllocateSlot() => _freeSlots.Count > 0 ? _freeSlots.Pop() : _slotEnd++;

    /// <summary>Returns a slot no entry names any more. Under <see cref="_lock"/> (or in <see cref="OpenCore"/>).</summary>
    private void FreeSlot(int slot)
    {
        if (slot >= 0)
        {
            _freeSlots.Push(slot);
        }
    }

    /// <summary>Writes a sector's tree record into a fresh slot and points its entry there, freeing the old slot.</summary>
    private void RewriteTreeRecord(in Hash256 root, int oldSlot, ReadOnlySpan<byte> upper)
    {
        int slot;
        lock (_lock)
        {
            slot = AllocateSlot();
        }

        _trees.Write(slot, upper);
        lock (_lock)
        {
            _index.SetSlot(root, slot);
            _slots.Move(root, slot);
            FreeSlot(oldSlot);
        }
    }

    /// <summary>Opens a sector's file for positional reads (the prover keeps it for one challenge); null when absent.</summary>
    internal SafeFileHandle? TryOpenSector(in Hash256 root)
    {
        try
        {
            return File.OpenHandle(SectorPath(root), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    private string SectorPath(in Hash256 root)
    {
        string hex = root.ToString("x", null);
        return Path.Combine(_sectorsDirectory, hex.Substring(0, 2), hex);
    }

    // ENOSPC is errno 28 on Linux (the HResult .NET gives on Unix); ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.
    private static bool IsDiskFull(IOException e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 112 or 39 : e.HResult == 28;

    private static (long Available, long Total) DefaultFreeSpace(string directory)
    {
        DriveInfo drive = new(directory);
        return (drive.AvailableFreeSpace, drive.TotalSize);
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(FileSectorStore));
        }
    }
}
