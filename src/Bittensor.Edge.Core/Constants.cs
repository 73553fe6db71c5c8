// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Core;

/// <summary>Sizes and limits shared by the Core types (specs/protocol.md §1 and §5).</summary>
public static class Constants
{
    /// <summary>SS58 address prefix of every Bittensor.Edge address (the generic Substrate prefix 42).</summary>
    public const byte Ss58Prefix = 42;

    /// <summary>Bytes in an Ed25519 public key.</summary>
    public const int PublicKeySize = 32;

    /// <summary>Bytes in an Ed25519 private key seed.</summary>
    public const int SeedSize = 32;

    /// <summary>Bytes in an Ed25519 signature.</summary>
    public const int SignatureSize = 64;

    /// <summary>Bytes in a BLAKE2b-256 or SHA-256 hash.</summary>
    public const int Hash256Size = 32;

    /// <summary>Bytes in a BLAKE2b-512 hash.</summary>
    public const int Hash512Size = 64;
}
