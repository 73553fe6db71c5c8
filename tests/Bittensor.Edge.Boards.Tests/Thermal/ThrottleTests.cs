// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Boards.Thermal;

namespace Bittensor.Edge.Boards.Tests.Thermal;

public sealed class ThrottleTests
{
    [Theory]
    [InlineData("throttled=0x50005\n", ThrottledFlags.UnderVoltage | ThrottledFlags.Throttled | ThrottledFlags.UnderVoltageOccurred | ThrottledFlags.ThrottledOccurred)]
    [InlineData("throttled=0x0", ThrottledFlags.None)]
    [InlineData("0x8", ThrottledFlags.SoftTemperatureLimit)]
    [InlineData("  20000 ", ThrottledFlags.ArmFrequencyCappedOccurred)]
    public void Throttled_word_parses_the_firmware_bits(string text, ThrottledFlags expected)
    {
        Assert.True(ThrottledWord.TryParse(text, out ThrottledFlags flags));
        Assert.Equal(expected, flags);
    }

    [Theory]
    [InlineData("")]
    [InlineData("throttled=")]
    [InlineData("throttled=0xZZ")]
    [InlineData("VCHI initialization failed")]
    public void Malformed_throttled_output_parses_false(string text)
    {
        Assert.False(ThrottledWord.TryParse(text, out _));
    }

    [Fact]
    public void Pi_source_reads_the_word_from_the_profile_command_and_under_voltage_from_hwmon()
    {
        using FakeSysfs sys = new();
        string word = sys.Write("vcgencmd-output", "throttled=0x50005\n");
        sys.Write("class/hwmon/hwmon0/name", "cpu_thermal\n");
        sys.Write("class/hwmon/hwmon1/name", "rpi_volt\n");
        sys.Write("class/hwmon/hwmon1/in0_lcrit_alarm", "1\n");
        RpiThrottleSource source = new(sys.Root, new BoardThrottle
        {
            Kind = "rpi-get-throttled",
            Command = ["cat", word],
            UndervoltageHwmon = "rpi_volt",
            PollS = 30,
        });
        source.Start();

        Assert.True(source.TryReadUnderVoltage(out bool underVoltage));
        Assert.True(underVoltage);
        Assert.True(source.TryReadThrottled(out ThrottledFlags flags));
        Assert.True(flags.HasFlag(ThrottledFlags.UnderVoltage));
        Assert.True(flags.HasFlag(ThrottledFlags.ThrottledOccurred));

        sys.Write("class/hwmon/hwmon1/in0_lcrit_alarm", "0\n");
        Assert.True(source.TryReadUnderVoltage(out underVoltage));
        Assert.False(underVoltage);
    }

    [Fact]
    public void Missing_hwmon_and_a_missing_command_read_false_without_throwing()
    {
        using FakeSysfs sys = new();
        RpiThrottleSource source = new(sys.Root, new BoardThrottle
        {
            Kind = "rpi-get-throttled",
            Command = [Path.Combine(sys.Root, "no-such-vcgencmd"), "get_throttled"],
            UndervoltageHwmon = "rpi_volt",
            PollS = 30,
        });
        source.Start();
        Assert.False(source.TryReadUnderVoltage(out _));
        Assert.False(source.TryReadThrottled(out _));
    }

    [Fact]
    public void A_failing_command_reads_false()
    {
        using FakeSysfs sys = new();
        RpiThrottleSource source = new(sys.Root, new BoardThrottle
        {
            Kind = "rpi-get-throttled",
            Command = ["cat", Path.Combine(sys.Root, "absent")],
            UndervoltageHwmon = null,
            PollS = 30,
        });
        source.Start();
        Assert.False(source.TryReadThrottled(out _));
    }

    [Fact]
    public void Virtual_source_reports_what_the_simulator_sets()
    {
        VirtualThrottleSource source = new() { Flags = ThrottledFlags.UnderVoltage };
        Assert.True(source.TryReadUnderVoltage(out bool underVoltage));
        Assert.True(underVoltage);
        source.Flags = ThrottledFlags.None;
        Assert.True(source.TryReadUnderVoltage(out underVoltage));
        Assert.False(underVoltage);
    }
}
