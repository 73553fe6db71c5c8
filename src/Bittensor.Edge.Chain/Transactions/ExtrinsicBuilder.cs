// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Immutable;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Transactions;

/// <summary>
/// Builds signed extrinsics for one network (the CLI, gateway and validators use it). Each method signs
/// with the given key, which is the call's signer (§2.5 says which key: coldkey or hotkey).
/// </summary>
/// <remarks>Immutable and thread-safe; the key pairs stay owned by the caller.</remarks>
public sealed class ExtrinsicBuilder
{
    /// <summary>Builds for the network whose genesis hash is <paramref name="genesisHash"/>.</summary>
    public ExtrinsicBuilder(Hash256 genesisHash)
    {
        GenesisHash = genesisHash;
    }

    /// <summary>The network's genesis hash.</summary>
    public Hash256 GenesisHash { get; }

    /// <summary>Signs any call.</summary>
    public Extrinsic Build(Ed25519KeyPair signer, ulong nonce, ulong validUntil, RuntimeCall call) =>
        Extrinsic.Create(signer, GenesisHash, nonce, validUntil, call);

    /// <summary>Call 0, signed by the sender.</summary>
    public Extrinsic Transfer(Ed25519KeyPair coldkey, ulong nonce, ulong validUntil, PublicKey dest, Rao amount) =>
        Build(coldkey, nonce, validUntil, new TransferCall(dest, amount));

    /// <summary>Call 1, signed by the future owner coldkey.</summary>
    public Extrinsic RegisterNetwork(Ed25519KeyPair coldkey, ulong nonce, ulong validUntil, PublicKey ownerHotkey) =>
        Build(coldkey, nonce, validUntil, new RegisterNetworkCall(ownerHotkey));

    /// <summary>Call 2, signed by the coldkey that pays and owns the hotkey.</summary>
    public Extrinsic BurnedRegister(Ed25519KeyPair coldkey, ulong nonce, ulong validUntil, Netuid netuid, PublicKey hotkey) =>
        Build(coldkey, nonce, validUntil, new BurnedRegisterCall(netuid, hotkey));

    /// <summary>Call 3, signed by the hotkey.</summary>
    public Extrinsic ServeAxon(Ed25519KeyPair hotkey, ulong nonce, ulong validUntil, Netuid netuid, uint version, UInt128 ip, ushort port, byte ipType, byte protocol = 4) =>
        Build(hotkey, nonce, validUntil, new ServeAxonCall(netuid, version, ip, port, ipType, protocol));

    /// <summary>Call 4, signed by the staking coldkey.</summary>
    public Extrinsic AddStake(Ed25519KeyPair coldkey, ulong nonce, ulong validUntil, PublicKey hotkey, Netuid netuid, Rao amount) =>
        Build(coldkey, nonce, validUntil, new AddStakeCall(hotkey, netuid, amount));

    /// <summary>Call 5, signed by the staking coldkey.</summary>
    public Extrinsic RemoveStake(Ed25519KeyPair coldkey, ulong nonce, ulong validUntil, PublicKey hotkey, Netuid netuid, Rao amount) =>
        Build(coldkey, nonce, validUntil, new RemoveStakeCall(hotkey, netuid, amount));

    /// <summary>Call 6, signed by the validator hotkey.</summary>
    public Extrinsic SetWeights(Ed25519KeyPair hotkey, ulong nonce, ulong validUntil, Netuid netuid, ReadOnlySpan<ushort> uids, ReadOnlySpan<ushort> weights, ulong versionKey = 0) =>
        Build(hotkey, nonce, validUntil, new SetWeightsCall(netuid, ImmutableArray.Create(uids), ImmutableArray.Create(weights), versionKey));

    /// <summary>Call 7, signed by the validator hotkey; computes the commit from the row to reveal later.</summary>
    public Extrinsic CommitWeights(Ed25519KeyPair hotkey, ulong nonce, ulong validUntil, Netuid netuid, ReadOnlySpan<ushort> uids, ReadOnlySpan<ushort> values, in Hash256 salt, ulong versionKey = 0)
    {
        ArgumentNullException.ThrowIfNull(hotkey);
        Hash256 commit = WeightCommitHash.Compute(hotkey.PublicKey, netuid, uids, values, salt, versionKey);
        return Build(hotkey, nonce, validUntil, new CommitWeightsCall(netuid, commit));
    }

    /// <summary>Call 8, signed by the validator hotkey.</summary>
    public Extrinsic RevealWeights(Ed25519KeyPair hotkey, ulong nonce, ulong validUntil, Netuid netuid, ReadOnlySpan<ushort> uids, ReadOnlySpan<ushort> values, in Hash256 salt, ulong versionKey = 0) =>
        Build(hotkey, nonce, validUntil, new RevealWeightsCall(netuid, ImmutableArray.Create(uids), ImmutableArray.Create(values), salt, versionKey));

    /// <summary>Call 9, signed by the subnet owner coldkey.</summary>
    public Extrinsic SetHyperparameter(Ed25519KeyPair ownerColdkey, ulong nonce, ulong validUntil, Netuid netuid, HyperparameterId id, ulong value) =>
        Build(ownerColdkey, nonce, validUntil, new SetHyperparameterCall(netuid, (ushort)id, value));

    /// <summary>Call 10, signed by the genesis sudo key.</summary>
    public Extrinsic SudoSetHyperparameter(Ed25519KeyPair sudo, ulong nonce, ulong validUntil, Netuid netuid, HyperparameterId id, ulong value) =>
        Build(sudo, nonce, validUntil, new SudoSetHyperparameterCall(netuid, (ushort)id, value));
}
