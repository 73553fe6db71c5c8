// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Reflection;

namespace Bittensor.Edge.Miner;

/// <summary>The version of this build (the assembly's informational version), as <c>--version</c> prints it and the device reports it.</summary>
public static class MinerVersion
{
    /// <summary>The version, without the source-control suffix the SDK appends after <c>+</c>.</summary>
    public static string Current { get; } = Read();

    private static string Read()
    {
        string version = typeof(MinerVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
