// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Telemetry.Bus;

/// <summary>Which of the device's subscriptions (fleet.md §4) a message came in on.</summary>
public enum BusInboundKind
{
    /// <summary><c>{base}/dev/{id}/cmd/{name}</c>: a signed command; <see cref="BusInboundMessage.CommandName"/> holds the name.</summary>
    Command,

    /// <summary><c>{base}/dev/{id}/rpc/req</c>: a signed storage or inference request.</summary>
    RpcRequest,

    /// <summary><c>{base}/dev/{id}/blob/resp</c>: a signed blob piece answering the device's <c>blob.get</c>.</summary>
    BlobResponse,

    /// <summary><c>{base}/dev/{id}/share</c>: the device's reward share (retained, from the gateway).</summary>
    Share,

    /// <summary><c>{base}/gw/{gw}/registry</c>: a gateway's signed model registry (retained).</summary>
    Registry,
}

/// <summary>
/// One inbound message as the device's handler sees it, valid after the handler returns. Nothing here is
/// verified; the handler opens the envelope (<c>BusEnvelope.TryOpen</c>) and drops what fails, so a malformed payload, a
/// missing or wrong-sized correlation id, or a bogus response topic reaches it unchanged.
/// </summary>
public sealed class BusInboundMessage
{
    internal BusInboundMessage(BusInboundKind kind, string topic, ReadOnlyMemory<byte> payload, byte[]? correlationData, string? responseTopic, bool duplicate, string? commandName)
    {
        Kind = kind;
        Topic = topic;
        Payload = payload;
        if (correlationData is not null)
        {
            CorrelationData = correlationData;
        }
        ResponseTopic = responseTopic;
        Duplicate = duplicate;
        CommandName = commandName;
    }

    /// <summary>The subscription it matched.</summary>
    public BusInboundKind Kind { get; }

    /// <summary>The full topic.</summary>
    public string Topic { get; }

    /// <summary>The payload bytes (for bus messages, the signed envelope of fleet.md §5).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The MQTT 5 CorrelationData (the 16-byte correlation id for requests); null when absent.</summary>
    public ReadOnlyMemory<byte>? CorrelationData { get; }

    /// <summary>The MQTT 5 ResponseTopic; null when absent.</summary>
    public string? ResponseTopic { get; }

    /// <summary>Whether the broker marked this a redelivery (DUP): the reply cache of fleet.md §5 answers it.</summary>
    public bool Duplicate { get; }

    /// <summary>For <see cref="BusInboundKind.Command"/>, the part after <c>cmd/</c> (e.g. <c>restart</c>); otherwise null.</summary>
    public string? CommandName { get; }
}
