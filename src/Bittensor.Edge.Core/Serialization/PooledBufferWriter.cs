// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;

namespace Bittensor.Edge.Core.Serialization;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>.
/// </summary>
/// <remarks>
/// Dispose it to return the buffer. With <c>clearOnReturn</c> every buffer it gives back (on growth and on
/// dispose) is zeroed first, for secrets. Spans from <see cref="WrittenSpan"/> and <see cref="GetSpan"/>
/// are valid until the next write, <see cref="Clear"/> or <see cref="Dispose"/>. Not thread-safe.
/// </remarks>
public sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly bool _clearOnReturn;
    private byte[] _buffer;
    private int _written;

    /// <summary>Rents a first buffer of at least <paramref name="initialCapacity"/> bytes.</summary>
    /// <param name="initialCapacity">Bytes to reserve up front.</param>
    /// <param name="clearOnReturn">Zero every buffer before returning it to the pool (for secrets).</param>
    public PooledBufferWriter(int initialCapacity = 256, bool clearOnReturn = false)
    {
        if (initialCapacity < 1)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(initialCapacity), initialCapacity, "The capacity must be positive.");
        }

        _clearOnReturn = clearOnReturn;
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => Buffer.AsSpan(0, _written);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => Buffer.AsMemory(0, _written);

    /// <summary>How many bytes have been written.</summary>
    public int WrittenCount => _written;

    private byte[] Buffer
    {
        get
        {
            if (_buffer.Length == 0)
            {
                ThrowHelper.ThrowObjectDisposed(nameof(PooledBufferWriter));
            }

            return _buffer;
        }
    }

    /// <summary>A new array holding the written bytes.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>Forgets the written bytes (zeroing them with <c>clearOnReturn</c>) and keeps the buffer.</summary>
    public void Clear()
    {
        if (_clearOnReturn)
        {
            Buffer.AsSpan(0, _written).Clear();
        }

        _written = 0;
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        if (count < 0 || _written + count > Buffer.Length)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(count), count, "Advanced past the span that was handed out.");
        }

        _written += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Returns the buffer to the pool (zeroed with <c>clearOnReturn</c>).</summary>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        if (buffer.Length == 0)
        {
            return;
        }

        _buffer = [];
        _written = 0;
        ArrayPool<byte>.Shared.Return(buffer, _clearOnReturn);
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(sizeHint), sizeHint, "The size hint cannot be negative.");
        }

        byte[] buffer = Buffer;
        int needed = Math.Max(sizeHint, 1);
        if (buffer.Length - _written >= needed)
        {
            return;
        }

        long wanted = Math.Max((long)buffer.Length * 2, (long)_written + needed);
        if (wanted > Array.MaxLength)
        {
            wanted = (long)_written + needed;
            if (wanted > Array.MaxLength)
            {
                ThrowHelper.ThrowInvalidOperation("The buffer cannot grow past the largest array size.");
            }
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent((int)wanted);
        buffer.AsSpan(0, _written).CopyTo(larger);
        _buffer = larger;
        ArrayPool<byte>.Shared.Return(buffer, _clearOnReturn);
    }
}
