// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Serialization;

namespace Bittensor.Edge.Core.Tests.Serialization;

public class PooledBufferWriterTests
{
    [Fact]
    public void Grows_and_keeps_what_was_written()
    {
        using PooledBufferWriter buffer = new(initialCapacity: 4);
        byte[] data = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        foreach (byte b in data)
        {
            buffer.GetSpan(1)[0] = b;
            buffer.Advance(1);
        }

        Assert.Equal(data, buffer.ToArray());
    }

    [Fact]
    public void Clear_forgets_the_bytes_and_Dispose_is_final()
    {
        PooledBufferWriter buffer = new(clearOnReturn: true);
        buffer.GetSpan(3)[..3].Fill(1);
        buffer.Advance(3);
        buffer.Clear();

        Assert.Equal(0, buffer.WrittenCount);
        buffer.Dispose();
        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => buffer.GetSpan());
    }

    [Fact]
    public void Advancing_past_the_span_is_a_bug()
    {
        using PooledBufferWriter buffer = new(initialCapacity: 16);

        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Advance(100_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Advance(-1));
    }
}
