// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Boards.Thermal;
using Bittensor.Edge.Boards.Watchdog;
using Bittensor.Edge.Core;
using Bittensor.Edge.Miner.Board;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Miner.Hosting;

/// <summary>What the main loop reports outward; the host wires these to the bus and to systemd.</summary>
/// <param name="PublishState">Publish the retained state document (on change, ≥ 5 s apart, and every 10 min).</param>
/// <param name="PublishTelemetry">Publish one telemetry sample (every <c>telemetryPeriodS</c>).</param>
/// <param name="PublishEvent">Publish an event (kind, message): thermal and power transitions.</param>
/// <param name="StatusChanged">A new <c>STATUS=</c> line for systemd (every change, at once).</param>
/// <param name="ThermalChanged">The thermal state changed (the inference service halves its batch while warm).</param>
public sealed record MainLoopOutputs(
    Action PublishState,
    Action PublishTelemetry,
    Action<string, string> PublishEvent,
    Action<string> StatusChanged,
    Action<ThermalState> ThermalChanged);

/// <summary>
/// The device's main loop (fleet.md §2) on an <see cref="IClock"/>, one tick a second: thermal and under-voltage
/// sampling every 5 s, the throttled word every <c>throttle.pollS</c> (30 s), telemetry every
/// <c>telemetryPeriodS</c>, state on change (at least 5 s apart) and every 10 min, the LED pattern and the Pi 4 fan
/// each tick, and the watchdog health mark that lets <c>WATCHDOG=1</c> go out.
/// </summary>
/// <remarks>Not thread-safe: one task runs <see cref="RunAsync"/> (or a test calls <see cref="Tick"/>).</remarks>
public sealed class MainLoop
{
    /// <summary>The tick.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);

    /// <summary>Under-voltage sampling (the cheap hwmon flag), with the thermal sample.</summary>
    public static readonly TimeSpan PowerPeriod = TimeSpan.FromSeconds(5);

    /// <summary>Smallest gap between two state publications.</summary>
    public static readonly TimeSpan StateMinGap = TimeSpan.FromSeconds(5);

    /// <summary>State is republished at least this often.</summary>
    public static readonly TimeSpan StateRefresh = TimeSpan.FromMinutes(10);

    private readonly IClock _clock;
    private readonly BoardRuntime _board;
    private readonly DeviceStatus _status;
    private readonly WatchdogHealth _health;
    private readonly LedDriver _led;
    private readonly ThermalMonitor _thermal;
    private readonly Func<TimeSpan> _telemetryPeriod;
    private readonly MainLoopOutputs _outputs;
    private readonly ILogger _logger;
    private readonly TimeSpan _throttlePeriod;
    private TimeSpan? _lastPower;
    private TimeSpan? _lastThrottle;
    private TimeSpan? _lastTelemetry;
    private TimeSpan? _lastState;
    private long _statusVersion = -1;
    private long _stateVersion = -1;
    private ThermalState _lastThermal;
    private bool _lastPowerOk = true;

    /// <summary>A loop over a started <paramref name="board"/>.</summary>
    public MainLoop(IClock clock, BoardRuntime board, DeviceStatus status, WatchdogHealth health, LedDriver led, Func<TimeSpan> telemetryPeriod, MainLoopOutputs outputs, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(led);
        ArgumentNullException.ThrowIfNull(telemetryPeriod);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(logger);
        _clock = clock;
        _board = board;
        _status = status;
        _health = health;
        _led = led;
        _telemetryPeriod = telemetryPeriod;
        _outputs = outputs;
        _logger = logger;
        _thermal = new ThermalMonitor(board.Thermal, new ThermalPolicy(board.Profile.Thermal.PolicyC), clock);
        _throttlePeriod = TimeSpan.FromSeconds(Math.Max(1, board.Profile.Throttle.PollS));
    }

    /// <summary>Ticks so far.</summary>
    public long Ticks { get; private set; }

    /// <summary>Completes after the first tick (READY waits for it).</summary>
    public Task FirstTick => _firstTick.Task;

    private readonly TaskCompletionSource _firstTick = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Ticks every second until cancelled, then returns normally.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Tick();
                await _clock.DelayAsync(TickInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One tick: whatever is due now.</summary>
    public void Tick()
    {
        TimeSpan now = _clock.Elapsed;
        Ticks++;
        _health.MainLoopTicked();

        // Thermal: ThermalMonitor keeps its own 5 s period.
        _thermal.Tick();
        double? celsius = _thermal.LastCelsius;
        _status.SetThermal(_thermal.State, celsius);
        if (_thermal.State != _lastThermal)
        {
            string from = DeviceStatus.Name(_lastThermal);
            string to = DeviceStatus.Name(_thermal.State);
            Log.ThermalChanged(_logger, from, to, celsius ?? double.NaN);
            _outputs.PublishEvent("thermal", $"thermal {from} -> {to} at {celsius:F1} C");
            _lastThermal = _thermal.State;
            _outputs.ThermalChanged(_thermal.State);
        }

        if (_board.Fan is { } fan && celsius is { } reading)
        {
            fan.Update(reading, _thermal.State);
        }

        if (Due(ref _lastPower, PowerPeriod, now) && _board.Throttle is { } power && power.TryReadUnderVoltage(out bool underVoltage))
        {
            _status.SetUnderVoltage(underVoltage);
            if (underVoltage == _lastPowerOk)
            {
                _lastPowerOk = !underVoltage;
                Log.PowerChanged(_logger, !underVoltage);
                _outputs.PublishEvent("power", underVoltage ? "under-voltage: storage ingest paused" : "power ok: storage ingest resumed");
            }
        }

        if (Due(ref _lastThrottle, _throttlePeriod, now) && _board.Throttle is { } throttle && throttle.TryReadThrottled(out ThrottledFlags flags))
        {
            _status.SetThrottled(flags);
        }

        if (Due(ref _lastTelemetry, _telemetryPeriod(), now))
        {
            _outputs.PublishTelemetry();
        }

        long version = _status.Version;
        if (version != _statusVersion)
        {
            _statusVersion = version;
            _outputs.StatusChanged(_status.StatusLine());
        }

        if ((version != _stateVersion && (_lastState is not { } last || now - last >= StateMinGap)) || (_lastState is { } previous && now - previous >= StateRefresh))
        {
            _stateVersion = version;
            _lastState = now;
            _outputs.PublishState();
        }

        _led.SetPattern(_status.LedPattern());
        _firstTick.TrySetResult();
    }

    private static bool Due(ref TimeSpan? last, TimeSpan period, TimeSpan now)
    {
        if (last is { } previous && now - previous < period)
        {
            return false;
        }

        last = now;
        return true;
    }
}
