// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>
/// A buffer rented from <see cref="ArrayPool{T}.Shared"/> for the length of one epoch (after Nethermind's
/// <c>ArrayPoolSpan</c>). Dispose exactly once, with <c>using</c>; the struct must not be copied.
/// </summary>
internal readonly struct PooledArray<T> : IDisposable
{
    public PooledArray(int length, bool clear = true)
    {
        Array = ArrayPool<T>.Shared.Rent(Math.Max(length, 1));
        Length = length;
        if (clear)
        {
            System.Array.Clear(Array, 0, length);
        }
    }

    /// <summary>The rented array; at least <see cref="Length"/> long, entries past it are garbage.</summary>
    public T[] Array { get; }

    public int Length { get; }

    public Span<T> Span => Array.AsSpan(0, Length);

    public void Dispose() => ArrayPool<T>.Shared.Return(Array);
}
