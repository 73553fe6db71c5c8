// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Telemetry.Publishing;

/// <summary>What Home Assistant shows about a device (fleet.md §8 <c>dev</c> and <c>o</c>).</summary>
/// <param name="Name">The display name, e.g. the hostname <c>bte-1a2b3c4d</c>.</param>
/// <param name="BoardId">The board profile id (<c>rpi4</c>), shown as the hardware version.</param>
/// <param name="BoardName">The board's model name (<c>Raspberry Pi 4 Model B</c>).</param>
/// <param name="Serial">The board serial number; null when unknown.</param>
/// <param name="SoftwareVersion">The miner's version.</param>
/// <param name="HasGpuTemperature">Whether the board has a GPU thermal zone (Jetson): adds the <c>gpu_temp</c> sensor.</param>
public sealed record DeviceDescription(string Name, string BoardId, string BoardName, string? Serial, string SoftwareVersion, bool HasGpuTemperature = false);
