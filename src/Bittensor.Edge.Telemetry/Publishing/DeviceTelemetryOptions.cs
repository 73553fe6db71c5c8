// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Telemetry.Publishing;

/// <summary>
/// Settings of <see cref="DeviceTelemetry"/>: the outbox file, what Home Assistant shows, and the store-and-forward limits
/// of fleet.md §7. Validated by <see cref="DeviceTelemetry"/>'s constructor, which names the bad setting.
/// </summary>
/// <remarks>
/// <para><b>The disk bound.</b> The outbox keeps at most <see cref="MaxOutboxSamples"/> samples (default 10 080: seven days
/// at the default 60 s period, the same horizon as <see cref="MaxSampleAge"/>, so the count limit only bites when
/// <c>telemetryPeriodS</c> is lowered) and <see cref="MaxOutboxEvents"/> events (default 1 000: events are rare, and a
/// device that logs more than that while offline is failing in a loop whose first and latest events are what matter;
/// the oldest go first). A sample is about 300–400 bytes of JSON, an event a few hundred, so a full outbox holds about
/// 4–5 MB of documents; LiteDB reuses freed pages, so the file stays near that high-water mark (under 8 MiB including
/// index and log pages) instead of growing across outages.</para>
/// </remarks>
public sealed class DeviceTelemetryOptions
{
    /// <summary>The LiteDB outbox file, e.g. <c>/var/lib/bte/outbox.db</c>; created with its directory.</summary>
    public required string OutboxPath { get; init; }

    /// <summary>The gateway id whose <c>ha/cmd</c> topic the Home Assistant buttons publish to.</summary>
    public required string GatewayId { get; init; }

    /// <summary>What Home Assistant shows about the device.</summary>
    public required DeviceDescription Device { get; init; }

    /// <summary>Samples kept in RAM while offline; 1 440 (24 h at 60 s). The oldest is dropped when full.</summary>
    public int RingCapacity { get; init; } = 1440;

    /// <summary>How often the RAM ring is appended to the outbox in one batched write; 15 min (limits SD wear).</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Samples older than this are dropped; 7 days.</summary>
    public TimeSpan MaxSampleAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Samples per backfill message; at most 60.</summary>
    public int BackfillBatch { get; init; } = 60;

    /// <summary>Outbox messages (backfill and events) sent per second at most; 5.</summary>
    public int MessagesPerSecond { get; init; } = 5;

    /// <summary>The most samples the outbox keeps; 10 080 (see the remarks).</summary>
    public int MaxOutboxSamples { get; init; } = 10_080;

    /// <summary>The most events the outbox keeps; 1 000 (see the remarks).</summary>
    public int MaxOutboxEvents { get; init; } = 1_000;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Device);
        if (string.IsNullOrWhiteSpace(OutboxPath))
        {
            ThrowHelper.ThrowArgument(nameof(OutboxPath), "outboxPath is required (e.g. /var/lib/bte/outbox.db).");
        }

        if (string.IsNullOrEmpty(GatewayId) || GatewayId.AsSpan().IndexOfAny("/+#\0") >= 0)
        {
            ThrowHelper.ThrowArgument(nameof(GatewayId), $"gatewayId '{GatewayId}' must be one MQTT topic level (no '/', '+', '#').");
        }

        Check(RingCapacity, 1, 1_000_000, nameof(RingCapacity));
        Check(BackfillBatch, 1, 60, nameof(BackfillBatch));
        Check(MessagesPerSecond, 1, 1000, nameof(MessagesPerSecond));
        Check(MaxOutboxSamples, 1, 10_000_000, nameof(MaxOutboxSamples));
        Check(MaxOutboxEvents, 1, 1_000_000, nameof(MaxOutboxEvents));
        if (FlushInterval <= TimeSpan.Zero || MaxSampleAge <= TimeSpan.Zero)
        {
            ThrowHelper.ThrowArgument(FlushInterval <= TimeSpan.Zero ? nameof(FlushInterval) : nameof(MaxSampleAge), "flushInterval and maxSampleAge must be positive.");
        }
    }

    private static void Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            ThrowHelper.ThrowArgument(name, $"{char.ToLowerInvariant(name[0])}{name[1..]} {value} must be between {min} and {max}.");
        }
    }
}
