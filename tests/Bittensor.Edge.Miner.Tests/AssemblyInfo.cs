// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

// bte-miner is a Linux device host (sd_notify, file modes, fsync of directories); its tests run on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
