// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Chain.State;

/// <summary>Compares state keys by content: equality, a seeded hash, and byte order (the state root's sort order).</summary>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IComparer<byte[]>
{
    public static ByteArrayComparer Instance { get; } = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    // HashCode is seeded per process, so keys that strangers choose cannot be made to collide.
    public int GetHashCode(byte[] obj)
    {
        HashCode hash = default;
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
