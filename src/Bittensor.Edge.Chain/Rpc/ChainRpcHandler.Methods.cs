// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Text.Json;
using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Execution;
using Bittensor.Edge.Chain.Node;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Rpc;

// One method per §2.8 row. Each reads under the chain lock and writes its result value into the writer; a returned
// RpcError replaces whatever was written.
public sealed partial class ChainRpcHandler
{
    private ValueTask<RpcError?> DispatchAsync(string method, RpcParams p, Utf8JsonWriter writer, RawResult raw, CancellationToken cancellationToken)
    {
        RpcError? error = method switch
        {
            "system_info" => p.CheckShape() ?? SystemInfo(writer),
            "system_health" => p.CheckShape() ?? SystemHealth(writer),
            "chain_getBlockHash" => p.CheckShape("number") ?? GetBlockHash(p, writer),
            "chain_getHeader" => p.CheckShape("block") ?? GetHeader(p, writer),
            "chain_getBlock" => p.CheckShape("block") ?? GetBlock(p, writer),
            "chain_waitNewHead" => p.CheckShape("afterNumber", "timeoutMs"),
            "state_getAccount" => p.CheckShape("address", "block") ?? GetAccount(p, writer),
            "author_submitExtrinsic" => p.CheckShape("hex") ?? SubmitExtrinsic(p, writer),
            "author_extrinsicStatus" => p.CheckShape("txHash") ?? ExtrinsicStatus(p, writer),
            "subnet_list" => p.CheckShape("block") ?? SubnetList(p, writer),
            "subnet_getInfo" => p.CheckShape("netuid", "block") ?? SubnetInfo(p, writer),
            "subnet_getHyperparameters" => p.CheckShape("netuid", "block") ?? SubnetHyperparameters(p, writer),
            "subnet_getBurn" => p.CheckShape("netuid") ?? SubnetBurn(p, writer),
            "subnet_getMetagraph" => p.CheckShape("netuid", "block") ?? SubnetMetagraph(p, raw),
            "subnet_getWeights" => p.CheckShape("netuid", "uid", "block") ?? SubnetWeights(p, writer),
            "subnet_getCommits" => p.CheckShape("netuid", "hotkey", "block") ?? SubnetCommits(p, writer),
            "stake_get" => p.CheckShape("coldkey", "hotkey", "netuid") ?? StakeGet(p, writer),
            _ => new RpcError(RpcErrorCode.MethodNotFound, $"Method '{method}' not found; see specs/protocol.md §2.8 for the methods."),
        };

        return method == "chain_waitNewHead" && error is null
            ? WaitNewHeadAsync(p, writer, cancellationToken)
            : ValueTask.FromResult(error);
    }

    private RpcError? SystemInfo(Utf8JsonWriter writer) => _node.Read(view =>
    {
        writer.WriteStartObject();
        writer.WriteString("chain"u8, view.Genesis.ChainId);
        writer.WriteString("genesisHash"u8, view.Genesis.Hash.ToString());
        writer.WriteString("version"u8, _version);
        writer.WriteNumber("bestNumber"u8, view.BestNumber);
        writer.WriteString("bestHash"u8, view.BestHash.ToString());
        writer.WriteNumber("blockTimeMs"u8, view.Genesis.BlockTimeMs);
        writer.WriteEndObject();
        return (RpcError?)null;
    });

    private RpcError? SystemHealth(Utf8JsonWriter writer)
    {
        ChainHead head = _node.Head;
        long now = _node.Clock.UtcNow.ToUnixTimeMilliseconds();
        writer.WriteStartObject();
        writer.WriteNumber("bestNumber"u8, head.Number);
        writer.WriteString("bestHash"u8, head.Hash.ToString());
        writer.WriteNumber("msSinceBestBlock"u8, Math.Max(0, now - (long)head.TimestampMs));
        writer.WriteBoolean("syncing"u8, false);
        writer.WriteNumber("poolSize"u8, _node.Pool.Count);
        writer.WriteEndObject();
        return null;
    }

    private RpcError? GetBlockHash(RpcParams p, Utf8JsonWriter writer)
    {
        if (p.GetU64(0, "number", out ulong number) is RpcError bad)
        {
            return bad;
        }

        return _node.Read(view =>
        {
            if (number == 0)
            {
                writer.WriteStringValue(view.Genesis.Hash.ToString());
                return null;
            }

            if (!view.TryGetBlock(number, out BlockReceipt? receipt))
            {
                return RpcError.UnknownBlock(string.Create(CultureInfo.InvariantCulture, $"No block {number}: the best block is {view.BestNumber}."));
            }

            writer.WriteStringValue(receipt.Block.Hash.ToString());
            return (RpcError?)null;
        });
    }

    private RpcError? GetHeader(RpcParams p, Utf8JsonWriter writer)
    {
        if (p.GetBlock(0, "block", out BlockSelector selector) is RpcError bad)
        {
            return bad;
        }

        return _node.Read(view =>
        {
            if (ResolveBody(view, selector, out BlockReceipt? receipt) is RpcError error)
            {
                return error;
            }

            RpcJson.WriteHeader(writer, receipt!.Block.Header);
            return (RpcError?)null;
        });
    }

    private RpcError? GetBlock(RpcParams p, Utf8JsonWriter writer)
    {
        if (p.GetBlock(0, "block", out BlockSelector selector) is RpcError bad)
        {
            return bad;
        }

        return _node.Read(view =>
        {
            if (ResolveBody(view, selector, out BlockReceipt? receipt) is RpcError error)
            {
                return error;
            }

            Block block = receipt!.Block;
            writer.WriteStartObject();
            writer.WritePropertyName("header"u8);
            RpcJson.WriteHeader(writer, block.Header);
            writer.WriteStartArray("extrinsics"u8);
            foreach (Transactions.Extrinsic extrinsic in block.Extrinsics)
            {
                writer.WriteStringValue(RpcJson.Hex(extrinsic.Encoded));
            }

            writer.WriteEndArray();
            writer.WriteStartArray("results"u8);
            for (int i = 0; i < block.Extrinsics.Length; i++)
            {
                ApplyOutcome outcome = receipt.Outcomes[i];
                writer.WriteStartObject();
                writer.WriteString("hash"u8, block.Extrinsics[i].Hash.ToString());
                writer.WriteBoolean("ok"u8, outcome.Error == DispatchError.None);
                if (outcome.Error != DispatchError.None)
                {
                    writer.WriteString("error"u8, outcome.Error.ToString());
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("epochs"u8);
            foreach (Netuid netuid in receipt.Epochs)
            {
                writer.WriteNumberValue(netuid.Value);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            return (RpcError?)null;
        });
    }

    private async ValueTask<RpcError?> WaitNewHeadAsync(RpcParams p, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        if (First(p.GetU64(0, "afterNumber", out ulong afterNumber), p.GetU64(1, "timeoutMs", out ulong timeoutMs)) is RpcError bad)
        {
            return bad;
        }

        if (timeoutMs > MaxWaitTimeoutMs)
        {
            return RpcError.Params(string.Create(CultureInfo.InvariantCulture, $"'timeoutMs' is at most {MaxWaitTimeoutMs}; call again to wait longer."));
        }

        BlockHeader? header = await _node.WaitNewHeadAsync(afterNumber, TimeSpan.FromMilliseconds(timeoutMs), cancellationToken).ConfigureAwait(false);
        if (header is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            RpcJson.WriteHeader(writer, header);
        }

        return null;
    }

    private RpcError? GetAccount(RpcParams p, Utf8JsonWriter writer)
    {
        if (First(p.GetAccount(0, "address", out PublicKey address), p.GetBlock(1, "block", out BlockSelector selector)) is RpcError bad)
        {
            return bad;
        }

        return _node.Read(view =>
        {
            if (ResolveState(view, selector) is RpcError error)
            {
                return error;
            }

            AccountInfo account = view.State().GetAccount(address);
            writer.WriteStartObject();
            writer.WriteString("free"u8, account.Free.ToString());
            writer.WriteNumber("nonce"u8, account.Nonce);
            writer.WriteEndObject();
            return (RpcError?)null;
        });
    }

    private RpcError? SubmitExtrinsic(RpcParams p, Utf8JsonWriter writer)
    {
        if (p.GetHex(0, "hex", ChainConstants.MaxExtrinsicBytes, out byte[] bytes) is RpcError bad)
        {
            return bad;
        }

        SubmissionError error = _node.Submit(bytes, out Hash256 hash);
        if (error != SubmissionError.None)
        {
            return new RpcError((int)error, $"{error}: {DescribeSubmission(error)}");
        }

        writer.WriteStringValue(hash.ToString());
        return null;
    }

    private RpcError? ExtrinsicStatus(RpcParams p, Utf8JsonWriter writer)
    {
        if (p.GetHash(0, "txHash", out Hash256 hash) is RpcError bad)
        {
            return bad;
        }

        if (!_node.TryGetTransactionStatus(hash, out TransactionStatus status))
        {
            // Never accepted here, or forgotten (the index is bounded): the caller cannot wait for it.
            writer.WriteNullValue();
            return null;
        }

        writer.WriteStartObject();
        writer.WriteString("status"u8, status.State switch
        {
            TransactionState.Pending => "pending",
            TransactionState.Included => "included",
            _ => "dropped",
        });
        if (status.State == TransactionState.Included)
        {
            writer.WriteNumber("block"u8, status.BlockNumber);
            writer.WriteString("blockHash"u8, status.BlockHash.ToString());
            writer.WriteNumber("index"u8, status.Index);
            writer.WriteBoolean("ok"u8, status.Error == DispatchError.None);
            if (status.Error != DispatchError.None)
            {
                writer.WriteString("error"u8, status.Error.ToString());
            }
        }

        writer.WriteEndObject();
        return null;
    }

    private RpcError? SubnetList(RpcParams p, Utf8JsonWriter writer)
    {
        if (p.GetBlock(0, "block", out BlockSelector selector) is RpcError bad)
        {
            return bad;
        }

        return _node.Read(view =>
        {
            if (ResolveState(view, selector) is RpcError error)
            {
                return error;
            }

            ChainState state = view.State();
            writer.WriteStartArray();
            foreach (Netuid netuid in state.GetSubnets())
            {
                state.TryGetSubnet(netuid, out SubnetInfo? subnet);
                writer.WriteStartObject();
                writer.WriteNumber("netuid"u8, netuid.Value);
                writer.WriteString("owner"u8, _addresses.Get(subnet!.Owner));
                writer.WriteNumber("n"u8, subnet.N);
                writer.WriteNumber("tempo"u8, subnet.Hyperparameters.Tempo);
                writer.WriteString("burn"u8, subnet.Burn.ToString());
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            return (RpcError?)null;
        });
    }

    private RpcError? SubnetInfo(RpcParams p, Utf8JsonWriter writer)
    {
        return ReadSubnet(p, (view, netuid, subnet) =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("netuid"u8, netuid);
            writer.WriteString("owner"u8, _addresses.Get(subnet!.Owner));
            writer.WriteString("ownerHotkey"u8, _addresses.Get(subnet.OwnerHotkey));
            writer.WriteNumber("n"u8, subnet.N);
            writer.WriteNumber("tempo"u8, subnet.Hyperparameters.Tempo);
            writer.WriteString("burn"u8, subnet.Burn.ToString());
            writer.WriteString("pendingOwner"u8, subnet.PendingOwner.ToString());
            writer.WriteString("pendingServer"u8, subnet.PendingServer.ToString());
            writer.WriteString("pendingValidator"u8, subnet.PendingValidator.ToString());
            if (WeightsMath.NextEpochBlock(view.BestNumber + 1, netuid, subnet.Hyperparameters.Tempo) is ulong next)
            {
                writer.WriteNumber("nextEpochBlock"u8, next);
            }
            else
            {
                writer.WriteNull("nextEpochBlock"u8);
            }

            writer.WriteEndObject();
            return (RpcError?)null;
        });
    }

    private RpcError? SubnetHyperparameters(RpcParams p, Utf8JsonWriter writer)
    {
        return ReadSubnet(p, (view, netuid, subnet) =>
        {
            writer.WriteStartObject();
            for (int id = 0; id < Hyperparameters.Count; id++)
            {
                HyperparameterId parameter = (HyperparameterId)id;
                ulong value = subnet!.Hyperparameters[parameter];
                if (RpcJson.IsRaoParameter(parameter))
                {
                    writer.WriteString(Hyperparameters.NameOf(parameter), value.ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    writer.WriteNumber(Hyperparameters.NameOf(parameter), value);
                }
            }

            writer.WriteEndObject();
            return (RpcError?)null;
        });
    }

    private RpcError? SubnetBurn(RpcParams p, Utf8JsonWriter writer)
    {
        if (p.GetU16(0, "netuid", out ushort netuid) is RpcError bad)
        {
            return bad;
        }

        return _node.Read(view =>
        {
            if (ResolveSubnet(view.State(), netuid, out SubnetInfo? subnet) is RpcError error)
            {
                return error;
            }

            // The price a registration pays in the next block: after that block's decay (§2.5.3).
            ulong next = WeightsMath.DecayBurn(subnet!.Burn.Value, subnet.Hyperparameters[HyperparameterId.MinBurn]);
            writer.WriteStringValue(next.ToString(CultureInfo.InvariantCulture));
            return (RpcError?)null;
        });
    }

    private RpcError? SubnetWeights(RpcParams p, Utf8JsonWriter writer)
    {
        if (First(p.GetU16(0, "netuid", out ushort netuid), p.GetOptionalU16(1, "uid", out ushort? uid), p.GetBlock(2, "block", out BlockSelector selector)) is RpcError bad)
        {
            return bad;
        }

        return _node.Read(view =>
        {
            ChainState state = view.State();
            if (First(ResolveState(view, selector), ResolveSubnet(state, netuid, out SubnetInfo? subnet)) is RpcError error)
            {
                return error;
            }

            Netuid subnetId = new(netuid);
            if (uid is ushort one)
            {
                if (one >= subnet!.N)
                {
                    return RpcError.Params(string.Create(CultureInfo.InvariantCulture, $"uid {one} is not on subnet {netuid}, which has {subnet.N} uids."));
                }

                RpcJson.WriteRow(writer, state.GetWeights(subnetId, new Uid(one)));
                return null;
            }

            writer.WriteStartArray();
            for (ushort i = 0; i < subnet!.N; i++)
            {
                RpcJson.WriteRow(writer, state.GetWeights(subnetId, new Uid(i)));
            }

            writer.WriteEndArray();
            return (RpcError?)null;
        });
    }

    private RpcError? SubnetCommits(RpcParams p, Utf8JsonWriter writer)
    {
        if (First(p.GetU16(0, "netuid", out ushort netuid), p.GetOptionalAccount(1, "hotkey", out PublicKey? hotkey), p.GetBlock(2, "block", out BlockSelector selector)) is RpcError bad)
        {
            return bad;
        }

        return _node.Read(view =>
        {
            ChainState state = view.State();
            if (First(ResolveState(view, selector), ResolveSubnet(state, netuid, out SubnetInfo? subnet)) is RpcError error)
            {
                return error;
            }

            writer.WriteStartArray();
            foreach (WeightCommit commit in state.GetCommits(new Netuid(netuid)))
            {
                if (hotkey is PublicKey only && commit.Hotkey != only)
                {
                    continue;
                }

                (ulong first, ulong last) = WeightsMath.RevealWindow(commit.Block, netuid, subnet!.Hyperparameters.Tempo, subnet.Hyperparameters[HyperparameterId.RevealPeriodEpochs]);
                writer.WriteStartObject();
                writer.WriteString("hotkey"u8, _addresses.Get(commit.Hotkey));
                writer.WriteString("commit"u8, commit.Commit.ToString());
                writer.WriteNumber("commitBlock"u8, commit.Block);
                writer.WriteNumber("revealFirstBlock"u8, first);
                writer.WriteNumber("revealLastBlock"u8, last);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            return (RpcError?)null;
        });
    }

    private RpcError? StakeGet(RpcParams p, Utf8JsonWriter writer)
    {
        if (First(p.GetAccount(0, "coldkey", out PublicKey coldkey), p.GetAccount(1, "hotkey", out PublicKey hotkey), p.GetU16(2, "netuid", out ushort netuid)) is RpcError bad)
        {
            return bad;
        }

        return _node.Read(view =>
        {
            writer.WriteStringValue(view.State().GetStake(coldkey, hotkey, new Netuid(netuid)).ToString());
            return (RpcError?)null;
        });
    }

    /// <summary>State queries: only the best block's state exists (see the type's remarks).</summary>
    /// <summary>
    /// The shared prologue of the per-subnet methods: parses <c>netuid, block?</c>, then runs
    /// <paramref name="body"/> under the chain lock on the subnet at that state, or answers the parse, block or
    /// subnet error.
    /// </summary>
    private RpcError? ReadSubnet(RpcParams p, Func<ChainReadView, ushort, SubnetInfo, RpcError?> body)
    {
        if (First(p.GetU16(0, "netuid", out ushort netuid), p.GetBlock(1, "block", out BlockSelector selector)) is RpcError bad)
        {
            return bad;
        }

        return _node.Read(view =>
            First(ResolveState(view, selector), ResolveSubnet(view.State(), netuid, out SubnetInfo? subnet)) is RpcError error
                ? error
                : body(view, netuid, subnet!));
    }

    private static RpcError? ResolveState(ChainReadView view, BlockSelector selector)
    {
        switch (selector.Kind)
        {
            case BlockSelectorKind.Best:
                return null;
            case BlockSelectorKind.Number:
                if (selector.Number == view.BestNumber)
                {
                    return null;
                }

                return RpcError.UnknownBlock(selector.Number < view.BestNumber
                    ? string.Create(CultureInfo.InvariantCulture, $"Only the best state is kept: the state at block {selector.Number} is gone; omit the block argument to query the best block ({view.BestNumber}).")
                    : string.Create(CultureInfo.InvariantCulture, $"No block {selector.Number}: the best block is {view.BestNumber}."));
            default:
                if (selector.Hash == view.BestHash)
                {
                    return null;
                }

                return RpcError.UnknownBlock(view.TryGetNumber(selector.Hash, out ulong number)
                    ? string.Create(CultureInfo.InvariantCulture, $"Only the best state is kept: the state at block {number} is gone; omit the block argument to query the best block ({view.BestNumber}).")
                    : $"No block with hash {selector.Hash}.");
        }
    }

    /// <summary>Headers and blocks: any block from 1 to the best.</summary>
    private static RpcError? ResolveBody(ChainReadView view, BlockSelector selector, out BlockReceipt? receipt)
    {
        ulong number = selector.Kind switch
        {
            BlockSelectorKind.Best => view.BestNumber,
            BlockSelectorKind.Number => selector.Number,
            _ => view.TryGetNumber(selector.Hash, out ulong found) ? found : ulong.MaxValue,
        };

        if (number == 0)
        {
            receipt = null;
            return RpcError.UnknownBlock("Block 0 is the genesis, which has no header or body; its hash is system_info.genesisHash.");
        }

        return view.TryGetBlock(number, out receipt)
            ? null
            : RpcError.UnknownBlock(selector.Kind == BlockSelectorKind.Hash
                ? $"No block with hash {selector.Hash}."
                : string.Create(CultureInfo.InvariantCulture, $"No block {number}: the best block is {view.BestNumber}."));
    }

    /// <summary>The first error of several checks, all of which run (so their out values are assigned).</summary>
    private static RpcError? First(RpcError? first, RpcError? second, RpcError? third = null) => first ?? second ?? third;

    private static RpcError? ResolveSubnet(ChainState state, ushort netuid, out SubnetInfo? subnet) =>
        state.TryGetSubnet(new Netuid(netuid), out subnet)
            ? null
            : RpcError.Params(string.Create(CultureInfo.InvariantCulture, $"Subnet {netuid} does not exist; subnet_list shows the subnets."));

    private static string DescribeSubmission(SubmissionError error) => error switch
    {
        SubmissionError.BadSignature => "the signature does not verify for this network (is the transaction signed for this genesis?).",
        SubmissionError.StaleNonce => "the nonce is below the account nonce; fetch the nonce with state_getAccount and sign again.",
        SubmissionError.NonceTooFarAhead => "the nonce is 16 or more above the account nonce.",
        SubmissionError.Mortality => "valid_until must lie within best+1 ..= best+128.",
        SubmissionError.CannotPayFee => "the signer cannot pay the 100 000 rao fee.",
        SubmissionError.PoolFull => "the pool is full (8 192 in all, or 16 for this account); retry after the next block.",
        SubmissionError.BadEncoding => "the bytes are not an extrinsic.",
        SubmissionError.AlreadyKnown => "the pool already holds this transaction or another with the same signer and nonce.",
        SubmissionError.NotRegisteredHotkey => "a free call needs a signer registered on some subnet.",
        _ => "refused.",
    };
}
