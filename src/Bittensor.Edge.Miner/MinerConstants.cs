// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Miner;

/// <summary>Exit codes, file names and limits of <c>bte-miner</c> in one place.</summary>
public static class MinerConstants
{
    /// <summary>Stopped cleanly (SIGTERM, Ctrl-C), or a command succeeded.</summary>
    public const int ExitOk = 0;

    /// <summary>A service failed, or the self-test failed.</summary>
    public const int ExitFailure = 1;

    /// <summary>Bad command line or settings.</summary>
    public const int ExitUsage = 2;

    /// <summary>The data folder, device key, first-boot file or store cannot be used.</summary>
    public const int ExitStartup = 3;

    /// <summary>The gateway rejected the join, or revoked this device: systemd should not restart it in a loop.</summary>
    public const int ExitRejected = 4;

    /// <summary>The device key's file name under the data folder.</summary>
    public const string DeviceKeyFile = "device.key";

    /// <summary>The sector store's folder under the data folder.</summary>
    public const string StoreFolder = "store";

    /// <summary>The model folder under the data folder.</summary>
    public const string ModelFolder = "models";

    /// <summary>The first-boot file's name in the state folder (<c>/var/lib/bte</c>).</summary>
    public const string FirstBootFile = "firstboot.json";

    /// <summary>The enrollment record's name in the state folder.</summary>
    public const string EnrollmentFile = "enrollment.json";

    /// <summary>The birth/death sequence file's name in the state folder.</summary>
    public const string BdSeqFile = "bdseq";

    /// <summary>The telemetry outbox (store-and-forward of samples and events) in the data folder.</summary>
    public const string OutboxFile = "outbox.db";
}
