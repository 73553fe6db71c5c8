// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.InteropServices;

namespace Bittensor.Edge.Boards.Tests.Profiles;

public sealed class BoardDetectorTests
{
    // Strings as the boards' kernels print them.
    public static TheoryData<string, string, string[]> Trees => new()
    {
        { "rpi4", "Raspberry Pi 4 Model B Rev 1.4", ["raspberrypi,4-model-b", "brcm,bcm2711"] },
        { "rpi4", "Raspberry Pi 400 Rev 1.0", ["raspberrypi,400", "brcm,bcm2711"] },
        { "rpi5", "Raspberry Pi 5 Model B Rev 1.0", ["raspberrypi,5-model-b", "brcm,bcm2712"] },
        { "jetson-orin-nano", "NVIDIA Jetson Orin Nano Developer Kit", ["nvidia,p3768-0000+p3767-0005", "nvidia,p3767-0005", "nvidia,tegra234"] },
    };

    [Theory]
    [MemberData(nameof(Trees))]
    public void Each_board_is_detected_from_its_device_tree(string expected, string model, string[] compatible)
    {
        using FakeSysfs root = new();
        root.WriteDeviceTree(model, compatible);
        BoardDetector detector = new(root.Root, Architecture.Arm64);
        Assert.True(detector.TryDetect(Profiles.All, out BoardProfile? profile));
        Assert.Equal(expected, profile.Id);
    }

    [Fact]
    public void An_x64_host_without_a_device_tree_is_the_simulator()
    {
        using FakeSysfs root = new();
        Assert.True(new BoardDetector(root.Root, Architecture.X64).TryDetect(Profiles.All, out BoardProfile? profile));
        Assert.Equal("x64-sim", profile.Id);
    }

    [Fact]
    public void An_arm_host_without_a_device_tree_is_not_detected()
    {
        using FakeSysfs root = new();
        Assert.False(new BoardDetector(root.Root, Architecture.Arm64).TryDetect(Profiles.All, out BoardProfile? profile));
        Assert.Null(profile);
    }

    [Theory]
    [InlineData("Raspberry Pi 3 Model B Plus Rev 1.3", "brcm,bcm2837")]
    [InlineData("Raspberry Pi Compute Module 4 Rev 1.0", "brcm,bcm2711")]
    [InlineData("Raspberry Pi 4 Model B Rev 1.4", "brcm,bcm2711x")]
    public void A_board_matching_no_profile_on_both_fields_is_not_detected(string model, string compatible)
    {
        using FakeSysfs root = new();
        root.WriteDeviceTree(model, compatible);
        Assert.False(new BoardDetector(root.Root, Architecture.Arm64).TryDetect(Profiles.All, out _));
    }

    [Fact]
    public void A_device_tree_on_an_x64_host_is_matched_rather_than_simulated()
    {
        using FakeSysfs root = new();
        root.WriteDeviceTree("Some x86 board", "acme,board");
        Assert.False(new BoardDetector(root.Root, Architecture.X64).TryDetect(Profiles.All, out _));
    }
}
