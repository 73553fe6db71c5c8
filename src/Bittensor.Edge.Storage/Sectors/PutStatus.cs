// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Storage.Sectors;

/// <summary>The outcome of <see cref="ISectorStore.Put"/>. Only <see cref="Stored"/> and <see cref="AlreadyStored"/> may be acknowledged.</summary>
public enum PutStatus
{
    /// <summary>The sector is durable (file fsynced, renamed, directory fsynced, index committed).</summary>
    Stored = 0,

    /// <summary>The sector was already stored; its expiry was raised if the new one is later.</summary>
    AlreadyStored,

    /// <summary>The data is not exactly 4 194 304 bytes; nothing was written.</summary>
    WrongSize,

    /// <summary>The data's root differs from the root given (422 <c>RootMismatch</c>); nothing was written.</summary>
    RootMismatch,

    /// <summary>The store holds its quota of sectors already; nothing was written and nothing stored was lost.</summary>
    QuotaExceeded,

    /// <summary>The file system is full or below its free-space reserve; nothing was written and nothing stored was lost.</summary>
    DiskFull,
}
