// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Chain;

/// <summary>Limits and fixed numbers of the chain (specs/protocol.md §2). Changing any of them is a consensus change.</summary>
public static class ChainConstants
{
    /// <summary>Rao in one TAO.</summary>
    public const ulong RaoPerTao = 1_000_000_000;

    /// <summary>The flat fee of a paid call, burned even when dispatch fails (§2.4).</summary>
    public const ulong TransactionFee = 100_000;

    /// <summary>Rao minted per block and split over the existing subnets (§2.2).</summary>
    public const ulong BlockEmission = RaoPerTao;

    /// <summary>The highest netuid; netuid 0 is reserved (§2.1).</summary>
    public const ushort MaxSubnets = 32;

    /// <summary>The burn price a new subnet starts at: 0.1 TAO (§2.5.2).</summary>
    public const ulong InitialBurn = 100_000_000;

    /// <summary>2^(−1/360) in Q32: the per-block burn decay factor (§2.5.3).</summary>
    public const ulong BurnDecayFactor = 4_286_705_684;

    /// <summary>The default network cost: 10 TAO (§2.9).</summary>
    public const ulong DefaultNetworkCost = 10 * RaoPerTao;

    /// <summary>The default block time in milliseconds (§2.9).</summary>
    public const ulong DefaultBlockTimeMs = 12_000;

    /// <summary>The most unrevealed weight commits a hotkey may hold on one subnet (§2.5.7).</summary>
    public const int MaxUnrevealedCommits = 10;

    /// <summary>Registrations allowed per subnet per block (§2.5.3).</summary>
    public const int MaxRegistrationsPerBlock = 1;

    /// <summary>The largest encoded block body, in bytes (§2.2).</summary>
    public const int MaxBlockBytes = 4 * 1024 * 1024;

    /// <summary>The most transactions in one block (§2.2).</summary>
    public const int MaxBlockTransactions = 2_000;

    /// <summary>The mortality window: a pool accepts <c>best+1 ≤ valid_until ≤ best+MortalityWindow</c> (§2.4).</summary>
    public const ulong MortalityWindow = 128;

    /// <summary>How far ahead of the account nonce the pool accepts a nonce (§2.7).</summary>
    public const ulong NonceWindow = 16;

    /// <summary>The most transactions the pool holds (§2.7).</summary>
    public const int MaxPoolTransactions = 8_192;

    /// <summary>The most transactions the pool holds for one account (§2.7).</summary>
    public const int MaxPoolTransactionsPerAccount = 16;

    /// <summary>How far a block timestamp may run ahead of a follower's clock, in milliseconds (§2.2).</summary>
    public const ulong MaxFutureDriftMs = 2_000;

    /// <summary>The largest encoded extrinsic the chain decodes, in bytes.</summary>
    public const int MaxExtrinsicBytes = 1024 * 1024;

    /// <summary>The most entries of a weights vector (uids are u16).</summary>
    public const int MaxWeightEntries = 65_536;

    /// <summary>The subnet owner's cut as a u16 proportion (consensus.md §8).</summary>
    public const ulong SubnetOwnerCut = 11_796;

    /// <summary>Domain tag of an extrinsic signature (§2.4).</summary>
    public static ReadOnlySpan<byte> TransactionTag => "bte/tx/v1"u8;

    /// <summary>Domain tag of a block author signature (§2.2).</summary>
    public static ReadOnlySpan<byte> BlockTag => "bte/block/v1"u8;

    /// <summary>Domain tag of the genesis hash (§2.9).</summary>
    public static ReadOnlySpan<byte> GenesisTag => "bte/genesis/v1"u8;

    /// <summary>Domain tag of a weight commit (§2.5.7).</summary>
    public static ReadOnlySpan<byte> CommitTag => "bte/commit/v1"u8;
}
