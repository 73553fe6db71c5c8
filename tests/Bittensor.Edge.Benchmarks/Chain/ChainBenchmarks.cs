// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using BenchmarkDotNet.Attributes;
using Bittensor.Edge.Chain;
using Bittensor.Edge.Chain.Benchmarks;
using Bittensor.Edge.Chain.Blocks;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Benchmarks.Chain;

/// <summary>
/// <c>extrinsics_per_s</c> against <c>ed25519_verify_per_s</c> (specs/benchmarks.md): one block of 2 000 signed
/// transfers decoded, verified, applied and rooted, with raw NSec verification of the same payloads as the baseline,
/// so the ratio is <c>1 / apply_ratio</c>.
/// </summary>
[MemoryDiagnoser]
public class ChainApplyBenchmarks
{
    private byte[][] _encoded = [];
    private (PublicKey Key, byte[] Payload, byte[] Signature)[] _raw = [];
    private Blockchain _chain = null!;
    private Ed25519KeyPair _author = null!;

    /// <summary>Signs the transfers once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (Blockchain chain, Ed25519KeyPair author, Extrinsic[] transfers) = ChainBenchScenarios.CreateTransferBlock();
        _author = author;
        _encoded = [.. transfers.Select(t => t.Encoded.ToArray())];
        _raw = [.. transfers.Select(t => (t.Signer, Payload(chain.Genesis.Hash, t), t.Signature.Bytes.ToArray()))];
    }

    /// <summary>A fresh ledger per block, since the transfers use nonce 0.</summary>
    [IterationSetup(Target = nameof(ApplyBlock))]
    public void NewLedger() => _chain = ChainBenchScenarios.CreateTransferBlock().Chain;

    /// <summary>Raw Ed25519 verification of the 2 000 payloads, one thread.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = ChainBenchScenarios.TransfersPerBlock)]
    public int RawVerify()
    {
        int ok = 0;
        foreach ((PublicKey key, byte[] payload, byte[] signature) in _raw)
        {
            ok += Ed25519.Verify(key, payload, signature) ? 1 : 0;
        }

        return ok;
    }

    /// <summary>Decode, verify, apply and root one block of 2 000 transfers.</summary>
    [Benchmark(OperationsPerInvoke = ChainBenchScenarios.TransfersPerBlock)]
    public BlockReceipt ApplyBlock()
    {
        List<Extrinsic> decoded = new(_encoded.Length);
        foreach (byte[] bytes in _encoded)
        {
            Extrinsic.TryDecode(bytes, out Extrinsic? extrinsic, out _);
            decoded.Add(extrinsic!);
        }

        return _chain.ProduceBlock(_author, ChainBenchScenarios.GenesisTimeMs + ChainConstants.DefaultBlockTimeMs, decoded, candidatesVerified: false, out _);
    }

    private static byte[] Payload(in Hash256 genesisHash, Extrinsic extrinsic)
    {
        ReadOnlySpan<byte> tag = ChainConstants.TransactionTag;
        ReadOnlySpan<byte> unsigned = extrinsic.Encoded[..^Signature.Size];
        byte[] payload = new byte[tag.Length + Hash256.Size + unsigned.Length];
        tag.CopyTo(payload);
        genesisHash.CopyTo(payload.AsSpan(tag.Length));
        unsigned.CopyTo(payload.AsSpan(tag.Length + Hash256.Size));
        return payload;
    }
}

/// <summary>
/// <c>metagraph_ms_n4096</c>: the handler time of <c>subnet_getMetagraph</c> on a 4 096-uid subnet, built from the state
/// after a new block, against the baseline of a repeat call answered from the per-block cache.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class MetagraphBenchmarks
{
    private static readonly byte[] s_request = """{"jsonrpc":"2.0","id":1,"method":"subnet_getMetagraph","params":[1]}"""u8.ToArray();
    private Bittensor.Edge.Chain.Node.ChainNode _node = null!;
    private Bittensor.Edge.Chain.Rpc.ChainRpcHandler _handler = null!;

    /// <summary>Registers 4 096 uids, one per block (about 20 s).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _node = ChainBenchScenarios.CreateMetagraphNode();
        _handler = new Bittensor.Edge.Chain.Rpc.ChainRpcHandler(_node);
    }

    /// <summary>A new best block before the built call, so the cache is empty.</summary>
    [IterationSetup(Target = nameof(BuiltAfterNewBlock))]
    public void NewBlock()
    {
        ((Bittensor.Edge.Core.Time.ManualClock)_node.Clock).Advance(TimeSpan.FromMilliseconds(_node.Genesis.BlockTimeMs));
        _node.TryProduceBlock(out _);
    }

    /// <summary>A repeat call in the same block (the cache).</summary>
    [Benchmark(Baseline = true)]
    public byte[] Cached() => _handler.HandleAsync(s_request).AsTask().GetAwaiter().GetResult();

    /// <summary>The first call after a new block.</summary>
    [Benchmark]
    public byte[] BuiltAfterNewBlock() => _handler.HandleAsync(s_request).AsTask().GetAwaiter().GetResult();
}
