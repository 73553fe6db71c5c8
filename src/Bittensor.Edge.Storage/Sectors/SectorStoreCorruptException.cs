// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>The store's files or index are in a state the store never writes (not an expected failure).</summary>
public sealed class SectorStoreCorruptException : Exception
{
    /// <summary>An exception with no message.</summary>
    public SectorStoreCorruptException()
    {
    }

    /// <summary>An exception with <paramref name="message"/>.</summary>
    public SectorStoreCorruptException(string message)
        : base(message)
    {
    }

    /// <summary>An exception with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    public SectorStoreCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
