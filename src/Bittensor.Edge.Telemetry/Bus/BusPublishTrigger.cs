// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Telemetry.Bus;

/// <summary>Why the connection runs its publish hooks (<see cref="DeviceBusConnection.AddPublishHook"/>).</summary>
public enum BusPublishTrigger
{
    /// <summary>A new connection: after CONNACK, the subscriptions and the birth. Publish discovery, state, then backfill.</summary>
    Connected,

    /// <summary><see cref="DeviceBusConnection.RebirthAsync"/> (the <c>cmd/rebirth</c> command) republished the birth: publish discovery and state.</summary>
    Rebirth,

    /// <summary>Home Assistant published <c>online</c> on <c>{haPrefix}/status</c>: republish discovery.</summary>
    HomeAssistantOnline,
}

/// <summary>How a publication is delivered.</summary>
public enum BusDelivery
{
    /// <summary>QoS 0: fire and forget (live telemetry samples).</summary>
    AtMostOnce,

    /// <summary>QoS 1: the publish completes when the broker's PUBACK arrives.</summary>
    AtLeastOnce,
}
