// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Core.Wallets;

/// <summary>Argon2id cost of an encrypted key file: memory in KiB and passes (parallelism is always 1).</summary>
/// <param name="MemoryKiB">Memory in KiB, from <see cref="MinMemoryKiB"/> to <see cref="MaxMemoryKiB"/>.</param>
/// <param name="Passes">Passes over memory, from 1 to <see cref="MaxPasses"/>.</param>
public readonly record struct KdfCost(int MemoryKiB, int Passes)
{
    /// <summary>The least memory libsodium accepts.</summary>
    public const int MinMemoryKiB = 8;

    /// <summary>The most memory a key file may ask for (4 GiB), so a forged file cannot exhaust a device.</summary>
    public const int MaxMemoryKiB = 4 * 1024 * 1024;

    /// <summary>The most passes a key file may ask for.</summary>
    public const int MaxPasses = 64;

    /// <summary>Coldkey default (protocol.md §5): 256 MiB, 3 passes.</summary>
    public static KdfCost Coldkey { get; } = new(262_144, 3);

    /// <summary>Encrypted hotkey default (protocol.md §5): 64 MiB, 3 passes, which fits a Pi.</summary>
    public static KdfCost Hotkey { get; } = new(65_536, 3);

    /// <summary>Whether both numbers are within the limits.</summary>
    public bool IsValid => MemoryKiB is >= MinMemoryKiB and <= MaxMemoryKiB && Passes is >= 1 and <= MaxPasses;
}
