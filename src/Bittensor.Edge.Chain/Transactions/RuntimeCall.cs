// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Immutable;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Serialization;

namespace Bittensor.Edge.Chain.Transactions;

/// <summary>
/// A call of specs/protocol.md §2.5: its <see cref="Id"/> and its arguments, encoded after the <c>u16</c>
/// call index in an extrinsic. The hierarchy is closed: one sealed record per call.
/// </summary>
/// <remarks>Immutable and thread-safe. Records with vectors compare those vectors by reference; compare encodings instead.</remarks>
public abstract record RuntimeCall
{
    private protected RuntimeCall()
    {
    }

    /// <summary>The call index.</summary>
    public abstract CallId Id { get; }

    /// <summary>Whether the call is free (signed by a registered hotkey) rather than paid (§2.4).</summary>
    public bool IsFree => Id is CallId.ServeAxon or CallId.SetWeights or CallId.CommitWeights or CallId.RevealWeights;

    /// <summary>Writes the call arguments (not the index).</summary>
    public abstract void EncodeArgs(ref SpanWriter writer);

    /// <summary>Reads the arguments of call <paramref name="id"/>.</summary>
    /// <exception cref="EncodingException">The call index is unknown or the arguments are malformed.</exception>
    public static RuntimeCall DecodeArgs(ref SpanReader reader, ushort id)
    {
        switch (id)
        {
            case (ushort)CallId.Transfer:
                return new TransferCall(reader.ReadPublicKey(), new Rao(reader.ReadU64()));
            case (ushort)CallId.RegisterNetwork:
                return new RegisterNetworkCall(reader.ReadPublicKey());
            case (ushort)CallId.BurnedRegister:
                return new BurnedRegisterCall(new Netuid(reader.ReadU16()), reader.ReadPublicKey());
            case (ushort)CallId.ServeAxon:
                return new ServeAxonCall(new Netuid(reader.ReadU16()), reader.ReadU32(), reader.ReadU128(), reader.ReadU16(), reader.ReadU8(), reader.ReadU8());
            case (ushort)CallId.AddStake:
                return new AddStakeCall(reader.ReadPublicKey(), new Netuid(reader.ReadU16()), new Rao(reader.ReadU64()));
            case (ushort)CallId.RemoveStake:
                return new RemoveStakeCall(reader.ReadPublicKey(), new Netuid(reader.ReadU16()), new Rao(reader.ReadU64()));
            case (ushort)CallId.SetWeights:
            {
                Netuid netuid = new(reader.ReadU16());
                ImmutableArray<ushort> uids = ReadU16Vec(ref reader);
                ImmutableArray<ushort> weights = ReadU16Vec(ref reader);
                return new SetWeightsCall(netuid, uids, weights, reader.ReadU64());
            }

            case (ushort)CallId.CommitWeights:
                return new CommitWeightsCall(new Netuid(reader.ReadU16()), reader.ReadHash256());
            case (ushort)CallId.RevealWeights:
            {
                Netuid netuid = new(reader.ReadU16());
                ImmutableArray<ushort> uids = ReadU16Vec(ref reader);
                ImmutableArray<ushort> values = ReadU16Vec(ref reader);
                Hash256 salt = reader.ReadHash256();
                return new RevealWeightsCall(netuid, uids, values, salt, reader.ReadU64());
            }

            case (ushort)CallId.SetHyperparameter:
                return new SetHyperparameterCall(new Netuid(reader.ReadU16()), reader.ReadU16(), reader.ReadU64());
            case (ushort)CallId.SudoSetHyperparameter:
                return new SudoSetHyperparameterCall(new Netuid(reader.ReadU16()), reader.ReadU16(), reader.ReadU64());
            default:
                ThrowHelper.ThrowEncoding($"Unknown call index {id}.", reader.Position - sizeof(ushort));
                return null;
        }
    }

    internal static ImmutableArray<ushort> ReadU16Vec(ref SpanReader reader)
    {
        int count = reader.ReadCount(sizeof(ushort), ChainConstants.MaxWeightEntries);
        ushort[] values = new ushort[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadU16();
        }

        return ImmutableArray.Create(values);
    }

    internal static void WriteU16Vec(ref SpanWriter writer, ImmutableArray<ushort> values)
    {
        ReadOnlySpan<ushort> span = values.IsDefault ? default : values.AsSpan();
        writer.WriteCount(span.Length);
        foreach (ushort value in span)
        {
            writer.WriteU16(value);
        }
    }
}

/// <summary>Call 0: moves <paramref name="Amount"/> of free balance to <paramref name="Dest"/>.</summary>
/// <param name="Dest">The receiving account.</param>
/// <param name="Amount">The amount moved.</param>
public sealed record TransferCall(PublicKey Dest, Rao Amount) : RuntimeCall
{
    /// <inheritdoc/>
    public override CallId Id => CallId.Transfer;

    /// <inheritdoc/>
    public override void EncodeArgs(ref SpanWriter writer)
    {
        writer.Write(Dest);
        writer.WriteU64(Amount.Value);
    }
}

/// <summary>Call 1: creates a subnet owned by the signer, with <paramref name="OwnerHotkey"/> as uid 0.</summary>
/// <param name="OwnerHotkey">The owner's hotkey, registered as uid 0 and never pruned.</param>
public sealed record RegisterNetworkCall(PublicKey OwnerHotkey) : RuntimeCall
{
    /// <inheritdoc/>
    public override CallId Id => CallId.RegisterNetwork;

    /// <inheritdoc/>
    public override void EncodeArgs(ref SpanWriter writer) => writer.Write(OwnerHotkey);
}

/// <summary>Call 2: registers <paramref name="Hotkey"/> on <paramref name="Netuid"/> for the burn price.</summary>
/// <param name="Netuid">The subnet.</param>
/// <param name="Hotkey">The hotkey to register; the signer becomes its owner on first registration.</param>
public sealed record BurnedRegisterCall(Netuid Netuid, PublicKey Hotkey) : RuntimeCall
{
    /// <inheritdoc/>
    public override CallId Id => CallId.BurnedRegister;

    /// <inheritdoc/>
    public override void EncodeArgs(ref SpanWriter writer)
    {
        writer.WriteU16(Netuid.Value);
        writer.Write(Hotkey);
    }
}

/// <summary>Call 3: publishes the signing hotkey's axon on <paramref name="Netuid"/>.</summary>
/// <param name="Netuid">The subnet.</param>
/// <param name="Version">The axon version.</param>
/// <param name="Ip">The address: an IPv4 value in the low 32 bits, or an IPv6 value; 0 clears the record.</param>
/// <param name="Port">The port, not 0.</param>
/// <param name="IpType">4 or 6.</param>
/// <param name="Protocol">Opaque to the chain; 4 is the SDK default.</param>
public sealed record ServeAxonCall(Netuid Netuid, uint Version, UInt128 Ip, ushort Port, byte IpType, byte Protocol) : RuntimeCall
{
    /// <inheritdoc/>
    public override CallId Id => CallId.ServeAxon;

    /// <inheritdoc/>
    public override void EncodeArgs(ref SpanWriter writer)
    {
        writer.WriteU16(Netuid.Value);
        writer.WriteU32(Version);
        writer.WriteU128(Ip);
        writer.WriteU16(Port);
        writer.WriteU8(IpType);
        writer.WriteU8(Protocol);
    }
}

/// <summary>Call 4: moves <paramref name="Amount"/> of the signer's free balance into stake on <paramref name="Hotkey"/>.</summary>
/// <param name="Hotkey">A hotkey registered on <paramref name="Netuid"/>.</param>
/// <param name="Netuid">The subnet.</param>
/// <param name="Amount">The amount staked.</param>
public sealed record AddStakeCall(PublicKey Hotkey, Netuid Netuid, Rao Amount) : RuntimeCall
{
    /// <inheritdoc/>
    public override CallId Id => CallId.AddStake;

    /// <inheritdoc/>
    public override void EncodeArgs(ref SpanWriter writer)
    {
        writer.Write(Hotkey);
        writer.WriteU16(Netuid.Value);
        writer.WriteU64(Amount.Value);
    }
}

/// <summary>Call 5: moves <paramref name="Amount"/> of stake on <paramref name="Hotkey"/> back to the signer's free balance.</summary>
/// <param name="Hotkey">A hotkey registered on <paramref name="Netuid"/>.</param>
/// <param name="Netuid">The subnet.</param>
/// <param name="Amount">The amount unstaked.</param>
public sealed record RemoveStakeCall(PublicKey Hotkey, Netuid Netuid, Rao Amount) : RuntimeCall
{
    /// <inheritdoc/>
    public override CallId Id => CallId.RemoveStake;

    /// <inheritdoc/>
    public override void EncodeArgs(ref SpanWriter writer)
    {
        writer.Write(Hotkey);
        writer.WriteU16(Netuid.Value);
        writer.WriteU64(Amount.Value);
    }
}

/// <summary>Call 6: sets the signing hotkey's weights row on <paramref name="Netuid"/>.</summary>
/// <param name="Netuid">The subnet.</param>
/// <param name="Uids">The uids weighted.</param>
/// <param name="Weights">One u16 weight per uid.</param>
/// <param name="VersionKey">Must be at least the subnet's <c>weights_version_key</c>.</param>
public sealed record SetWeightsCall(Netuid Netuid, ImmutableArray<ushort> Uids, ImmutableArray<ushort> Weights, ulong VersionKey) : RuntimeCall
{
    /// <inheritdoc/>
    public override CallId Id => CallId.SetWeights;

    /// <inheritdoc/>
    public override void EncodeArgs(ref SpanWriter writer)
    {
        writer.WriteU16(Netuid.Value);
        WriteU16Vec(ref writer, Uids);
        WriteU16Vec(ref writer, Weights);
        writer.WriteU64(VersionKey);
    }
}

/// <summary>Call 7: commits to a weights row by hash (§2.5.7).</summary>
/// <param name="Netuid">The subnet.</param>
/// <param name="Commit">The commit hash; see <see cref="WeightCommitHash"/>.</param>
public sealed record CommitWeightsCall(Netuid Netuid, Hash256 Commit) : RuntimeCall
{
    /// <inheritdoc/>
    public override CallId Id => CallId.CommitWeights;

    /// <inheritdoc/>
    public override void EncodeArgs(ref SpanWriter writer)
    {
        writer.WriteU16(Netuid.Value);
        writer.Write(Commit);
    }
}

/// <summary>Call 8: reveals a committed weights row (§2.5.7).</summary>
/// <param name="Netuid">The subnet.</param>
/// <param name="Uids">The uids weighted.</param>
/// <param name="Values">The weights as committed (before max-upscaling).</param>
/// <param name="Salt">The commit salt.</param>
/// <param name="VersionKey">The version key committed to.</param>
public sealed record RevealWeightsCall(Netuid Netuid, ImmutableArray<ushort> Uids, ImmutableArray<ushort> Values, Hash256 Salt, ulong VersionKey) : RuntimeCall
{
    /// <inheritdoc/>
    public override CallId Id => CallId.RevealWeights;

    /// <inheritdoc/>
    public override void EncodeArgs(ref SpanWriter writer)
    {
        writer.WriteU16(Netuid.Value);
        WriteU16Vec(ref writer, Uids);
        WriteU16Vec(ref writer, Values);
        writer.Write(Salt);
        writer.WriteU64(VersionKey);
    }
}

/// <summary>Call 9: the subnet owner sets hyperparameter <paramref name="ParameterId"/> (§2.3) within its bounds.</summary>
/// <param name="Netuid">The subnet.</param>
/// <param name="ParameterId">The hyperparameter id of §2.3.</param>
/// <param name="Value">The new value.</param>
public sealed record SetHyperparameterCall(Netuid Netuid, ushort ParameterId, ulong Value) : RuntimeCall
{
    /// <inheritdoc/>
    public override CallId Id => CallId.SetHyperparameter;

    /// <inheritdoc/>
    public override void EncodeArgs(ref SpanWriter writer)
    {
        writer.WriteU16(Netuid.Value);
        writer.WriteU16(ParameterId);
        writer.WriteU64(Value);
    }
}

/// <summary>Call 10: the genesis sudo key sets hyperparameter <paramref name="ParameterId"/> within its bounds.</summary>
/// <param name="Netuid">The subnet.</param>
/// <param name="ParameterId">The hyperparameter id of §2.3.</param>
/// <param name="Value">The new value.</param>
public sealed record SudoSetHyperparameterCall(Netuid Netuid, ushort ParameterId, ulong Value) : RuntimeCall
{
    /// <inheritdoc/>
    public override CallId Id => CallId.SudoSetHyperparameter;

    /// <inheritdoc/>
    public override void EncodeArgs(ref SpanWriter writer)
    {
        writer.WriteU16(Netuid.Value);
        writer.WriteU16(ParameterId);
        writer.WriteU64(Value);
    }
}
