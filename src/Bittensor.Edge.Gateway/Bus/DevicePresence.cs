// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Gateway.Bus;

/// <summary>What the gateway knows of a device's connection.</summary>
/// <param name="State"><c>online</c>, <c>offline</c>, or <c>unknown</c> when no status was seen since the gateway started.</param>
/// <param name="BdSeq">The birth/death sequence number of the status that set <paramref name="State"/>.</param>
/// <param name="LastSeen">The last time the device published anything.</param>
/// <param name="Clean">For <c>offline</c>: whether it was a clean stop rather than the will.</param>
public sealed record DevicePresenceInfo(string State, ulong? BdSeq, DateTimeOffset? LastSeen, bool? Clean)
{
    /// <summary>Nothing seen yet.</summary>
    public static DevicePresenceInfo Unknown { get; } = new("unknown", null, null, null);
}

/// <summary>
/// Online/offline per device from the retained <c>…/dev/{id}/status</c> messages with the bdSeq rule of fleet.md §4:
/// an <c>offline</c> whose bdSeq is older than the last <c>online</c> seen is a late will of an earlier connection and
/// is ignored. Also keeps the last time each device published anything.
/// </summary>
/// <remarks>Thread-safe. In memory: after a gateway restart devices read as unknown until they reconnect and publish
/// their birth, which they do because the restart dropped their connection.</remarks>
public sealed class DevicePresence
{
    private readonly ConcurrentDictionary<string, Entry> _devices = new(StringComparer.Ordinal);

    /// <summary>Applies a status message; false when it was ignored by the bdSeq rule.</summary>
    public bool OnStatus(string deviceId, StatusMessage status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        Entry entry = _devices.GetOrAdd(deviceId, _ => new Entry());
        lock (entry)
        {
            entry.LastSeen = now;
            if (!status.Supersedes(entry.LastOnlineBdSeq))
            {
                return false;
            }

            if (status.State == StatusMessage.Online)
            {
                entry.LastOnlineBdSeq = status.BdSeq;
            }

            entry.Info = new DevicePresenceInfo(status.State, status.BdSeq, now, status.State == StatusMessage.Offline ? status.Clean : null);
            return true;
        }
    }

    /// <summary>Records that <paramref name="deviceId"/> published something at <paramref name="now"/>.</summary>
    public void OnSeen(string deviceId, DateTimeOffset now)
    {
        Entry entry = _devices.GetOrAdd(deviceId, _ => new Entry());
        lock (entry)
        {
            entry.LastSeen = now;
        }
    }

    /// <summary>The presence of <paramref name="deviceId"/>.</summary>
    public DevicePresenceInfo Get(string deviceId)
    {
        if (!_devices.TryGetValue(deviceId, out Entry? entry))
        {
            return DevicePresenceInfo.Unknown;
        }

        lock (entry)
        {
            return entry.Info with { LastSeen = entry.LastSeen };
        }
    }

    /// <summary>Forgets <paramref name="deviceId"/> (after revocation).</summary>
    public void Forget(string deviceId) => _devices.TryRemove(deviceId, out _);

    private sealed class Entry
    {
        public ulong? LastOnlineBdSeq { get; set; }

        public DateTimeOffset? LastSeen { get; set; }

        public DevicePresenceInfo Info { get; set; } = DevicePresenceInfo.Unknown;
    }
}
