// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Rpc;

/// <summary>
/// A typed client of the node's JSON-RPC (specs/protocol.md §2.8) over <c>POST /rpc</c>: one method per RPC method,
/// plus the helpers the CLI, gateway and validators share (<see cref="GetNonceAsync"/>, <see cref="SubmitAndWaitAsync"/>,
/// <see cref="SignAndSubmitAsync"/>).
/// </summary>
/// <remarks>
/// Thread-safe (as thread-safe as the <see cref="HttpClient"/>, which stays owned by the caller). A JSON-RPC error
/// answer throws <see cref="RpcException"/> with its code and name; a transport failure throws
/// <see cref="HttpRequestException"/>; an answer that is not JSON-RPC throws <see cref="RpcException"/> with
/// <see cref="RpcErrorCode.ParseError"/>.
/// </remarks>
public sealed class ChainRpcClient
{
    private static readonly MediaTypeHeaderValue s_json = new("application/json");
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private long _nextId;

    /// <summary>A client of the node at <paramref name="nodeUrl"/> (its base URL, such as http://127.0.0.1:9944; <c>/rpc</c> is added).</summary>
    public ChainRpcClient(HttpClient http, Uri nodeUrl)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(nodeUrl);
        _http = http;
        _endpoint = nodeUrl.AbsolutePath.EndsWith("/rpc", StringComparison.Ordinal) ? nodeUrl : new Uri(nodeUrl, "rpc");
    }

    /// <summary>The <c>POST /rpc</c> URL.</summary>
    public Uri Endpoint => _endpoint;

    /// <summary><c>system_info</c>.</summary>
    public async Task<RpcSystemInfo> GetSystemInfoAsync(CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("system_info", static _ => { }, cancellationToken).ConfigureAwait(false);
        JsonElement r = Result(doc);
        return new RpcSystemInfo(Str(r, "chain"), Hash(r, "genesisHash"), Str(r, "version"), U64(r, "bestNumber"), Hash(r, "bestHash"), U64(r, "blockTimeMs"));
    }

    /// <summary><c>system_health</c>.</summary>
    public async Task<RpcSystemHealth> GetSystemHealthAsync(CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("system_health", static _ => { }, cancellationToken).ConfigureAwait(false);
        JsonElement r = Result(doc);
        return new RpcSystemHealth(U64(r, "bestNumber"), Hash(r, "bestHash"), r.GetProperty("msSinceBestBlock").GetInt64(), r.GetProperty("syncing").GetBoolean(), r.GetProperty("poolSize").GetInt32());
    }

    /// <summary><c>chain_getBlockHash</c> (0 is the genesis hash).</summary>
    public async Task<Hash256> GetBlockHashAsync(ulong number, CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("chain_getBlockHash", w => w.WriteNumberValue(number), cancellationToken).ConfigureAwait(false);
        return ParseHash(Result(doc));
    }

    /// <summary><c>chain_getHeader</c>.</summary>
    public async Task<RpcHeader> GetHeaderAsync(BlockRef? block = null, CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("chain_getHeader", w => WriteBlock(w, block), cancellationToken).ConfigureAwait(false);
        return ReadHeader(Result(doc));
    }

    /// <summary><c>chain_getBlock</c>.</summary>
    public async Task<RpcBlock> GetBlockAsync(BlockRef? block = null, CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("chain_getBlock", w => WriteBlock(w, block), cancellationToken).ConfigureAwait(false);
        JsonElement r = Result(doc);
        ImmutableArray<byte[]>.Builder extrinsics = ImmutableArray.CreateBuilder<byte[]>();
        foreach (JsonElement e in r.GetProperty("extrinsics").EnumerateArray())
        {
            extrinsics.Add(Convert.FromHexString(e.GetString().AsSpan(2)));
        }

        ImmutableArray<RpcTransactionResult>.Builder results = ImmutableArray.CreateBuilder<RpcTransactionResult>();
        foreach (JsonElement e in r.GetProperty("results").EnumerateArray())
        {
            results.Add(new RpcTransactionResult(Hash(e, "hash"), e.GetProperty("ok").GetBoolean(), e.TryGetProperty("error", out JsonElement error) ? error.GetString() : null));
        }

        ImmutableArray<ushort>.Builder epochs = ImmutableArray.CreateBuilder<ushort>();
        foreach (JsonElement e in r.GetProperty("epochs").EnumerateArray())
        {
            epochs.Add(e.GetUInt16());
        }

        return new RpcBlock(ReadHeader(r.GetProperty("header")), extrinsics.ToImmutable(), results.ToImmutable(), epochs.ToImmutable());
    }

    /// <summary><c>chain_waitNewHead</c>: the best header once it is above <paramref name="afterNumber"/>, or <see langword="null"/> after <paramref name="timeout"/> (at most 30 s).</summary>
    public async Task<RpcHeader?> WaitNewHeadAsync(ulong afterNumber, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ulong ms = (ulong)Math.Clamp(timeout.TotalMilliseconds, 0, ChainRpcHandler.MaxWaitTimeoutMs);
        using JsonDocument doc = await CallAsync("chain_waitNewHead", w => { w.WriteNumberValue(afterNumber); w.WriteNumberValue(ms); }, cancellationToken).ConfigureAwait(false);
        JsonElement r = Result(doc);
        return r.ValueKind == JsonValueKind.Null ? null : ReadHeader(r);
    }

    /// <summary><c>state_getAccount</c>.</summary>
    public async Task<RpcAccount> GetAccountAsync(PublicKey account, BlockRef? block = null, CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("state_getAccount", w => { w.WriteStringValue(account.ToSs58()); WriteBlock(w, block); }, cancellationToken).ConfigureAwait(false);
        JsonElement r = Result(doc);
        return new RpcAccount(Amount(r, "free"), U64(r, "nonce"));
    }

    /// <summary><c>author_submitExtrinsic</c>: the transaction hash, or <see cref="RpcException"/> with the pool's refusal (1001–1010).</summary>
    public async Task<Hash256> SubmitExtrinsicAsync(ReadOnlyMemory<byte> extrinsic, CancellationToken cancellationToken = default)
    {
        string hex = RpcJson.Hex(extrinsic.Span);
        using JsonDocument doc = await CallAsync("author_submitExtrinsic", w => w.WriteStringValue(hex), cancellationToken).ConfigureAwait(false);
        return ParseHash(Result(doc));
    }

    /// <summary><c>author_extrinsicStatus</c>; <see langword="null"/> when the node does not know the hash.</summary>
    public async Task<RpcExtrinsicStatus?> GetExtrinsicStatusAsync(Hash256 txHash, CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("author_extrinsicStatus", w => w.WriteStringValue(txHash.ToString()), cancellationToken).ConfigureAwait(false);
        JsonElement r = Result(doc);
        if (r.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return new RpcExtrinsicStatus(
            Str(r, "status"),
            r.TryGetProperty("block", out JsonElement block) ? block.GetUInt64() : null,
            r.TryGetProperty("blockHash", out JsonElement blockHash) ? ParseHash(blockHash) : null,
            r.TryGetProperty("index", out JsonElement index) ? index.GetInt32() : null,
            r.TryGetProperty("ok", out JsonElement ok) ? ok.GetBoolean() : null,
            r.TryGetProperty("error", out JsonElement error) ? error.GetString() : null);
    }

    /// <summary><c>subnet_list</c>.</summary>
    public async Task<IReadOnlyList<RpcSubnetSummary>> ListSubnetsAsync(CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("subnet_list", static _ => { }, cancellationToken).ConfigureAwait(false);
        List<RpcSubnetSummary> subnets = [];
        foreach (JsonElement e in Result(doc).EnumerateArray())
        {
            subnets.Add(new RpcSubnetSummary(e.GetProperty("netuid").GetUInt16(), Account(e, "owner"), e.GetProperty("n").GetInt32(), e.GetProperty("tempo").GetUInt16(), Amount(e, "burn")));
        }

        return subnets;
    }

    /// <summary><c>subnet_getInfo</c>.</summary>
    public async Task<RpcSubnetInfo> GetSubnetInfoAsync(ushort netuid, CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("subnet_getInfo", w => w.WriteNumberValue(netuid), cancellationToken).ConfigureAwait(false);
        JsonElement r = Result(doc);
        JsonElement next = r.GetProperty("nextEpochBlock");
        return new RpcSubnetInfo(
            r.GetProperty("netuid").GetUInt16(), Account(r, "owner"), Account(r, "ownerHotkey"), r.GetProperty("n").GetInt32(), r.GetProperty("tempo").GetUInt16(),
            Amount(r, "burn"), Amount(r, "pendingOwner"), Amount(r, "pendingServer"), Amount(r, "pendingValidator"), next.ValueKind == JsonValueKind.Null ? null : next.GetUInt64());
    }

    /// <summary><c>subnet_getHyperparameters</c>: each §2.3 name with its u64 value.</summary>
    public async Task<IReadOnlyDictionary<string, ulong>> GetHyperparametersAsync(ushort netuid, CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("subnet_getHyperparameters", w => w.WriteNumberValue(netuid), cancellationToken).ConfigureAwait(false);
        Dictionary<string, ulong> values = new(StringComparer.Ordinal);
        foreach (JsonProperty property in Result(doc).EnumerateObject())
        {
            values[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? ulong.Parse(property.Value.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture)
                : property.Value.GetUInt64();
        }

        return values;
    }

    /// <summary><c>subnet_getBurn</c>: the registration price in the next block.</summary>
    public async Task<Rao> GetBurnAsync(ushort netuid, CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("subnet_getBurn", w => w.WriteNumberValue(netuid), cancellationToken).ConfigureAwait(false);
        return ParseAmount(Result(doc));
    }

    /// <summary><c>subnet_getMetagraph</c>.</summary>
    public async Task<RpcMetagraph> GetMetagraphAsync(ushort netuid, CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("subnet_getMetagraph", w => w.WriteNumberValue(netuid), cancellationToken).ConfigureAwait(false);
        JsonElement r = Result(doc);
        return new RpcMetagraph(
            r.GetProperty("netuid").GetUInt16(),
            U64(r, "block"),
            r.GetProperty("n").GetInt32(),
            Array(r, "hotkeys", e => Ss58.Decode(e.GetString())),
            Array(r, "coldkeys", e => Ss58.Decode(e.GetString())),
            Array(r, "stake", ParseAmount),
            Array(r, "active", e => e.GetBoolean()),
            Array(r, "lastUpdate", e => e.GetUInt64()),
            Array(r, "blockAtRegistration", e => e.GetUInt64()),
            Array(r, "validatorPermit", e => e.GetBoolean()),
            Array(r, "consensus", e => e.GetUInt16()),
            Array(r, "incentive", e => e.GetUInt16()),
            Array(r, "dividends", e => e.GetUInt16()),
            Array(r, "emission", ParseAmount),
            Array(r, "validatorTrust", e => e.GetUInt16()),
            Array(r, "pruningScore", ParseAmount),
            Array(r, "axons", e => e.ValueKind == JsonValueKind.Null
                ? null
                : new RpcAxon(Str(e, "ip"), e.GetProperty("port").GetUInt16(), e.GetProperty("ipType").GetByte(), e.GetProperty("version").GetUInt32(), e.GetProperty("protocol").GetByte())));
    }

    /// <summary><c>subnet_getWeights</c> for every uid: row <c>i</c> is uid <c>i</c>'s sparse <c>(uid, u16)</c> weights.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<(ushort Uid, ushort Weight)>>> GetWeightsAsync(ushort netuid, CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("subnet_getWeights", w => w.WriteNumberValue(netuid), cancellationToken).ConfigureAwait(false);
        List<IReadOnlyList<(ushort, ushort)>> rows = [];
        foreach (JsonElement row in Result(doc).EnumerateArray())
        {
            rows.Add(ReadRow(row));
        }

        return rows;
    }

    /// <summary><c>subnet_getWeights</c> for one uid.</summary>
    public async Task<IReadOnlyList<(ushort Uid, ushort Weight)>> GetWeightsAsync(ushort netuid, ushort uid, CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("subnet_getWeights", w => { w.WriteNumberValue(netuid); w.WriteNumberValue(uid); }, cancellationToken).ConfigureAwait(false);
        return ReadRow(Result(doc));
    }

    /// <summary><c>subnet_getCommits</c>, all or one hotkey's.</summary>
    public async Task<IReadOnlyList<RpcWeightCommit>> GetCommitsAsync(ushort netuid, PublicKey? hotkey = null, CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("subnet_getCommits", w => { w.WriteNumberValue(netuid); if (hotkey is PublicKey h) { w.WriteStringValue(h.ToSs58()); } }, cancellationToken).ConfigureAwait(false);
        List<RpcWeightCommit> commits = [];
        foreach (JsonElement e in Result(doc).EnumerateArray())
        {
            commits.Add(new RpcWeightCommit(Account(e, "hotkey"), Hash(e, "commit"), U64(e, "commitBlock"), U64(e, "revealFirstBlock"), U64(e, "revealLastBlock")));
        }

        return commits;
    }

    /// <summary><c>stake_get</c>.</summary>
    public async Task<Rao> GetStakeAsync(PublicKey coldkey, PublicKey hotkey, ushort netuid, CancellationToken cancellationToken = default)
    {
        using JsonDocument doc = await CallAsync("stake_get", w => { w.WriteStringValue(coldkey.ToSs58()); w.WriteStringValue(hotkey.ToSs58()); w.WriteNumberValue(netuid); }, cancellationToken).ConfigureAwait(false);
        return ParseAmount(Result(doc));
    }

    /// <summary>The account's next nonce on the best block (pending pool transactions are not counted).</summary>
    public async Task<ulong> GetNonceAsync(PublicKey account, CancellationToken cancellationToken = default) =>
        (await GetAccountAsync(account, null, cancellationToken).ConfigureAwait(false)).Nonce;

    /// <summary>
    /// Submits <paramref name="extrinsic"/>, then follows it with <c>chain_waitNewHead</c> long polls and
    /// <c>author_extrinsicStatus</c> until it is included (the status carries the dispatch result) or dropped. A pool
    /// refusal throws <see cref="RpcException"/>; <paramref name="cancellationToken"/> bounds the whole wait.
    /// </summary>
    public async Task<RpcExtrinsicStatus> SubmitAndWaitAsync(Extrinsic extrinsic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(extrinsic);
        RpcHeader? seen = null;
        ulong after = (await GetSystemHealthAsync(cancellationToken).ConfigureAwait(false)).BestNumber;
        Hash256 hash = await SubmitExtrinsicAsync(extrinsic.Encoded.ToArray(), cancellationToken).ConfigureAwait(false);
        while (true)
        {
            RpcExtrinsicStatus? status = await GetExtrinsicStatusAsync(hash, cancellationToken).ConfigureAwait(false);
            if (status is null)
            {
                // The node forgot it (restart, or its bounded index moved on): nothing more can be learnt.
                return new RpcExtrinsicStatus("dropped", null, null, null, null, null);
            }

            if (status.IsFinal)
            {
                return status;
            }

            seen = await WaitNewHeadAsync(seen?.Number ?? after, TimeSpan.FromMilliseconds(ChainRpcHandler.MaxWaitTimeoutMs), cancellationToken).ConfigureAwait(false) ?? seen;
            if (seen is not null)
            {
                after = seen.Number;
            }
        }
    }

    /// <summary>
    /// Signs <paramref name="call"/> with <paramref name="signer"/> for this node's network (its genesis hash from
    /// <c>system_info</c>), the signer's next nonce, and a mortality of 64 blocks, then <see cref="SubmitAndWaitAsync"/>.
    /// </summary>
    public async Task<RpcExtrinsicStatus> SignAndSubmitAsync(Ed25519KeyPair signer, RuntimeCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(call);
        RpcSystemInfo info = await GetSystemInfoAsync(cancellationToken).ConfigureAwait(false);
        ulong nonce = await GetNonceAsync(signer.PublicKey, cancellationToken).ConfigureAwait(false);
        Extrinsic extrinsic = new ExtrinsicBuilder(info.GenesisHash).Build(signer, nonce, info.BestNumber + 64, call);
        return await SubmitAndWaitAsync(extrinsic, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonDocument> CallAsync(string method, Action<Utf8JsonWriter> writeParams, CancellationToken cancellationToken)
    {
        ArrayBufferWriter<byte> body = new(256);
        using (Utf8JsonWriter writer = new(body))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc"u8, "2.0"u8);
            writer.WriteNumber("id"u8, Interlocked.Increment(ref _nextId));
            writer.WriteString("method"u8, method);
            writer.WriteStartArray("params"u8);
            writeParams(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        using ByteArrayContent content = new(body.WrittenSpan.ToArray());
        content.Headers.ContentType = s_json;
        using HttpResponseMessage response = await _http.PostAsync(_endpoint, content, cancellationToken).ConfigureAwait(false);
        byte[] bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The node at {_endpoint} answered HTTP {(int)response.StatusCode}.", null, response.StatusCode);
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new RpcException(RpcErrorCode.ParseError, "ParseError", $"The node at {_endpoint} did not answer JSON: {e.Message}");
        }

        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw new RpcException(RpcErrorCode.ParseError, "ParseError", $"The node at {_endpoint} did not answer a JSON-RPC object.");
        }

        if (doc.RootElement.TryGetProperty("error", out JsonElement error))
        {
            int code = error.TryGetProperty("code", out JsonElement c) && c.TryGetInt32(out int value) ? value : RpcErrorCode.InternalError;
            string name = error.TryGetProperty("data", out JsonElement data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("name", out JsonElement n) && n.GetString() is string s
                ? s
                : RpcErrorCode.NameOf(code);
            string message = error.TryGetProperty("message", out JsonElement m) ? m.GetString() ?? name : name;
            doc.Dispose();
            throw new RpcException(code, name, message);
        }

        return doc;
    }

    private static JsonElement Result(JsonDocument doc) =>
        doc.RootElement.TryGetProperty("result", out JsonElement result)
            ? result
            : throw new RpcException(RpcErrorCode.ParseError, "ParseError", "The answer has neither a result nor an error.");

    private static void WriteBlock(Utf8JsonWriter writer, BlockRef? block)
    {
        if (block is not BlockRef b)
        {
            return;
        }

        if (b.Number is ulong number)
        {
            writer.WriteNumberValue(number);
        }
        else if (b.Hash is Hash256 hash)
        {
            writer.WriteStringValue(hash.ToString());
        }
    }

    private static RpcHeader ReadHeader(JsonElement e) => new(
        U64(e, "number"), Hash(e, "hash"), Hash(e, "parent"), U64(e, "timestampMs"), Hash(e, "extrinsicsRoot"), Hash(e, "stateRoot"),
        Account(e, "author"), Signature.Parse(Str(e, "signature"), CultureInfo.InvariantCulture));

    private static List<(ushort, ushort)> ReadRow(JsonElement row)
    {
        List<(ushort, ushort)> entries = [];
        foreach (JsonElement pair in row.EnumerateArray())
        {
            entries.Add((pair[0].GetUInt16(), pair[1].GetUInt16()));
        }

        return entries;
    }

    private static ImmutableArray<T> Array<T>(JsonElement e, string name, Func<JsonElement, T> read)
    {
        JsonElement array = e.GetProperty(name);
        ImmutableArray<T>.Builder builder = ImmutableArray.CreateBuilder<T>(array.GetArrayLength());
        foreach (JsonElement item in array.EnumerateArray())
        {
            builder.Add(read(item));
        }

        return builder.MoveToImmutable();
    }

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString() ?? "";

    private static ulong U64(JsonElement e, string name) => e.GetProperty(name).GetUInt64();

    private static Hash256 Hash(JsonElement e, string name) => ParseHash(e.GetProperty(name));

    private static Hash256 ParseHash(JsonElement e) => Hash256.Parse(e.GetString() ?? "", CultureInfo.InvariantCulture);

    private static PublicKey Account(JsonElement e, string name) => Ss58.Decode(e.GetProperty(name).GetString());

    private static Rao Amount(JsonElement e, string name) => ParseAmount(e.GetProperty(name));

    private static Rao ParseAmount(JsonElement e) => Rao.Parse(e.GetString()!, CultureInfo.InvariantCulture);
}
