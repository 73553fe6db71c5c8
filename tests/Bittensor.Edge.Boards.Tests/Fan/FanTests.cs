// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Device.Gpio;
using Bittensor.Edge.Boards.Fan;
using Bittensor.Edge.Boards.Gpio;
using Bittensor.Edge.Boards.Thermal;
using UnitsNet;

namespace Bittensor.Edge.Boards.Tests.Fan;

public sealed class FanTests
{
    private const int FanPin = 14;
    private static readonly FanHysteresis s_pi4 = new(65, 55);

    [Fact]
    public void Gpio_fan_switches_on_at_onC_and_off_at_offC_on_a_virtual_gpio()
    {
        VirtualGpioDriver driver = new(GpioControllers.VirtualLineCount);
        using GpioCaseFan fan = new(new GpioController(driver), FanPin, s_pi4);
        fan.Start();
        Assert.True(driver.IsOpen(FanPin));

        (double C, bool On)[] steps = [(50, false), (64.9, false), (65, true), (60, true), (55.1, true), (55, false), (60, false), (70, true)];
        foreach ((double c, bool on) in steps)
        {
            fan.Update(Temperature.FromDegreesCelsius(c), ThermalState.Normal);
            Assert.Equal(on, fan.IsOn);
            Assert.Equal(on ? PinValue.High : PinValue.Low, driver.ValueOf(FanPin));
        }
    }

    [Fact]
    public void Gpio_fan_is_forced_on_while_warm_or_hotter()
    {
        VirtualGpioDriver driver = new(GpioControllers.VirtualLineCount);
        using GpioCaseFan fan = new(new GpioController(driver), FanPin, s_pi4);
        fan.Start();
        Assert.True(fan.Update(Temperature.FromDegreesCelsius(40), ThermalState.Warm));
        Assert.Equal(PinValue.High, driver.ValueOf(FanPin));
        Assert.True(fan.Update(Temperature.FromDegreesCelsius(40), ThermalState.Normal));
        Assert.Equal(PinValue.Low, driver.ValueOf(FanPin));
    }

    [Fact]
    public void Gpio_fan_writes_only_when_it_switches()
    {
        VirtualGpioDriver driver = new(GpioControllers.VirtualLineCount);
        using GpioCaseFan fan = new(new GpioController(driver), FanPin, s_pi4);
        fan.Start();
        int afterStart = driver.WriteCount(FanPin);
        for (int i = 0; i < 10; i++)
        {
            fan.Update(Temperature.FromDegreesCelsius(70), ThermalState.Normal);
        }

        Assert.Equal(afterStart + 1, driver.WriteCount(FanPin));
    }

    [Fact]
    public void Constructing_a_gpio_fan_touches_no_line_and_dispose_turns_it_off()
    {
        VirtualGpioDriver driver = new(GpioControllers.VirtualLineCount);
        GpioController controller = new(driver);
        GpioCaseFan fan = new(controller, FanPin, s_pi4, shouldDispose: false);
        Assert.False(driver.IsOpen(FanPin));
        fan.Start();
        fan.Update(Temperature.FromDegreesCelsius(80), ThermalState.Hot);
        Assert.Equal(PinValue.High, driver.ValueOf(FanPin));

        fan.Dispose();
        Assert.False(driver.IsOpen(FanPin));
        Assert.False(controller.IsPinOpen(FanPin)); // the controller survives: shouldDispose was false
        controller.Dispose();
    }

    [Fact]
    public void Virtual_fan_follows_the_same_rule()
    {
        using VirtualCaseFan fan = new(s_pi4);
        fan.Start();
        fan.Update(Temperature.FromDegreesCelsius(66), ThermalState.Normal);
        fan.Update(Temperature.FromDegreesCelsius(56), ThermalState.Normal);
        Assert.True(fan.IsOn);
        fan.Update(Temperature.FromDegreesCelsius(54), ThermalState.Normal);
        Assert.False(fan.IsOn);
        Assert.Equal(2, fan.Switches);
    }

    [Fact]
    public void Off_threshold_above_on_threshold_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FanHysteresis(55, 65));
    }

    [Fact]
    public void Kernel_fan_is_observed_through_hwmon_and_never_written()
    {
        using FakeSysfs sys = new();
        sys.Write("class/hwmon/hwmon2/name", "pwmfan\n");
        sys.Write("class/hwmon/hwmon2/pwm1", "127\n");
        sys.Write("class/hwmon/hwmon2/fan1_input", "3120\n");
        DateTime before = File.GetLastWriteTimeUtc(Path.Combine(sys.Root, "class/hwmon/hwmon2/pwm1"));
        KernelFanObserver fan = new(sys.Root, "pwmfan");

        Assert.True(fan.TryStart());
        Assert.True(fan.TryReadPwm(out int pwm));
        Assert.Equal(127, pwm);
        Assert.True(fan.TryReadRpm(out int rpm));
        Assert.Equal(3120, rpm);
        Assert.Equal("127\n", sys.Read("class/hwmon/hwmon2/pwm1"));
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(sys.Root, "class/hwmon/hwmon2/pwm1")));
    }

    [Fact]
    public void Missing_or_malformed_kernel_fan_files_read_false()
    {
        using FakeSysfs sys = new();
        KernelFanObserver absent = new(sys.Root, "pwmfan");
        Assert.False(absent.TryStart());
        Assert.False(absent.TryReadPwm(out _));

        sys.Write("class/hwmon/hwmon0/name", "pwmfan\n");
        sys.Write("class/hwmon/hwmon0/pwm1", "300\n");
        KernelFanObserver odd = new(sys.Root, "pwmfan");
        Assert.True(odd.TryStart());
        Assert.False(odd.TryReadPwm(out _));
        Assert.False(odd.TryReadRpm(out _));
    }
}
