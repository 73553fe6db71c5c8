// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Miner.Hosting;

namespace Bittensor.Edge.Miner.Tests.Hosting;

public sealed class WorkingSetTrimmerTests
{
    [Fact]
    public void Only_private_read_only_file_mappings_are_handed_back()
    {
        string[] maps =
        [
            "55f452400000-55f452475000 r--p 00000000 08:01 1234        /opt/bte/bte-miner",
            "55f452475000-55f452c40000 r-xp 00075000 08:01 1234        /opt/bte/bte-miner",
            "55f452c40000-55f452c48000 rw-p 00840000 08:01 1234        /opt/bte/bte-miner",
            "7f43a0000000-7f43a0021000 rw-p 00000000 00:00 0",
            "7f43b0000000-7f43b0100000 r--s 00000000 00:05 77          /dev/shm/ring",
            "7f43c0000000-7f43c0001000 r--p 00000000 00:00 0           [vvar]",
            "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0           [stack]",
            "7f43d0000000-7f43d1000000 r-xp 000d4000 08:01 99          /opt/bte/libonnxruntime.so",
            "garbage line",
            "7f43e0000000-7f43d0000000 r-xp 00000000 08:01 99          /opt/bte/backwards.so",
        ];

        (long Start, long Length)[] mappings = [.. WorkingSetTrimmer.ReadOnlyFileMappings(maps).Select(m => ((long)m.Start, (long)m.Length))];

        Assert.Equal([(0x55f452400000L, 0x75000L), (0x55f452475000L, 0x7cb000L), (0x7f43d0000000L, 0x1000000L)], mappings);
    }

    [Fact]
    public void Trimming_the_test_process_keeps_it_working_and_does_not_grow_it()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Equal((0L, 0L), WorkingSetTrimmer.Trim());
            return;
        }

        (long before, long after) = WorkingSetTrimmer.Trim();
        Assert.True(before > 0, "VmRSS was not read");
        Assert.True(after > 0 && after <= before + (4L << 20), $"RSS went from {before} to {after}");

        // Code and constants handed back fault in again on use.
        Assert.Equal("ok", string.Concat("o", "k"));
        Assert.Equal(6, Enumerable.Range(1, 3).Sum());
    }
}
