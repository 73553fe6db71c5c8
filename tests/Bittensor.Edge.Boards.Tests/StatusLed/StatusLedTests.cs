// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Device.Gpio;
using Bittensor.Edge.Boards.Gpio;
using Bittensor.Edge.Boards.StatusLed;
using Bittensor.Edge.Core.Time;

namespace Bittensor.Edge.Boards.Tests.StatusLed;

public sealed class StatusLedTests
{
    private const int LedPin = 42;

    [Theory]
    [InlineData(LedPattern.Blink1Hz, "1111100000")]   // 100 ms steps over one second
    [InlineData(LedPattern.DoubleBlink, "1010000000")]
    [InlineData(LedPattern.Solid, "1111111111")]
    [InlineData(LedPattern.Off, "0000000000")]
    public void Pattern_timing_on_a_manual_clock(LedPattern pattern, string expected)
    {
        ManualClock clock = new();
        VirtualStatusLed led = new();
        Assert.True(led.TryStart());
        StatusLedController controller = new(led, clock);
        controller.SetPattern(pattern);
        controller.Tick();

        char[] seen = new char[expected.Length];
        for (int i = 0; i < expected.Length; i++)
        {
            seen[i] = led.IsLit ? '1' : '0';
            clock.Advance(TimeSpan.FromMilliseconds(100));
            controller.Tick();
        }

        Assert.Equal(expected, new string(seen));
    }

    [Fact]
    public void Four_hertz_blink_changes_every_125_ms_on_a_virtual_gpio()
    {
        ManualClock clock = new();
        VirtualGpioDriver driver = new(GpioControllers.VirtualLineCount);
        using GpioStatusLed led = new(new GpioController(driver), LedPin);
        Assert.True(led.TryStart());
        StatusLedController controller = new(led, clock);
        controller.SetPattern(LedPattern.Blink4Hz);

        for (int edge = 0; edge < 8; edge++)
        {
            Assert.Equal(edge % 2 == 0 ? PinValue.High : PinValue.Low, driver.ValueOf(LedPin));
            TimeSpan? next = controller.Tick();
            Assert.Equal(TimeSpan.FromMilliseconds(125), next);
            clock.Advance(TimeSpan.FromMilliseconds(124));
            controller.Tick();
            Assert.Equal(edge % 2 == 0 ? PinValue.High : PinValue.Low, driver.ValueOf(LedPin));
            clock.Advance(TimeSpan.FromMilliseconds(1));
            controller.Tick();
        }
    }

    [Fact]
    public void Led_is_written_only_on_edges()
    {
        ManualClock clock = new();
        VirtualGpioDriver driver = new(GpioControllers.VirtualLineCount);
        using GpioStatusLed led = new(new GpioController(driver), LedPin);
        led.TryStart();
        StatusLedController controller = new(led, clock);
        controller.SetPattern(LedPattern.Blink1Hz);
        int writes = driver.WriteCount(LedPin);
        for (int i = 0; i < 40; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(50));
            controller.Tick();
        }

        // Two seconds of 1 Hz: four edges.
        Assert.Equal(writes + 4, driver.WriteCount(LedPin));
    }

    [Fact]
    public void Identify_blinks_at_ten_hertz_for_thirty_seconds_then_resumes_the_pattern()
    {
        ManualClock clock = new();
        VirtualStatusLed led = new();
        led.TryStart();
        StatusLedController controller = new(led, clock);
        controller.SetPattern(LedPattern.Solid);
        controller.Identify();
        Assert.Equal(LedPattern.Identify10Hz, controller.Showing);
        Assert.True(led.IsLit);
        clock.Advance(TimeSpan.FromMilliseconds(50));
        controller.Tick();
        Assert.False(led.IsLit);

        clock.Advance(TimeSpan.FromSeconds(29.9));
        Assert.Equal(TimeSpan.FromMilliseconds(50), controller.Tick());
        Assert.Equal(LedPattern.Identify10Hz, controller.Showing);

        clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Null(controller.Tick());
        Assert.Equal(LedPattern.Solid, controller.Showing);
        Assert.True(led.IsLit);
    }

    [Fact]
    public void Sysfs_led_takes_the_trigger_and_writes_brightness()
    {
        using FakeSysfs sys = new();
        sys.Write("class/leds/ACT/trigger", "[mmc0] none heartbeat");
        sys.Write("class/leds/ACT/brightness", "255");
        using SysfsStatusLed led = new(sys.Root, ["led0", "ACT"]);
        Assert.True(led.TryStart());
        Assert.Equal("ACT", led.Name);
        Assert.Equal("none", sys.Read("class/leds/ACT/trigger"));
        Assert.Equal("0", sys.Read("class/leds/ACT/brightness"));
        Assert.True(led.TrySet(true));
        Assert.Equal("1", sys.Read("class/leds/ACT/brightness"));
    }

    [Fact]
    public void Missing_sysfs_led_fails_to_start_and_every_write_reads_false()
    {
        using FakeSysfs sys = new();
        using SysfsStatusLed led = new(sys.Root, ["ACT"]);
        Assert.False(led.TryStart());
        Assert.False(led.TrySet(true));
    }

    [Theory]
    [InlineData(LedPattern.Blink1Hz)]
    [InlineData(LedPattern.Blink4Hz)]
    [InlineData(LedPattern.DoubleBlink)]
    [InlineData(LedPattern.Identify10Hz)]
    public void Next_edge_is_where_the_pattern_changes(LedPattern pattern)
    {
        for (int ms = 0; ms < 2000; ms += 7)
        {
            TimeSpan at = TimeSpan.FromMilliseconds(ms);
            TimeSpan edge = at + LedPatterns.UntilNextEdge(pattern, at)!.Value;
            bool lit = LedPatterns.IsLit(pattern, at);
            Assert.Equal(lit, LedPatterns.IsLit(pattern, edge - TimeSpan.FromMilliseconds(1)));
            Assert.NotEqual(lit, LedPatterns.IsLit(pattern, edge));
        }
    }
}
