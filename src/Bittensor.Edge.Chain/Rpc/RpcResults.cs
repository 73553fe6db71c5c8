// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Immutable;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Rpc;

/// <summary>A JSON-RPC error answered by the node: its code, name (such as <c>StaleNonce</c>) and message.</summary>
public sealed class RpcException : Exception
{
    /// <summary>An error as answered.</summary>
    public RpcException(int code, string name, string message)
        : base(message)
    {
        Code = code;
        Name = name;
    }

    /// <summary>An error without a code (for analyzers; prefer the full constructor).</summary>
    public RpcException()
        : this(RpcErrorCode.InternalError, "InternalError", "Internal error.")
    {
    }

    /// <summary>An error without a code (for analyzers; prefer the full constructor).</summary>
    public RpcException(string message)
        : this(RpcErrorCode.InternalError, "InternalError", message)
    {
    }

    /// <summary>An error without a code (for analyzers; prefer the full constructor).</summary>
    public RpcException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = RpcErrorCode.InternalError;
        Name = "InternalError";
    }

    /// <summary>The JSON-RPC code (−32700…−32603, or 1001–1010).</summary>
    public int Code { get; }

    /// <summary>The code's name.</summary>
    public string Name { get; }
}

/// <summary>A block argument for RPC calls: a number, a hash, or the best block (the default).</summary>
public readonly record struct BlockRef
{
    private BlockRef(ulong? number, Hash256? hash)
    {
        Number = number;
        Hash = hash;
    }

    /// <summary>The block number, when given by number.</summary>
    public ulong? Number { get; }

    /// <summary>The block hash, when given by hash.</summary>
    public Hash256? Hash { get; }

    /// <summary>The block numbered <paramref name="number"/>.</summary>
    public static BlockRef At(ulong number) => new(number, null);

    /// <summary>The block with hash <paramref name="hash"/>.</summary>
    public static BlockRef At(Hash256 hash) => new(null, hash);
}

/// <summary><c>system_info</c>.</summary>
public sealed record RpcSystemInfo(string Chain, Hash256 GenesisHash, string Version, ulong BestNumber, Hash256 BestHash, ulong BlockTimeMs);

/// <summary><c>system_health</c>.</summary>
public sealed record RpcSystemHealth(ulong BestNumber, Hash256 BestHash, long MsSinceBestBlock, bool Syncing, int PoolSize);

/// <summary>A block header as the RPC shows it.</summary>
public sealed record RpcHeader(ulong Number, Hash256 Hash, Hash256 Parent, ulong TimestampMs, Hash256 ExtrinsicsRoot, Hash256 StateRoot, PublicKey Author, Signature Signature);

/// <summary>One transaction's outcome in <c>chain_getBlock</c>.</summary>
public sealed record RpcTransactionResult(Hash256 Hash, bool Ok, string? Error);

/// <summary><c>chain_getBlock</c>.</summary>
public sealed record RpcBlock(RpcHeader Header, ImmutableArray<byte[]> Extrinsics, ImmutableArray<RpcTransactionResult> Results, ImmutableArray<ushort> Epochs);

/// <summary><c>state_getAccount</c>.</summary>
public sealed record RpcAccount(Rao Free, ulong Nonce);

/// <summary><c>author_extrinsicStatus</c>: <c>pending</c>, <c>included</c> (with block, index, ok and error) or <c>dropped</c>.</summary>
public sealed record RpcExtrinsicStatus(string Status, ulong? Block, Hash256? BlockHash, int? Index, bool? Ok, string? Error)
{
    /// <summary>Whether the transaction is in a block.</summary>
    public bool IsIncluded => Status == "included";

    /// <summary>Whether the transaction left the pool without a block.</summary>
    public bool IsDropped => Status == "dropped";

    /// <summary>Whether it is settled (included or dropped).</summary>
    public bool IsFinal => IsIncluded || IsDropped;
}

/// <summary>A row of <c>subnet_list</c>.</summary>
public sealed record RpcSubnetSummary(ushort Netuid, PublicKey Owner, int N, ushort Tempo, Rao Burn);

/// <summary><c>subnet_getInfo</c>.</summary>
public sealed record RpcSubnetInfo(ushort Netuid, PublicKey Owner, PublicKey OwnerHotkey, int N, ushort Tempo, Rao Burn, Rao PendingOwner, Rao PendingServer, Rao PendingValidator, ulong? NextEpochBlock);

/// <summary>An axon entry of the metagraph.</summary>
public sealed record RpcAxon(string Ip, ushort Port, byte IpType, uint Version, byte Protocol);

/// <summary><c>subnet_getMetagraph</c>: arrays by uid. Scores are the chain's u16 values (65 535 = 1.0).</summary>
public sealed record RpcMetagraph(
    ushort Netuid,
    ulong Block,
    int N,
    ImmutableArray<PublicKey> Hotkeys,
    ImmutableArray<PublicKey> Coldkeys,
    ImmutableArray<Rao> Stake,
    ImmutableArray<bool> Active,
    ImmutableArray<ulong> LastUpdate,
    ImmutableArray<ulong> BlockAtRegistration,
    ImmutableArray<bool> ValidatorPermit,
    ImmutableArray<ushort> Consensus,
    ImmutableArray<ushort> Incentive,
    ImmutableArray<ushort> Dividends,
    ImmutableArray<Rao> Emission,
    ImmutableArray<ushort> ValidatorTrust,
    ImmutableArray<Rao> PruningScore,
    ImmutableArray<RpcAxon?> Axons);

/// <summary>An unrevealed weight commit and its reveal window (<c>subnet_getCommits</c>).</summary>
public sealed record RpcWeightCommit(PublicKey Hotkey, Hash256 Commit, ulong CommitBlock, ulong RevealFirstBlock, ulong RevealLastBlock);
