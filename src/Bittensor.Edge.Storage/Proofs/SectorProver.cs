// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Storage.Interop;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Sectors;
using Microsoft.Win32.SafeHandles;

namespace Bittensor.Edge.Storage.Proofs;

/// <summary>
/// Answers challenge items from an <see cref="ISectorStore"/> (specs/storage-proofs.md §5, "Prover"): for each item,
/// one 64 KiB read of the leaf's group, 16 leaf hashes and 15 node hashes for path levels 0–3, and path levels 4–9
/// copied from the sector's stored upper tree (<see cref="ISectorStore.TryGetUpperTree"/>, read once per sector per call).
/// </summary>
/// <remarks>
/// <para>Before answering, the prover hashes each item's level-4 node up through the six stored siblings (6 node hashes)
/// and compares the result with the root, exactly as the verifier will; a mismatch (rotted data or a rotted tree record)
/// is <see cref="ProveStatus.Corrupt"/> rather than a proof that the verifier would reject as forged.</para>
/// <para>With a <see cref="FileSectorStore"/>, <see cref="Prove(ReadOnlySpan{SectorLeaf}, out SectorLeafProof?[])"/> first looks up every sector's tree record and opens each
/// sector file once, and hints every item's 64 KiB span to the kernel (<c>posix_fadvise(WILLNEED)</c>), so that on a cold
/// page cache the device serves all reads concurrently while the items hash in order on the calling thread. Files stay
/// open for the call only.</para>
/// <para>An instance holds scratch buffers and per-call caches: it is not thread-safe. Use one per thread (they are
/// cheap); <see cref="Dispose"/> returns the pooled buffers.</para>
/// </remarks>
public sealed class SectorProver : IDisposable
{
    private readonly ISectorStore _store;
    private readonly byte[] _group;
    private readonly Dictionary<Hash256, byte[]> _upperTrees = [];
    private readonly Dictionary<Hash256, SafeFileHandle?> _handles = [];
    private readonly FileSectorStore? _files;
    private bool _disposed;

    /// <summary>A prover reading from <paramref name="store"/>, which the caller keeps owning.</summary>
    public SectorProver(ISectorStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _files = store as FileSectorStore;
        _group = ArrayPool<byte>.Shared.Rent(StorageConstants.GroupSize);
    }

    /// <summary>
    /// Proves every item, in order. The upper trees built for this call are dropped at its end, as the spec keeps them
    /// only for the duration of a challenge.
    /// </summary>
    /// <param name="items">The challenged items.</param>
    /// <param name="proofs">One proof per item, or <see langword="null"/> where the status is not <see cref="ProveStatus.Proved"/>.</param>
    /// <returns><see cref="ProveStatus.Proved"/> when every item was proved; otherwise the first failure.</returns>
    public ProveStatus Prove(ReadOnlySpan<SectorLeaf> items, out SectorLeafProof?[] proofs) => Prove(items, out proofs, []);

    /// <summary>
    /// Proves every item, in order, and records each item's own status in <paramref name="statuses"/> (empty, or one
    /// per item), so a caller can retry only the items this store could not prove (the gateway's other replica).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="statuses"/> is neither empty nor one per item.</exception>
    public ProveStatus Prove(ReadOnlySpan<SectorLeaf> items, out SectorLeafProof?[] proofs, Span<ProveStatus> statuses)
    {
        ThrowIfDisposed();
        if (!statuses.IsEmpty && statuses.Length != items.Length)
        {
            ThrowHelper.ThrowArgumentLength(nameof(statuses), items.Length, statuses.Length);
        }

        proofs = new SectorLeafProof?[items.Length];
        ProveStatus first = ProveStatus.Proved;
        try
        {
            // First every sector's upper tree and file, and a read-ahead hint for every item's 64 KiB span, so a cold
            // device fetches all spans concurrently while the items below hash one after another.
            if (_files is not null)
            {
                foreach (SectorLeaf item in items)
                {
                    if (item.IsLeafInRange && GetUpperTree(item.Root, out _) == ProveStatus.Proved && Handle(item.Root) is SafeFileHandle handle)
                    {
                        Libc.PrefetchRange(handle, (long)(item.Leaf / StorageConstants.LeavesPerGroup) * StorageConstants.GroupSize, StorageConstants.GroupSize);
                    }
                }
            }

            for (int i = 0; i < items.Length; i++)
            {
                byte[] data = new byte[StorageConstants.LeafSize];
                byte[] path = new byte[StorageConstants.PathSize];
                ProveStatus status = ProveLeaf(items[i], data, path);
                if (!statuses.IsEmpty)
                {
                    statuses[i] = status;
                }

                if (status == ProveStatus.Proved)
                {
                    proofs[i] = new SectorLeafProof(items[i].Root, items[i].Leaf, data, path);
                }
                else if (first == ProveStatus.Proved)
                {
                    first = status;
                }
            }
        }
        finally
        {
            ReleaseUpperTrees();
        }

        return first;
    }

    /// <summary>Proves one leaf into caller buffers: <paramref name="data"/> 4 096 bytes, <paramref name="path"/> 320 bytes.</summary>
    /// <remarks>The sector's upper tree (and file handle) stay cached in this instance until the next <see cref="Prove(ReadOnlySpan{SectorLeaf}, out SectorLeafProof?[])"/> or <see cref="Dispose"/>.</remarks>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    public ProveStatus ProveLeaf(in SectorLeaf item, Span<byte> data, Span<byte> path)
    {
        ThrowIfDisposed();
        if (data.Length != StorageConstants.LeafSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(data), StorageConstants.LeafSize, data.Length);
        }

        if (path.Length != StorageConstants.PathSize)
        {
            ThrowHelper.ThrowArgumentLength(nameof(path), StorageConstants.PathSize, path.Length);
        }

        if (!item.IsLeafInRange)
        {
            return ProveStatus.LeafOutOfRange;
        }

        ProveStatus upperStatus = GetUpperTree(item.Root, out byte[]? upper);
        if (upperStatus != ProveStatus.Proved)
        {
            return upperStatus;
        }

        int group = item.Leaf / StorageConstants.LeavesPerGroup;
        int leafInGroup = item.Leaf % StorageConstants.LeavesPerGroup;
        Span<byte> groupBytes = _group.AsSpan(0, StorageConstants.GroupSize);
        if (!ReadGroup(item.Root, group, groupBytes))
        {
            return ProveStatus.MissingSector;
        }

        Span<byte> node = stackalloc byte[StorageConstants.NodeSize];
        SectorTree.HashGroupCore(groupBytes, node, path.Slice(0, StorageConstants.CachedLevel * StorageConstants.NodeSize), leafInGroup);

        int index = group;
        for (int level = StorageConstants.CachedLevel; level < StorageConstants.TreeDepth; level++)
        {
            Span<byte> sibling = path.Slice(level * StorageConstants.NodeSize, StorageConstants.NodeSize);
            upper.AsSpan(SectorTree.UpperNodeOffset(level, index ^ 1), StorageConstants.NodeSize).CopyTo(sibling);
            if ((index & 1) == 0)
            {
                SectorTree.HashNodeCore(node, sibling, node);
            }
            else
            {
                SectorTree.HashNodeCore(sibling, node, node);
            }

            index >>= 1;
        }

        if (!node.SequenceEqual(item.Root.Bytes))
        {
            return ProveStatus.Corrupt;
        }

        groupBytes.Slice(leafInGroup * StorageConstants.LeafSize, StorageConstants.LeafSize).CopyTo(data);
        return ProveStatus.Proved;
    }

    /// <summary>Returns the pooled buffers. The store is not disposed.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ReleaseUpperTrees();
        ArrayPool<byte>.Shared.Return(_group);
    }

    /// <summary>One 64 KiB read: through the sector's cached file handle for a file store, else the store's TryRead.</summary>
    private bool ReadGroup(in Hash256 root, int group, Span<byte> destination)
    {
        long offset = (long)group * StorageConstants.GroupSize;
        if (_files is null)
        {
            return _store.TryRead(root, offset, destination);
        }

        if (Handle(root) is not SafeFileHandle handle)
        {
            return false;
        }

        int total = 0;
        while (total < destination.Length)
        {
            int read = RandomAccess.Read(handle, destination.Slice(total), offset + total);
            if (read == 0)
            {
                return false;
            }

            total += read;
        }

        return true;
    }

    private SafeFileHandle? Handle(in Hash256 root)
    {
        if (!_handles.TryGetValue(root, out SafeFileHandle? handle))
        {
            handle = _files!.TryOpenSector(root);
            _handles[root] = handle;
        }

        return handle;
    }

    private ProveStatus GetUpperTree(in Hash256 root, out byte[]? upper)
    {
        if (_upperTrees.TryGetValue(root, out upper))
        {
            return ProveStatus.Proved;
        }

        byte[] tree = ArrayPool<byte>.Shared.Rent(SectorTree.UpperTreeSize);
        if (!_store.TryGetUpperTree(root, tree.AsSpan(0, SectorTree.UpperTreeSize)))
        {
            ArrayPool<byte>.Shared.Return(tree);
            return ProveStatus.MissingSector;
        }

        if (!tree.AsSpan(SectorTree.UpperTreeSize - StorageConstants.NodeSize, StorageConstants.NodeSize).SequenceEqual(root.Bytes))
        {
            ArrayPool<byte>.Shared.Return(tree);
            return ProveStatus.Corrupt;
        }

        _upperTrees[root] = tree;
        upper = tree;
        return ProveStatus.Proved;
    }

    private void ReleaseUpperTrees()
    {
        foreach (byte[] tree in _upperTrees.Values)
        {
            ArrayPool<byte>.Shared.Return(tree);
        }

        _upperTrees.Clear();
        foreach (SafeFileHandle? handle in _handles.Values)
        {
            handle?.Dispose();
        }

        _handles.Clear();
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SectorProver));
        }
    }
}
