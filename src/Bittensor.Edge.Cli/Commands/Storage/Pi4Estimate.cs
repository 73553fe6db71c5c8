// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using Bittensor.Edge.Cli.Bench;
using Bittensor.Edge.Storage;

namespace Bittensor.Edge.Cli.Commands.Storage;

/// <summary>
/// The Raspberry Pi 4 estimate of <c>bte storage bench</c> (issue "The storage market"; derivation in
/// src/Bittensor.Edge.Storage/README.md): each figure splits into SHA-256 work, whose size the formats fix exactly, and
/// everything else, which this run measures.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item><b>SHA-256 work per operation</b>, in 64-byte compression blocks. A leaf is 1 + 4 096 bytes → 65 blocks; a node
/// is 1 + 64 bytes → 2 blocks. Ingest of a sector: 1 024 leaves + 1 023 nodes = 68 606 blocks. A warm k = 32 proof:
/// per item 16 leaves + 15 nodes (levels 0–3) + 6 nodes (the root check) = 1 082 blocks, 34 624 in all. Verifying a
/// k = 32 response: per item 1 leaf + 10 nodes = 85 blocks, 2 720 in all.</item>
/// <item><b>Cycles per byte here</b>: this CPU's clock (<c>/proc/cpuinfo</c>) × the measured time of the sector tree ÷
/// the bytes it compresses. On the EPYC dev VM it comes out near 2 cycles/byte, in line with the published EPYC 7543P
/// figure below, which checks the method.</item>
/// <item><b>Cycles per byte on a Pi 4</b> are published, not guessed: lelegard/shabench (RESULTS.txt) measured OpenSSL
/// 3.4.1 SHA2-256 on a Raspberry Pi 4 (Cortex-A72, 1.8 GHz, no SHA instructions) at 0.447 hashed bits per cycle,
/// i.e. 17.9 cycles/byte (100 MB/s, the spec's "≈ 100 MB/s per core"), and an EPYC 7543P (Milan, SHA-NI) at 3.95 bits
/// per cycle, 2.03 cycles/byte.</item>
/// <item><b>Everything else</b> (reads, copies, syscalls, the index, managed code) is measured here as the operation's
/// time minus its SHA-256 time, converted to cycles at this clock, and assumed to take <see cref="GeneralSlowdown"/>
/// times as many cycles on an A72 (an assumption: an in-order-ish 3-wide core with a small cache against a Zen 3).</item>
/// </list>
/// The Pi is taken at <see cref="Pi4Hz"/> (boards before 2020 and any throttled board; 1.8 GHz boards are 20 % faster).
/// Ingest on a Pi is bounded by the SD card long before the CPU (≈ 40 MB/s writes), which the note says.
/// </remarks>
internal static class Pi4Estimate
{
    /// <summary>Published Pi 4 SHA-256 cost: 8 / 0.447 hashed bits per cycle.</summary>
    public const double Pi4CyclesPerByte = 8 / 0.447;

    /// <summary>The Pi 4 clock assumed: 1.5 GHz.</summary>
    public const double Pi4Hz = 1.5e9;

    /// <summary>How many more cycles non-hash work takes on the A72 than on this core (assumption).</summary>
    public const double GeneralSlowdown = 2.0;

    /// <summary>SHA-256 blocks to ingest one sector.</summary>
    public const long IngestBlocks = (StorageConstants.LeavesPerSector * LeafBlocks) + ((StorageConstants.LeavesPerSector - 1) * NodeBlocks);

    /// <summary>SHA-256 blocks of a warm k = 32 proof.</summary>
    public const long ProveBlocks = StorageConstants.DefaultChallengeItems * ((StorageConstants.LeavesPerGroup * LeafBlocks) + ((StorageConstants.LeavesPerGroup - 1) * NodeBlocks) + ((StorageConstants.TreeDepth - StorageConstants.CachedLevel) * NodeBlocks));

    /// <summary>SHA-256 blocks to verify a k = 32 response.</summary>
    public const long VerifyBlocks = StorageConstants.DefaultChallengeItems * (LeafBlocks + (StorageConstants.TreeDepth * NodeBlocks));

    private const int LeafBlocks = 65;
    private const int NodeBlocks = 2;
    private const int BlockSize = 64;

    /// <summary>Adds the Pi 4 figures from this run's medians; nothing when this CPU's clock is unknown.</summary>
    /// <param name="report">Where the figures go.</param>
    /// <param name="treeSeconds">Median time of one sector's tree (1 thread).</param>
    /// <param name="ingestSeconds">Median time of one put.</param>
    /// <param name="proveWarmSeconds">Median warm k = 32 proof.</param>
    /// <param name="verifySeconds">Time to verify one k = 32 response.</param>
    /// <param name="progress">Progress output.</param>
    public static void Add(BenchReport report, double treeSeconds, double ingestSeconds, double proveWarmSeconds, double verifySeconds, TextWriter progress)
    {
        if (CpuHz() is not double hereHz)
        {
            progress.WriteLine("pi4 estimate: this CPU's clock is unknown (no cpu MHz in /proc/cpuinfo); skipped");
            return;
        }

        double hereCpb = hereHz * treeSeconds / (IngestBlocks * BlockSize);
        report.Add("sha256_cpb_here", hereCpb, "cycles/B", note: string.Create(CultureInfo.InvariantCulture,
            $"measured: sector tree time x {hereHz / 1e9:0.00} GHz (/proc/cpuinfo) / {IngestBlocks * BlockSize:N0} compressed bytes; published EPYC 7543P: 2.03"));
        report.Add("pi4_sha256_cpb", Pi4CyclesPerByte, "cycles/B", note: "published: OpenSSL 3.4.1 SHA2-256 on a Raspberry Pi 4 (Cortex-A72, no SHA instructions), lelegard/shabench RESULTS.txt");

        double ingest = Estimate(IngestBlocks, ingestSeconds);
        double prove = Estimate(ProveBlocks, proveWarmSeconds);
        double verify = Estimate(VerifyBlocks, verifySeconds);
        string how = string.Create(CultureInfo.InvariantCulture, $"estimate at {Pi4Hz / 1e9:0.0} GHz: SHA-256 blocks x 64 x {Pi4CyclesPerByte:0.0} cycles/B + the non-hash time measured here x {GeneralSlowdown} in cycles");
        report.Add("pi4_ingest_mb_s_est", StorageConstants.SectorSize / 1e6 / ingest, "MB/s", note: $"{how}; 1 hashing thread; an SD card (about 40 MB/s of writes) bounds it first");
        report.Add("pi4_prove_ms_warm_est", prove * 1e3, "ms", note: $"{how}; 1 thread; target < 30 ms");
        report.Add("pi4_verify_per_s_est", 1 / verify, "proofs/s", note: $"{how}; k = 32, 1 core");
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pi4 estimate: {hereCpb:0.00} cycles/B here; Pi 4 ingest {StorageConstants.SectorSize / 1e6 / ingest:0} MB/s, warm proof {prove * 1e3:0.0} ms, verify {1 / verify:0}/s"));

        double Estimate(long blocks, double hereSeconds)
        {
            double hashHere = blocks * BlockSize * hereCpb / hereHz;
            double otherCycles = Math.Max(0, hereSeconds - hashHere) * hereHz;
            return ((blocks * BlockSize * Pi4CyclesPerByte) + (otherCycles * GeneralSlowdown)) / Pi4Hz;
        }
    }

    /// <summary>This CPU's clock from <c>/proc/cpuinfo</c> (the first <c>cpu MHz</c> line), or null.</summary>
    internal static double? CpuHz()
    {
        if (!File.Exists("/proc/cpuinfo"))
        {
            return null;
        }

        foreach (string line in File.ReadLines("/proc/cpuinfo"))
        {
            if (line.StartsWith("cpu MHz", StringComparison.Ordinal)
                && double.TryParse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double mhz)
                && mhz > 0)
            {
                return mhz * 1e6;
            }
        }

        return null;
    }
}
