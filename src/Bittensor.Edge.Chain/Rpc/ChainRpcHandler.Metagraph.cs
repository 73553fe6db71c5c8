// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Text.Json;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Rpc;

// subnet_getMetagraph: one pass over the neurons (neuron record, owner coldkey, stake total per uid), SS58 strings
// from a cache, and the finished JSON cached per subnet until the best block changes. Caches are touched only under
// the chain lock.
public sealed partial class ChainRpcHandler
{
    private readonly AddressCache _addresses = new();
    private readonly Dictionary<ushort, (Hash256 Block, byte[] Json)> _metagraphs = [];

    // A hotkey's owner never changes once set (§2.1), and an unchanged state entry keeps its value array, so decoded
    // neurons are reused until their bytes change: a new block re-decodes only the neurons it touched.
    private readonly Dictionary<PublicKey, PublicKey> _owners = [];
    private readonly Dictionary<int, (byte[] Raw, NeuronInfo Neuron)> _neurons = [];

    private RpcError? SubnetMetagraph(RpcParams p, RawResult raw)
    {
        if (First(p.GetU16(0, "netuid", out ushort netuid), p.GetBlock(1, "block", out BlockSelector selector)) is RpcError bad)
        {
            return bad;
        }

        return _node.Read(view =>
        {
            if (ResolveState(view, selector) is RpcError error)
            {
                return error;
            }

            if (!_metagraphs.TryGetValue(netuid, out (Hash256 Block, byte[] Json) cached) || cached.Block != view.BestHash)
            {
                ChainState state = view.State();
                if (ResolveSubnet(state, netuid, out SubnetInfo? subnet) is RpcError missing)
                {
                    return missing;
                }

                cached = (view.BestHash, BuildMetagraph(state, new Netuid(netuid), subnet!, view.BestNumber));
                _metagraphs[netuid] = cached;
            }

            raw.Json = cached.Json;
            return (RpcError?)null;
        });
    }

    private byte[] BuildMetagraph(ChainState state, Netuid netuid, SubnetInfo subnet, ulong block)
    {
        int n = subnet.N;
        NeuronInfo[] neurons = new NeuronInfo[n];
        string[] coldkeys = new string[n];
        Rao[] stakes = new Rao[n];
        for (int uid = 0; uid < n; uid++)
        {
            NeuronInfo neuron = ReadNeuron(state, netuid, (ushort)uid);
            neurons[uid] = neuron;
            if (!_owners.TryGetValue(neuron.Hotkey, out PublicKey owner) && state.TryGetHotkey(neuron.Hotkey, out HotkeyInfo info))
            {
                owner = info.Owner;
                _owners[neuron.Hotkey] = owner;
            }

            coldkeys[uid] = _addresses.Get(owner);
            stakes[uid] = state.GetHotkeyStake(netuid, neuron.Hotkey);
        }

        ArrayBufferWriter<byte> buffer = new(256 + (n * 400));
        using (Utf8JsonWriter writer = new(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("netuid"u8, netuid.Value);
            writer.WriteNumber("block"u8, block);
            writer.WriteNumber("n"u8, n);
            writer.WriteStartArray("hotkeys"u8);
            foreach (NeuronInfo neuron in neurons)
            {
                writer.WriteStringValue(_addresses.Get(neuron.Hotkey));
            }

            writer.WriteEndArray();
            writer.WriteStartArray("coldkeys"u8);
            foreach (string coldkey in coldkeys)
            {
                writer.WriteStringValue(coldkey);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("stake"u8);
            Span<char> digits = stackalloc char[20];
            foreach (Rao stake in stakes)
            {
                stake.Value.TryFormat(digits, out int written, default, System.Globalization.CultureInfo.InvariantCulture);
                writer.WriteStringValue(digits[..written]);
            }

            writer.WriteEndArray();
            WriteBools(writer, "active"u8, neurons, static x => x.Active);
            WriteNumbers(writer, "lastUpdate"u8, neurons, static x => x.LastUpdate);
            WriteNumbers(writer, "blockAtRegistration"u8, neurons, static x => x.BlockAtRegistration);
            WriteBools(writer, "validatorPermit"u8, neurons, static x => x.ValidatorPermit);
            WriteNumbers(writer, "consensus"u8, neurons, static x => x.Consensus);
            WriteNumbers(writer, "incentive"u8, neurons, static x => x.Incentive);
            WriteNumbers(writer, "dividends"u8, neurons, static x => x.Dividends);
            writer.WriteStartArray("emission"u8);
            foreach (NeuronInfo neuron in neurons)
            {
                neuron.Emission.Value.TryFormat(digits, out int written, default, System.Globalization.CultureInfo.InvariantCulture);
                writer.WriteStringValue(digits[..written]);
            }

            writer.WriteEndArray();
            WriteNumbers(writer, "validatorTrust"u8, neurons, static x => x.ValidatorTrust);

            // pruningScore is the uid's emission in the last epoch (§2.6).
            writer.WriteStartArray("pruningScore"u8);
            foreach (NeuronInfo neuron in neurons)
            {
                neuron.Emission.Value.TryFormat(digits, out int written, default, System.Globalization.CultureInfo.InvariantCulture);
                writer.WriteStringValue(digits[..written]);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("axons"u8);
            foreach (NeuronInfo neuron in neurons)
            {
                RpcJson.WriteAxon(writer, neuron.Axon);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private NeuronInfo ReadNeuron(ChainState state, Netuid netuid, ushort uid)
    {
        if (!state.Overlay.TryGet(StateKeys.Neuron(netuid, new Uid(uid)), out byte[]? raw))
        {
            return state.GetNeuron(netuid, new Uid(uid)); // throws the corrupt-state error
        }

        int slot = (netuid.Value << 16) | uid;
        if (_neurons.TryGetValue(slot, out (byte[] Raw, NeuronInfo Neuron) cached) && ReferenceEquals(cached.Raw, raw))
        {
            return cached.Neuron;
        }

        NeuronInfo neuron = state.GetNeuron(netuid, new Uid(uid));
        _neurons[slot] = (raw, neuron);
        return neuron;
    }

    private static void WriteBools(Utf8JsonWriter writer, ReadOnlySpan<byte> name, NeuronInfo[] neurons, Func<NeuronInfo, bool> select)
    {
        writer.WriteStartArray(name);
        foreach (NeuronInfo neuron in neurons)
        {
            writer.WriteBooleanValue(select(neuron));
        }

        writer.WriteEndArray();
    }

    private static void WriteNumbers(Utf8JsonWriter writer, ReadOnlySpan<byte> name, NeuronInfo[] neurons, Func<NeuronInfo, ulong> select)
    {
        writer.WriteStartArray(name);
        foreach (NeuronInfo neuron in neurons)
        {
            writer.WriteNumberValue(select(neuron));
        }

        writer.WriteEndArray();
    }
}
