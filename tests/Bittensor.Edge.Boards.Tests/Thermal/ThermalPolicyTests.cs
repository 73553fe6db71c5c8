// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Boards.Thermal;
using Bittensor.Edge.Core.Time;
using FsCheck.Xunit;
using UnitsNet;

namespace Bittensor.Edge.Boards.Tests.Thermal;

public sealed class ThermalPolicyTests
{
    private static readonly BoardThermalPolicy s_pi = new() { Warm = 70, Hot = 80, Critical = 85, Hysteresis = 5 };
    private static readonly BoardThermalZone[] s_piZones = [new() { Role = "soc", Type = "cpu-thermal" }];

    [Fact]
    public void Policy_walks_up_and_down_with_hysteresis_on_a_fake_sysfs_tree()
    {
        using FakeSysfs sys = new();
        sys.WriteZone(0, "cpu-thermal", 50_000);
        SysfsThermalSensor sensor = new(sys.Root, s_piZones);
        sensor.Start();
        ManualClock clock = new();
        ThermalMonitor monitor = new(sensor, new ThermalPolicy(s_pi), clock);

        (int MilliC, ThermalState Expected)[] steps =
        [
            (50_000, ThermalState.Normal),
            (70_000, ThermalState.Warm),
            (66_000, ThermalState.Warm),     // below warm but not 5 °C below: stays
            (65_000, ThermalState.Normal),   // 5 °C below warm: leaves
            (86_000, ThermalState.Critical), // jumps straight up
            (81_000, ThermalState.Critical),
            (80_000, ThermalState.Hot),      // 5 °C below critical, still hot
            (75_500, ThermalState.Hot),
            (75_000, ThermalState.Warm),
            (60_000, ThermalState.Normal),
        ];
        foreach ((int milliC, ThermalState expected) in steps)
        {
            sys.SetZone(0, milliC);
            monitor.Tick();
            Assert.Equal(expected, monitor.State);
            clock.Advance(ThermalMonitor.SamplePeriod);
        }
    }

    [Fact]
    public void Monitor_samples_only_every_five_seconds()
    {
        using FakeSysfs sys = new();
        sys.WriteZone(0, "cpu-thermal", 50_000);
        SysfsThermalSensor sensor = new(sys.Root, s_piZones);
        sensor.Start();
        ManualClock clock = new();
        ThermalMonitor monitor = new(sensor, new ThermalPolicy(s_pi), clock);
        Assert.False(monitor.Tick());

        sys.SetZone(0, 90_000);
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(monitor.Tick());
        Assert.Equal(ThermalState.Normal, monitor.State);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(monitor.Tick());
        Assert.Equal(ThermalState.Critical, monitor.State);
        Assert.Equal(90.0, monitor.LastTemperature!.Value.DegreesCelsius);
    }

    [Fact]
    public void Hottest_zone_drives_the_jetson_policy()
    {
        using FakeSysfs sys = new();
        // Zone numbers are not in profile order: zones are found by type.
        sys.WriteZone(0, "gpu-thermal", 60_000);
        sys.WriteZone(1, "cpu-thermal", 55_000);
        sys.WriteZone(2, "tj-thermal", 86_500);
        sys.WriteZone(3, "soc0-thermal", 99_000);
        BoardProfile jetson = Profiles.Profiles.Load("jetson-orin-nano");
        SysfsThermalSensor sensor = new(sys.Root, jetson.Thermal.Zones);
        sensor.Start();

        Assert.Equal(["cpu-thermal", "gpu-thermal", "tj-thermal"], sensor.ResolvedZoneTypes);
        Assert.True(sensor.TryReadTemperature(out Temperature t));
        Assert.Equal(86.5, t.DegreesCelsius);
        Assert.Equal(ThermalState.Hot, new ThermalPolicy(jetson.Thermal.PolicyC).Update(t));
    }

    [Fact]
    public void The_celsius_paths_read_and_decide_the_same_as_the_temperature_paths()
    {
        using FakeSysfs sys = new();
        sys.WriteZone(0, "cpu-thermal", 81_250);
        SysfsThermalSensor sensor = new(sys.Root, s_piZones);
        sensor.Start();
        Assert.True(sensor.TryReadCelsius(out double celsius));
        Assert.True(sensor.TryReadTemperature(out Temperature temperature));
        Assert.Equal(81.25, celsius);
        Assert.Equal(temperature.DegreesCelsius, celsius);
        Assert.Equal(new ThermalPolicy(s_pi).Update(temperature), new ThermalPolicy(s_pi).Update(celsius));

        VirtualThermalSensor virtualSensor = VirtualThermalSensor.FromCelsius(72.5);
        Assert.True(virtualSensor.TryReadCelsius(out double virtualCelsius));
        Assert.Equal(72.5, virtualCelsius);
        Assert.Equal(72.5, virtualSensor.Temperature!.Value.DegreesCelsius);
        virtualSensor.Celsius = null;
        Assert.False(virtualSensor.TryReadCelsius(out _));
        Assert.False(virtualSensor.TryReadTemperature(out _));

        Boards.Fan.FanHysteresis rule = new(65, 55);
        foreach (double c in new[] { 50.0, 60.0, 65.0, 70.0 })
        {
            Assert.Equal(rule.ShouldRun(true, Temperature.FromDegreesCelsius(c), ThermalState.Normal), rule.ShouldRun(true, c, ThermalState.Normal));
            Assert.Equal(rule.ShouldRun(false, Temperature.FromDegreesCelsius(c), ThermalState.Normal), rule.ShouldRun(false, c, ThermalState.Normal));
        }
    }

    [Fact]
    public void Missing_thermal_tree_reads_false_instead_of_throwing()
    {
        using FakeSysfs sys = new();
        SysfsThermalSensor sensor = new(sys.Root, s_piZones);
        sensor.Start();
        Assert.Empty(sensor.ResolvedZoneTypes);
        Assert.False(sensor.TryReadTemperature(out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hot\n")]
    [InlineData("12.5\n")]
    public void Malformed_temp_file_reads_false(string content)
    {
        using FakeSysfs sys = new();
        sys.WriteZone(0, "cpu-thermal", 0);
        sys.Write("class/thermal/thermal_zone0/temp", content);
        SysfsThermalSensor sensor = new(sys.Root, s_piZones);
        sensor.Start();
        Assert.False(sensor.TryReadTemperature(out _));
    }

    [Fact]
    public void A_temp_file_that_vanishes_leaves_the_state_and_counts_a_failure()
    {
        using FakeSysfs sys = new();
        sys.WriteZone(0, "cpu-thermal", 82_000);
        SysfsThermalSensor sensor = new(sys.Root, s_piZones);
        sensor.Start();
        ManualClock clock = new();
        ThermalMonitor monitor = new(sensor, new ThermalPolicy(s_pi), clock);
        monitor.Tick();
        Assert.Equal(ThermalState.Hot, monitor.State);

        sys.Delete("class/thermal/thermal_zone0/temp");
        clock.Advance(ThermalMonitor.SamplePeriod);
        Assert.False(monitor.Tick());
        Assert.Equal(ThermalState.Hot, monitor.State);
        Assert.Equal(1, monitor.FailedReads);
    }

    [Fact]
    public void Reading_before_start_is_a_bug()
    {
        SysfsThermalSensor sensor = new("/nonexistent", s_piZones);
        Assert.Throws<InvalidOperationException>(() => sensor.TryReadTemperature(out _));
    }

    [Property]
    public bool State_is_within_one_hysteresis_of_the_last_reading(int[] tenthsOfDegrees)
    {
        ThermalPolicy policy = new(s_pi);
        foreach (int tenths in tenthsOfDegrees)
        {
            double c = Math.Clamp(tenths, -400, 1500) / 10.0;
            ThermalState state = policy.Update(Temperature.FromDegreesCelsius(c));
            ThermalState reached = Level(c);
            ThermalState ceiling = Level(c + s_pi.Hysteresis - 0.0001);
            if (state < reached || state > ceiling)
            {
                return false;
            }
        }

        return true;
    }

    [Property]
    public bool A_state_is_kept_until_the_reading_falls_a_full_hysteresis_below_its_threshold(byte entered, byte dropTenths)
    {
        // Enter warm, hot or critical, then fall by less than the hysteresis: the state must hold.
        double[] thresholds = [s_pi.Warm, s_pi.Hot, s_pi.Critical];
        double threshold = thresholds[entered % 3];
        double drop = dropTenths % (int)(s_pi.Hysteresis * 10) / 10.0;
        ThermalPolicy policy = new(s_pi);
        ThermalState state = policy.Update(Temperature.FromDegreesCelsius(threshold));
        return policy.Update(Temperature.FromDegreesCelsius(threshold - drop)) == state
            && policy.Update(Temperature.FromDegreesCelsius(threshold - s_pi.Hysteresis)) < state;
    }

    private static ThermalState Level(double c) =>
        c >= s_pi.Critical ? ThermalState.Critical : c >= s_pi.Hot ? ThermalState.Hot : c >= s_pi.Warm ? ThermalState.Warm : ThermalState.Normal;
}
