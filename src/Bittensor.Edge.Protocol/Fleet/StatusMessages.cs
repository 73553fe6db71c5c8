// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;

namespace Bittensor.Edge.Protocol.Fleet;

/// <summary>
/// The retained birth / last-will payload on <c>…/dev/{id}/status</c> and <c>…/gw/{gw}/status</c> (fleet.md §4):
/// <c>{"state":"online"|"offline","bdSeq":n,"ts":ms,"clean":bool}</c>.
/// </summary>
/// <param name="State"><see cref="Online"/> or <see cref="Offline"/>.</param>
/// <param name="BdSeq">The birth/death sequence number of this connection.</param>
/// <param name="Ts">Unix milliseconds when written.</param>
/// <param name="Clean">True for an orderly stop, false for the will.</param>
public sealed record StatusMessage(string State, ulong BdSeq, long Ts, bool Clean)
{
    /// <summary>The online state.</summary>
    public const string Online = "online";

    /// <summary>The offline state.</summary>
    public const string Offline = "offline";

    /// <summary>The UTF-8 JSON.</summary>
    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, FleetJsonContext.Default.StatusMessage);

    /// <summary>Parses a status payload; false for anything malformed.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> utf8, out StatusMessage? message)
    {
        try
        {
            message = JsonSerializer.Deserialize(utf8, FleetJsonContext.Default.StatusMessage);
            return message is not null && (message.State is Online or Offline);
        }
        catch (JsonException)
        {
            message = null;
            return false;
        }
    }

    /// <summary>
    /// Whether this status supersedes <paramref name="lastOnlineBdSeq"/>: readers ignore an <c>offline</c> whose
    /// bdSeq is older than the last <c>online</c> they saw (a late will of an earlier connection).
    /// </summary>
    public bool Supersedes(ulong? lastOnlineBdSeq) => State == Online || lastOnlineBdSeq is null || BdSeq >= lastOnlineBdSeq.Value;
}
