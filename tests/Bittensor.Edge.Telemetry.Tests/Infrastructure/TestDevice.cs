// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using System.Threading.Channels;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Telemetry.Bus;

namespace Bittensor.Edge.Telemetry.Tests.Infrastructure;

/// <summary>
/// A device's bus connection for tests: a temp directory for the bdSeq file, a manual clock, a counting password
/// factory, a list logger, and a reconnect driver that either advances the clock by each scheduled delay at once
/// (<see cref="AutoAdvance"/>) or queues the delays for the test.
/// </summary>
public sealed class TestDevice : IAsyncDisposable
{
    public const string Id = "dev-abcdefgh234567ab";

    private readonly Channel<TimeSpan> _retries = Channel.CreateUnbounded<TimeSpan>();
    private int _passwords;

    public TestDevice(Uri broker, Action<DeviceBusOptionsBuilder>? configure = null, bool autoAdvance = true)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("bte-telemetry-").FullName;
        AutoAdvance = autoAdvance;
        DeviceBusOptionsBuilder builder = new()
        {
            BrokerUri = broker,
            DeviceId = Id,
            Topics = FleetTopics.ForFleet("lab1"),
            BdSeqPath = Path.Combine(Directory, "bdseq"),
            PasswordFactory = _ => ValueTask.FromResult($"pw-{Interlocked.Increment(ref _passwords)}"),
        };
        configure?.Invoke(builder);
        Options = builder.Build();
        Connection = new DeviceBusConnection(Options, Clock, Logger, new Random(7));
        Connection.RetryScheduled += delay =>
        {
            Delays.Enqueue(delay);
            if (AutoAdvance)
            {
                Clock.Advance(delay);
            }
            else
            {
                _retries.Writer.TryWrite(delay);
            }
        };
    }

    public string Directory { get; }

    public ManualClock Clock { get; } = new();

    public ListLogger Logger { get; } = new();

    public DeviceBusOptions Options { get; }

    public DeviceBusConnection Connection { get; }

    public FleetTopics Topics => Options.Topics;

    public bool AutoAdvance { get; set; }

    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public int PasswordsIssued => Volatile.Read(ref _passwords);

    /// <summary>With <see cref="AutoAdvance"/> off: waits for the next reconnect delay to be scheduled and returns it.</summary>
    public async Task<TimeSpan> NextRetryAsync()
    {
        using CancellationTokenSource guard = new(TimeSpan.FromSeconds(20));
        return await _retries.Reader.ReadAsync(guard.Token);
    }

    /// <summary>With <see cref="AutoAdvance"/> off: waits for the next reconnect delay and lets it elapse.</summary>
    public async Task ReconnectNowAsync() => Clock.Advance(await NextRetryAsync());

    public async Task StartAndWaitAsync()
    {
        await Connection.StartAsync();
        await Connection.WaitConnectedAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Mutable stand-in for <see cref="DeviceBusOptions"/>'s init-only properties, so tests can tweak one.</summary>
public sealed class DeviceBusOptionsBuilder
{
    public required Uri BrokerUri { get; set; }

    public required string DeviceId { get; set; }

    public required FleetTopics Topics { get; set; }

    public required string BdSeqPath { get; set; }

    public required Func<CancellationToken, ValueTask<string>> PasswordFactory { get; set; }

    public TimeSpan WillDelay { get; set; } = TimeSpan.FromSeconds(15);

    public string? TlsSha256 { get; set; }

    public DeviceBusOptions Build() => new()
    {
        BrokerUri = BrokerUri,
        DeviceId = DeviceId,
        Topics = Topics,
        BdSeqPath = BdSeqPath,
        PasswordFactory = PasswordFactory,
        WillDelay = WillDelay,
        TlsSha256 = TlsSha256,
    };
}
