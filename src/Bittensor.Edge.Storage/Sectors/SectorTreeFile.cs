// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using Bittensor.Edge.Core.Crypto;
using Microsoft.Win32.SafeHandles;

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>
/// <c>trees.dat</c> of a <see cref="FileSectorStore"/>: one fixed 4 KiB record per stored sector, at the slot number its
/// index entry names, holding the sector's upper tree (levels 4 to 10).
/// </summary>
/// <remarks>
/// <para><b>Record layout</b> (record <c>s</c> starts at byte <c>s × 4 096</c>):</para>
/// <list type="table">
/// <item><term>0..2 047</term><description>the 64 level-4 nodes (the spec's level-4 cache, §1)</description></item>
/// <item><term>2 048..4 031</term><description>levels 5 to 9 (32 + 16 + 8 + 4 + 2 nodes), derived from level 4</description></item>
/// <item><term>4 032..4 063</term><description>level 10, the root: a record belongs to an entry only if this equals the entry's root</description></item>
/// <item><term>4 064..4 071</term><description>the put's <c>expiresAtBlock</c> (uint64 LE)</description></item>
/// <item><term>4 072..4 079</term><description>the put's store time, unix ms (int64 LE)</description></item>
/// <item><term>4 080..4 083</term><description><see cref="MetaMagic"/> when the two fields above are set, else zero</description></item>
/// <item><term>4 084..4 095</term><description>zero (reserved)</description></item>
/// </list>
/// <para>The metadata makes a put durable before its index entry is: a put is acknowledged once the file and this record
/// are on disk, and the index entry follows in a batch (<see cref="FileSectorStore"/>). If the process dies before that
/// batch commits, reconcile adopts the file and takes its expiry and store time from the record that names it.</para>
/// <para><b>Why a file and not LiteDB.</b> Kept in LiteDB, 2 KiB per sector made a 1M-sector index 2 GiB and its pages
/// crowded LiteDB's unbounded page cache. Here a proof reads its record with one <c>pread</c>, nothing stays in memory,
/// and the index entry carries a 4-byte slot. Records are one 4 KiB block each, so a torn write never spans two
/// sectors' records, and the upper levels are stored (not rebuilt per challenge) because they fit in the same block.</para>
/// <para><b>Crash safety.</b> A put writes and fsyncs the record <i>before</i> the index commit that names its slot;
/// a delete commits the index first and frees the slot after. A slot named by no entry is free, so a crash in between
/// only leaks a slot until the next open. Reconcile checks that every entry's record ends with the entry's root and
/// rebuilds the record from the sector file otherwise; the prover checks each returned path against the root.</para>
/// <para>Thread-safe for concurrent reads and writes of different slots (positional I/O); slot allocation is the
/// store's job. Dispose closes the file.</para>
/// </remarks>
internal sealed class SectorTreeFile : IDisposable
{
    /// <summary>Bytes per record: one 4 KiB block.</summary>
    public const int RecordSize = 4096;

    /// <summary>Offset of the root inside a record.</summary>
    public const int RootOffset = StorageConstants.UpperTreeSize - StorageConstants.NodeSize;

    /// <summary>Offset of the metadata (expiry, store time, magic) after the upper tree.</summary>
    public const int MetaOffset = StorageConstants.UpperTreeSize;

    /// <summary>Marks a record whose metadata is set: "BTEM" little-endian.</summary>
    public const uint MetaMagic = 0x4D455442;

    private const int TailSize = StorageConstants.NodeSize + 20;

    private readonly SafeFileHandle _handle;

    private SectorTreeFile(SafeFileHandle handle) => _handle = handle;

    /// <summary>Opens or creates the file.</summary>
    public static SectorTreeFile Open(string path) =>
        new(File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read));

    /// <summary>Whole records in the file (a torn tail record is not counted).</summary>
    public int SlotCount => (int)Math.Min(int.MaxValue, RandomAccess.GetLength(_handle) / RecordSize);

    /// <summary>Writes the 4 064-byte upper tree into <paramref name="slot"/> without metadata and fsyncs the file.</summary>
    public void Write(int slot, ReadOnlySpan<byte> upper) => Write(slot, upper, null);

    /// <summary>
    /// Writes the 4 064-byte upper tree into <paramref name="slot"/>, with the put's expiry and store time when
    /// <paramref name="meta"/> is given, and fsyncs the file.
    /// </summary>
    public void Write(int slot, ReadOnlySpan<byte> upper, RecordMeta? meta)
    {
        if (upper.Length != StorageConstants.UpperTreeSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(upper), StorageConstants.UpperTreeSize, upper.Length);
        }

        Span<byte> record = stackalloc byte[RecordSize];
        upper.CopyTo(record);
        record.Slice(MetaOffset).Clear();
        if (meta is RecordMeta m)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(record.Slice(MetaOffset), m.ExpiresAtBlock);
            BinaryPrimitives.WriteInt64LittleEndian(record.Slice(MetaOffset + 8), m.StoredAtUnixMs);
            BinaryPrimitives.WriteUInt32LittleEndian(record.Slice(MetaOffset + 16), MetaMagic);
        }

        RandomAccess.Write(_handle, record, Offset(slot));
        RandomAccess.FlushToDisk(_handle);
    }

    /// <summary>
    /// Reads the root and metadata of <paramref name="slot"/>'s record; <see langword="false"/> when the slot lies past
    /// the end of the file or its record carries no metadata.
    /// </summary>
    public bool TryReadMeta(int slot, out Hash256 root, out RecordMeta meta)
    {
        Span<byte> tail = stackalloc byte[TailSize];
        root = default;
        meta = default;
        if (slot < 0 || RandomAccess.Read(_handle, tail, Offset(slot) + RootOffset) != TailSize
            || BinaryPrimitives.ReadUInt32LittleEndian(tail.Slice(StorageConstants.NodeSize + 16)) != MetaMagic)
        {
            return false;
        }

        root = new Hash256(tail.Slice(0, StorageConstants.NodeSize));
        meta = new RecordMeta(
            BinaryPrimitives.ReadUInt64LittleEndian(tail.Slice(StorageConstants.NodeSize)),
            BinaryPrimitives.ReadInt64LittleEndian(tail.Slice(StorageConstants.NodeSize + 8)));
        return true;
    }

    /// <summary>
    /// Reads the upper tree of <paramref name="slot"/> into <paramref name="upper"/> (4 064 bytes); <see langword="false"/>
    /// when the slot lies past the end of the file.
    /// </summary>
    public bool TryRead(int slot, Span<byte> upper)
    {
        if (upper.Length != StorageConstants.UpperTreeSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(upper), StorageConstants.UpperTreeSize, upper.Length);
        }

        if (slot < 0)
        {
            return false;
        }

        long offset = Offset(slot);
        int total = 0;
        while (total < upper.Length)
        {
            int read = RandomAccess.Read(_handle, upper.Slice(total), offset + total);
            if (read == 0)
            {
                return false;
            }

            total += read;
        }

        return true;
    }

    /// <summary>
    /// Reads only the root stored at the end of <paramref name="slot"/>'s record (32 bytes); <see langword="false"/> when
    /// the slot lies past the end of the file.
    /// </summary>
    public bool TryReadRoot(int slot, Span<byte> root)
    {
        if (root.Length != StorageConstants.NodeSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(root), StorageConstants.NodeSize, root.Length);
        }

        return slot >= 0 && RandomAccess.Read(_handle, root, Offset(slot) + RootOffset) == StorageConstants.NodeSize;
    }

    /// <summary>Cuts the file to <paramref name="slots"/> records (free slots at the end) and fsyncs it.</summary>
    public void Truncate(int slots)
    {
        RandomAccess.SetLength(_handle, Offset(slots));
        RandomAccess.FlushToDisk(_handle);
    }

    public void Dispose() => _handle.Dispose();

    private static long Offset(int slot) => (long)slot * RecordSize;
}

/// <summary>What a tree record remembers of its put, for adopting a sector whose index entry never committed.</summary>
/// <param name="ExpiresAtBlock">The put's expiry block.</param>
/// <param name="StoredAtUnixMs">When the put was acknowledged, unix ms.</param>
internal readonly record struct RecordMeta(ulong ExpiresAtBlock, long StoredAtUnixMs);
