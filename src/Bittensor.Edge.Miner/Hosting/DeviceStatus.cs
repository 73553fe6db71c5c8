// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Boards.StatusLed;
using Bittensor.Edge.Boards.Thermal;

namespace Bittensor.Edge.Miner.Hosting;

/// <summary>Where the device is in its life (the <c>miner_state</c> of fleet.md §8), from start to stop.</summary>
public enum MinerState
{
    /// <summary>Settings loaded, hardware and key being set up.</summary>
    Starting,

    /// <summary>The sector store is opening and reconciling (storage-proofs.md §8); storage requests get <c>Busy</c>.</summary>
    Reconciling,

    /// <summary>No usable first-boot file and no enrollment: the device does not know its fleet.</summary>
    Unconfigured,

    /// <summary>The wall clock is not known to be right yet (fleet.md §2, Clock); the device does not connect.</summary>
    WaitingForTime,

    /// <summary>Running the join exchange with the gateway (fleet.md §3).</summary>
    Joining,

    /// <summary>Enrolled, connecting (or reconnecting) to the gateway's broker as itself.</summary>
    Connecting,

    /// <summary>Connected, birth published, serving requests.</summary>
    Online,

    /// <summary>The gateway rejected the join; the reason is in <see cref="DeviceStatus.Detail"/>.</summary>
    Rejected,

    /// <summary>The gateway revoked the enrollment (<c>cmd/revoke</c>): no work is taken; data is kept.</summary>
    Revoked,

    /// <summary>The store or another essential service failed; see the log.</summary>
    Error,

    /// <summary>SIGTERM: finishing work, then the clean offline.</summary>
    Stopping,
}

/// <summary>
/// The device's live status, shared by the main loop (which samples the board), the fleet session (which connects) and
/// the bus handlers (which ask <see cref="CanIngest"/> and <see cref="CanInfer"/>): the lifecycle state, the thermal
/// state with its temperature, power and throttling, whether the store is ready, and whether the device is draining for
/// shutdown. Every change bumps <see cref="Version"/>, which the main loop turns into <c>STATUS=</c> and a state
/// publication.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class DeviceStatus
{
    private readonly Lock _lock = new();
    private MinerState _state = MinerState.Starting;
    private string? _detail;
    private ThermalState _thermal;
    private double? _temperatureC;
    private bool _underVoltage;
    private ThrottledFlags? _throttled;
    private bool _storeReady;
    private bool _draining;
    private long _version;

    /// <summary>Bumped on every change.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The lifecycle state.</summary>
    public MinerState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>A line on the current state (a reject reason, the store error), or null.</summary>
    public string? Detail
    {
        get
        {
            lock (_lock)
            {
                return _detail;
            }
        }
    }

    /// <summary>The thermal policy state.</summary>
    public ThermalState Thermal
    {
        get
        {
            lock (_lock)
            {
                return _thermal;
            }
        }
    }

    /// <summary>The last good temperature reading in °C, or null before one.</summary>
    public double? TemperatureC
    {
        get
        {
            lock (_lock)
            {
                return _temperatureC;
            }
        }
    }

    /// <summary>Whether the supply is fine (false while under-voltage is reported now).</summary>
    public bool PowerOk
    {
        get
        {
            lock (_lock)
            {
                return !_underVoltage;
            }
        }
    }

    /// <summary>The last throttled word, or null where the board has none.</summary>
    public ThrottledFlags? Throttled
    {
        get
        {
            lock (_lock)
            {
                return _throttled;
            }
        }
    }

    /// <summary>Whether the sector store is open and reconciled.</summary>
    public bool StoreReady
    {
        get
        {
            lock (_lock)
            {
                return _storeReady;
            }
        }
    }

    /// <summary>Whether the device is stopping and takes no new work.</summary>
    public bool Draining
    {
        get
        {
            lock (_lock)
            {
                return _draining;
            }
        }
    }

    /// <summary>The state as the fleet sees it (<c>waiting-for-time</c>, <c>online</c>, ...).</summary>
    public static string Name(MinerState state) => state switch
    {
        MinerState.Starting => "starting",
        MinerState.Reconciling => "reconciling",
        MinerState.Unconfigured => "unconfigured",
        MinerState.WaitingForTime => "waiting-for-time",
        MinerState.Joining => "joining",
        MinerState.Connecting => "connecting",
        MinerState.Online => "online",
        MinerState.Rejected => "rejected",
        MinerState.Revoked => "revoked",
        MinerState.Error => "error",
        _ => "stopping",
    };

    /// <summary>
    /// The <c>minerState</c> of the retained state document, one of the telemetry library's
    /// <c>DeviceStates.MinerStates</c>: <c>working</c> when online and serving, <c>degraded</c> when online but hot,
    /// critical or under-voltage, <c>reconciling</c> while the store opens, and the lifecycle state otherwise
    /// (<c>unconfigured</c> reads as <c>joining</c>, <c>rejected</c> as <c>error</c>).
    /// </summary>
    public string PublishedState()
    {
        lock (_lock)
        {
            return _state switch
            {
                MinerState.Stopping => "stopping",
                MinerState.Revoked => "revoked",
                MinerState.Error or MinerState.Rejected => "error",
                MinerState.WaitingForTime => "waiting-for-time",
                MinerState.Unconfigured or MinerState.Joining => "joining",
                _ when !_storeReady => "reconciling",
                MinerState.Reconciling => "reconciling",
                MinerState.Online when _thermal >= ThermalState.Hot || _underVoltage => "degraded",
                MinerState.Online => "working",
                MinerState.Connecting => "connecting",
                _ => "starting",
            };
        }
    }

    /// <summary>The thermal state as the fleet sees it.</summary>
    public static string Name(ThermalState state) => state switch
    {
        ThermalState.Warm => "warm",
        ThermalState.Hot => "hot",
        ThermalState.Critical => "critical",
        _ => "normal",
    };

    /// <summary>Moves to <paramref name="state"/> with an optional <paramref name="detail"/>; <c>Stopping</c> is final.</summary>
    /// <returns>Whether anything changed.</returns>
    public bool SetState(MinerState state, string? detail = null)
    {
        lock (_lock)
        {
            if (_state == MinerState.Stopping || (_state == state && _detail == detail))
            {
                return false;
            }

            _state = state;
            _detail = detail;
            Interlocked.Increment(ref _version);
            return true;
        }
    }

    /// <summary>Records a thermal sample.</summary>
    public void SetThermal(ThermalState state, double? temperatureC)
    {
        lock (_lock)
        {
            bool changed = state != _thermal;
            _thermal = state;
            _temperatureC = temperatureC ?? _temperatureC;
            if (changed)
            {
                Interlocked.Increment(ref _version);
            }
        }
    }

    /// <summary>Records the under-voltage flag.</summary>
    public void SetUnderVoltage(bool underVoltage)
    {
        lock (_lock)
        {
            if (underVoltage != _underVoltage)
            {
                _underVoltage = underVoltage;
                Interlocked.Increment(ref _version);
            }
        }
    }

    /// <summary>Records the throttled word.</summary>
    public void SetThrottled(ThrottledFlags flags)
    {
        lock (_lock)
        {
            if (flags != _throttled)
            {
                _throttled = flags;
                Interlocked.Increment(ref _version);
            }
        }
    }

    /// <summary>Marks the store ready (or not).</summary>
    public void SetStoreReady(bool ready)
    {
        lock (_lock)
        {
            if (ready != _storeReady)
            {
                _storeReady = ready;
                Interlocked.Increment(ref _version);
            }
        }
    }

    /// <summary>Stops taking new work (SIGTERM) and moves to <see cref="MinerState.Stopping"/>.</summary>
    public void BeginDraining()
    {
        lock (_lock)
        {
            _draining = true;
            _state = MinerState.Stopping;
            _detail = null;
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>
    /// Whether storage ingest (<c>storage.put</c>, <c>storage.delete</c>) may run now (fleet.md §2): not while critical,
    /// under-voltage (brown-outs corrupt SD writes), reconciling, revoked or stopping.
    /// </summary>
    public bool CanIngest(out string? refusal)
    {
        lock (_lock)
        {
            refusal = _draining ? "the device is stopping"
                : _state == MinerState.Revoked ? "the device's enrollment is revoked"
                : !_storeReady ? "the store is reconciling"
                : _thermal == ThermalState.Critical ? "the board is critical (thermal); storage ingest is refused until it cools"
                : _underVoltage ? "the supply is under-voltage; storage ingest is paused (brown-outs corrupt SD writes)"
                : null;
            return refusal is null;
        }
    }

    /// <summary>Whether reads and proofs (<c>storage.get</c>, <c>storage.prove</c>, <c>storage.inventory</c>) may run now.</summary>
    public bool CanRead(out string? refusal)
    {
        lock (_lock)
        {
            refusal = _draining ? "the device is stopping"
                : _state == MinerState.Revoked ? "the device's enrollment is revoked"
                : !_storeReady ? "the store is reconciling"
                : null;
            return refusal is null;
        }
    }

    /// <summary>Whether inference may run now: not while hot or critical (models withdrawn), revoked or stopping.</summary>
    public bool CanInfer(out string? refusal)
    {
        lock (_lock)
        {
            refusal = _draining ? "the device is stopping"
                : _state == MinerState.Revoked ? "the device's enrollment is revoked"
                : _thermal >= ThermalState.Hot ? $"the board is {Name(_thermal)} (thermal); inference is withdrawn until it cools"
                : null;
            return refusal is null;
        }
    }

    /// <summary>The LED pattern for now (fleet.md §2, LED).</summary>
    public LedPattern LedPattern()
    {
        lock (_lock)
        {
            if (_state == MinerState.Stopping)
            {
                return Boards.StatusLed.LedPattern.Off;
            }

            if (_thermal == ThermalState.Critical || _state is MinerState.Error or MinerState.Rejected or MinerState.Revoked)
            {
                return Boards.StatusLed.LedPattern.Blink4Hz;
            }

            return _state == MinerState.Online ? Boards.StatusLed.LedPattern.Solid : Boards.StatusLed.LedPattern.Blink1Hz;
        }
    }

    /// <summary>The one-line <c>STATUS=</c> for systemd.</summary>
    public string StatusLine()
    {
        lock (_lock)
        {
            string line = $"{Name(_state)}; thermal {Name(_thermal)}" + (_temperatureC is { } t ? $" {t:F1} C" : "") + (_underVoltage ? "; under-voltage" : "");
            return _detail is null ? line : $"{line}; {_detail}";
        }
    }
}
