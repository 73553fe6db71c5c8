// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Storage.Proofs;

/// <summary>The outcome of checking one leaf proof or a whole challenge response.</summary>
public enum ProofStatus
{
    /// <summary>The proof hashes up to the recorded root.</summary>
    Valid = 0,

    /// <summary>The data is missing or not 4 096 bytes, or the path is missing or not 320 bytes.</summary>
    Malformed,

    /// <summary>The requested leaf index is outside 0..1023.</summary>
    LeafOutOfRange,

    /// <summary>The proof names a different root or leaf than the item it answers.</summary>
    ItemMismatch,

    /// <summary>The proof is well formed but does not hash to the recorded root.</summary>
    RootMismatch,

    /// <summary>The response has a different number of proofs than the challenge has items.</summary>
    WrongItemCount,
}
