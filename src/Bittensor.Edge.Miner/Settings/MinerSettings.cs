// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Miner.Settings;

/// <summary>
/// The settings of <c>bte-miner</c>, one class per section of <c>miner.settings.jsonc</c> (whose comments these docs
/// repeat). Sources, later ones winning: the defaults here, the file (<c>--config</c>), <c>BTE_</c> environment
/// variables (<c>BTE_device__dataDir</c>), then flags. Relative paths are resolved against the settings file's folder
/// (the working directory when there is no file). The fleet itself (gateway address and key, fleet id, join token) is
/// not here: it comes from the first-boot file in <see cref="DeviceSection.StateDir"/> (fleet.md §3).
/// </summary>
/// <remarks>Plain mutable data for the configuration binder; <see cref="MinerSettingsValidator"/> checks it once at start-up.</remarks>
public sealed class MinerSettings
{
    /// <summary>The <c>device</c> section.</summary>
    public DeviceSection Device { get; set; } = new();

    /// <summary>The <c>bus</c> section.</summary>
    public BusSection Bus { get; set; } = new();

    /// <summary>The <c>storage</c> section.</summary>
    public StorageSection Storage { get; set; } = new();

    /// <summary>The <c>inference</c> section.</summary>
    public InferenceSection Inference { get; set; } = new();

    /// <summary>The <c>telemetry</c> section.</summary>
    public TelemetrySection Telemetry { get; set; } = new();
}

/// <summary>The <c>device</c> section: where things live and which board this is.</summary>
public sealed class DeviceSection
{
    /// <summary>
    /// The board profile: <c>rpi4</c>, <c>rpi5</c>, <c>jetson-orin-nano</c> or <c>x64-sim</c>. Empty: detect from the device
    /// tree (an x64 host without one is <c>x64-sim</c>). Default "".
    /// </summary>
    public string Board { get; set; } = "";

    /// <summary>The data partition folder: <c>device.key</c>, <c>store/</c>, <c>models/</c>. Default <c>/data/bte</c>.</summary>
    public string DataDir { get; set; } = "/data/bte";

    /// <summary>The state folder: <c>firstboot.json</c>, <c>enrollment.json</c>, <c>bdseq</c>. Default <c>/var/lib/bte</c>.</summary>
    public string StateDir { get; set; } = "/var/lib/bte";

    /// <summary>
    /// Skip the <c>waiting-for-time</c> gate (fleet.md §2, Clock): connect even without NTP sync or an RTC. The x64-sim
    /// board always skips it. Default false. Security: logins and nonces need wall time within seconds.
    /// </summary>
    public bool TrustClock { get; set; }

    /// <summary>The file systemd-timesyncd creates once the clock is synchronized. Default <c>/run/systemd/timesync/synchronized</c>.</summary>
    public string TimeSyncFile { get; set; } = "/run/systemd/timesync/synchronized";

    /// <summary>A battery-backed real-time clock; when it exists the clock counts as set. Default <c>/dev/rtc0</c>.</summary>
    public string RtcDevice { get; set; } = "/dev/rtc0";

    /// <summary>The root under which <c>proc/device-tree</c> and <c>sys/</c> are read (tests point it at a fake tree). Default <c>/</c>.</summary>
    public string HardwareRoot { get; set; } = "/";

    /// <summary>Console log level: Trace, Debug, Information, Warning, Error, Critical or None. Default Information.</summary>
    public string LogLevel { get; set; } = "Information";

    /// <summary>
    /// After start-up and once the models are loaded, give back memory only start-up used: glibc's free heap and the
    /// code pages run once (see <c>WorkingSetTrimmer</c>). Default true.
    /// </summary>
    public bool TrimMemory { get; set; } = true;
}

/// <summary>The <c>bus</c> section: how requests from the gateway are served.</summary>
public sealed class BusSection
{
    /// <summary>Requests served at once (1 to 64); more wait. Default 4.</summary>
    public int MaxConcurrentRequests { get; set; } = 4;

    /// <summary>Seconds a SIGTERM waits for requests in flight and durable writes (1 to 60). Default 10 (fleet.md §2).</summary>
    public int ShutdownGraceS { get; set; } = 10;

    /// <summary>
    /// MiB of large messages (puts, proofs, gets) after which one full garbage collection hands their memory back to the
    /// OS (0 to 1024, 0 off). Default 4, one collection per 4 MiB put: peak RSS under the footprint load went from 85–87
    /// MiB at 16 to 68–70 MiB at 4, with no loss of throughput. Under a stream of 4 MiB puts the heap otherwise grows by
    /// hundreds of MB.
    /// </summary>
    public int ReclaimAfterMb { get; set; } = 4;
}

/// <summary>The <c>storage</c> section: the sector store under <c>dataDir/store</c>.</summary>
public sealed class StorageSection
{
    /// <summary>Most bytes of sector data kept, rounded down to whole 4 MiB sectors. Default 17179869184 (16 GiB).</summary>
    public long QuotaBytes { get; set; } = Bittensor.Edge.Storage.Sectors.SectorStoreOptions.DefaultQuotaBytes;

    /// <summary>Fraction of the file system kept free (0 to 0.9). Default 0.10.</summary>
    public double ReserveFraction { get; set; } = Bittensor.Edge.Storage.Sectors.SectorStoreOptions.DefaultReserveFraction;
}

/// <summary>The <c>inference</c> section: models under <c>dataDir/models</c>.</summary>
public sealed class InferenceSection
{
    /// <summary>
    /// Serve the bundled generated models (mlp-tiny-v1, cnn-tiny-v1), written into the model folder at start when absent,
    /// so a fresh device can answer the gateway's probe. Default true.
    /// </summary>
    public bool BundledModels { get; set; } = true;

    /// <summary>
    /// Load the models in the background right after start-up (ONNX Runtime loads then). False: load each on its first
    /// request. Default true.
    /// </summary>
    public bool Preload { get; set; } = true;

    /// <summary>ONNX Runtime intra-op threads; 0 = one per core less one for storage. Halved while warm. Default 0.</summary>
    public int IntraOpThreads { get; set; }
}

/// <summary>The <c>telemetry</c> section.</summary>
public sealed class TelemetrySection
{
    /// <summary>
    /// Seconds between telemetry samples (10 to 3600). 0: the first-boot file's <c>telemetryPeriodS</c>, else 60. A
    /// <c>config.set</c> from the gateway changes it at run time. Default 0.
    /// </summary>
    public int TelemetryPeriodS { get; set; }
}
