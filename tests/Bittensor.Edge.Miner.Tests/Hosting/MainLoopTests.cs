// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Boards.StatusLed;
using Bittensor.Edge.Boards.Thermal;
using Bittensor.Edge.Boards.Watchdog;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Miner.Board;
using Bittensor.Edge.Miner.Hosting;
using Bittensor.Edge.Miner.Settings;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Miner.Tests.Hosting;

public sealed class MainLoopTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly DeviceStatus _status = new();
    private readonly BoardRuntime _board;
    private readonly WatchdogHealth _health;
    private readonly LedDriver _led;
    private readonly List<string> _published = [];
    private readonly List<string> _statusLines = [];
    private readonly List<ThermalState> _thermalChanges = [];
    private readonly MainLoop _loop;

    public MainLoopTests()
    {
        Assert.True(BoardRuntime.TryCreate(new DeviceSection { Board = "x64-sim" }, out BoardRuntime? board, out string? error), error);
        _board = board;
        _board.Start("/");
        _health = new WatchdogHealth(_clock);
        _led = new LedDriver(_board.Led, _clock);
        MainLoopOutputs outputs = new(
            () => _published.Add($"state@{_clock.Elapsed.TotalSeconds}"),
            () => _published.Add($"telemetry@{_clock.Elapsed.TotalSeconds}"),
            (kind, message) => _published.Add($"event:{kind}@{_clock.Elapsed.TotalSeconds}"),
            _statusLines.Add,
            _thermalChanges.Add);
        _loop = new MainLoop(_clock, _board, _status, _health, _led, () => TimeSpan.FromSeconds(60), outputs, NullLogger.Instance);
        _status.SetStoreReady(true);
    }

    private VirtualThermalSensor Sensor => (VirtualThermalSensor)_board.Thermal;

    public void Dispose() => _board.Dispose();

    [Fact]
    public void Telemetry_goes_out_every_period_and_state_on_change_at_least_5_s_apart_and_every_10_min()
    {
        _loop.Tick();
        Assert.Equal(["telemetry@0", "state@0"], _published);
        Assert.Single(_statusLines);

        _published.Clear();
        Advance(1);
        _status.SetState(MinerState.Online);
        Advance(3); // t = 4: changed, but within 5 s of the last state
        Assert.Empty(_published);
        Advance(1); // t = 5
        Assert.Equal(["state@5"], _published);
        Assert.Equal(2, _statusLines.Count); // STATUS went out at the change itself, at t = 2
        Assert.StartsWith("online", _statusLines[^1], StringComparison.Ordinal);

        _published.Clear();
        Advance(595);
        Assert.Equal(["telemetry@60", "telemetry@120", "telemetry@180", "telemetry@240", "telemetry@300", "telemetry@360", "telemetry@420", "telemetry@480", "telemetry@540", "telemetry@600"], _published);
        Advance(5);
        Assert.Contains("state@605", _published); // the 10 min refresh
    }

    [Fact]
    public void Thermal_transitions_follow_the_policy_with_events_fan_and_led()
    {
        _status.SetState(MinerState.Online);
        _loop.Tick();
        Assert.Equal(LedPattern.Solid, _led.Showing);
        Assert.False(_board.Fan!.IsOn);

        Sensor.Celsius = 72;
        Advance(5);
        Assert.Equal(ThermalState.Warm, _status.Thermal);
        Assert.True(_board.Fan.IsOn); // forced on while warm
        Sensor.Celsius = 86;
        Advance(5);
        Assert.Equal(ThermalState.Critical, _status.Thermal);
        Assert.Equal(LedPattern.Blink4Hz, _led.Showing);
        Assert.False(_status.CanIngest(out string? refusal));
        Assert.Contains("critical", refusal, StringComparison.Ordinal);
        Assert.False(_status.CanInfer(out _));

        // Hysteresis: 82 °C is below critical (85) but not 5 °C below it; 79 °C leaves critical, not hot.
        Sensor.Celsius = 82;
        Advance(5);
        Assert.Equal(ThermalState.Critical, _status.Thermal);
        Sensor.Celsius = 79;
        Advance(5);
        Assert.Equal(ThermalState.Hot, _status.Thermal);
        Assert.True(_status.CanIngest(out _));
        Assert.False(_status.CanInfer(out _));
        Assert.Equal([ThermalState.Warm, ThermalState.Critical, ThermalState.Hot], _thermalChanges);
        Assert.Equal(3, _published.Count(p => p.StartsWith("event:thermal", StringComparison.Ordinal)));
        Assert.Equal(LedPattern.Solid, _led.Showing);
    }

    [Fact]
    public void Under_voltage_pauses_ingest_within_5_s_and_the_throttled_word_is_read_every_30_s()
    {
        _loop.Tick();
        VirtualThrottleSource throttle = (VirtualThrottleSource)_board.Throttle!;
        throttle.Flags = ThrottledFlags.UnderVoltage | ThrottledFlags.UnderVoltageOccurred;
        Advance(5);
        Assert.False(_status.PowerOk);
        Assert.False(_status.CanIngest(out string? refusal));
        Assert.Contains("under-voltage", refusal, StringComparison.Ordinal);
        Assert.Equal(ThrottledFlags.None, _status.Throttled); // the full word waits for its 30 s poll
        Advance(25);
        Assert.Equal(throttle.Flags, _status.Throttled);
        throttle.Flags = ThrottledFlags.UnderVoltageOccurred;
        Advance(5);
        Assert.True(_status.PowerOk);
        Assert.Contains(_published, p => p.StartsWith("event:power", StringComparison.Ordinal));
    }

    [Fact]
    public void The_watchdog_is_healthy_only_while_the_loop_ticks()
    {
        Assert.False(_health.IsHealthy());
        _loop.Tick();
        Assert.True(_health.IsHealthy());
        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.False(_health.IsHealthy());
        _loop.Tick();
        Assert.True(_health.IsHealthy());
    }

    private void Advance(int seconds)
    {
        for (int i = 0; i < seconds; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            _loop.Tick();
        }
    }
}
