// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Core.Tests.Wallets;

/// <summary>A fresh temporary directory, removed on dispose; and the light Argon2id cost tests use.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("bte-core-").FullName;

    public static KdfCost LightCost { get; } = new(8192, 1);

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
