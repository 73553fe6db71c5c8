// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Verification;

namespace Bittensor.Edge.Cli.Commands.Axon;

/// <summary>
/// The axon's view of one subnet's metagraph, read from a node over JSON-RPC and refreshed after every new block
/// (a <c>chain_waitNewHead</c> long poll, so nothing polls on a timer).
/// </summary>
/// <remarks>
/// Lookups read an immutable snapshot that a refresh swaps in whole, so <see cref="TryGetNeuron"/> is safe from any
/// thread and never blocks on I/O. Until the first refresh, nobody is registered (every caller gets 403).
/// The gateway will need the same view; it moves to a project both can reach when the gateway arrives.
/// </remarks>
internal sealed class ChainMetagraphView : IMetagraphView
{
    private static readonly TimeSpan s_longPoll = TimeSpan.FromSeconds(25);

    private readonly ChainRpcClient _client;
    private readonly ushort _netuid;
    private readonly IClock _clock;
    private volatile Snapshot _snapshot = new(0, FrozenDictionary<PublicKey, NeuronView>.Empty);

    public ChainMetagraphView(ChainRpcClient client, ushort netuid, IClock clock)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(clock);
        _client = client;
        _netuid = netuid;
        _clock = clock;
    }

    /// <summary>The block of the metagraph now served.</summary>
    public ulong Block => _snapshot.Block;

    /// <summary>Registered hotkeys in the snapshot now served.</summary>
    public int Count => _snapshot.Neurons.Count;

    public bool TryGetNeuron(in PublicKey hotkey, [MaybeNullWhen(false)] out NeuronView neuron) =>
        _snapshot.Neurons.TryGetValue(hotkey, out neuron);

    /// <summary>Reads the metagraph now and serves it.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        RpcMetagraph metagraph = await _client.GetMetagraphAsync(_netuid, cancellationToken).ConfigureAwait(false);
        Dictionary<PublicKey, NeuronView> neurons = new(metagraph.N);
        for (int uid = 0; uid < metagraph.N; uid++)
        {
            neurons[metagraph.Hotkeys[uid]] = new NeuronView(metagraph.ValidatorPermit[uid], metagraph.Stake[uid].Value);
        }
        _snapshot = new Snapshot(metagraph.Block, neurons.ToFrozenDictionary());
    }

    /// <summary>Refreshes after every new block until cancelled; a failed read keeps the last snapshot and tries again at the next head.</summary>
    public async Task RunAsync(Action<Exception>? onError = null, CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                RpcHeader? head = await _client.WaitNewHeadAsync(_snapshot.Block, s_longPoll, cancellationToken).ConfigureAwait(false);
                if (head is not null)
                {
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or RpcException or TaskCanceledException)
            {
                onError?.Invoke(e);
                // The next long poll waits on the node; when the node is down it fails fast, so back off once per
                // failure on the long-poll timeout rather than spinning.
                try
                {
                    await _clock.DelayAsync(s_longPoll / 5, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private sealed record Snapshot(ulong Block, FrozenDictionary<PublicKey, NeuronView> Neurons);
}
