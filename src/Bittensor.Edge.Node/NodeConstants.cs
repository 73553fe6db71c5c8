// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Node;

/// <summary>Defaults, limits and exit codes of <c>bte-node</c>.</summary>
public static class NodeConstants
{
    /// <summary>The JSON-RPC port of protocol.md §2.8.</summary>
    public const int DefaultRpcPort = 9944;

    /// <summary>Default largest request body: 4 MiB.</summary>
    public const int DefaultMaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>Smallest allowed request body limit.</summary>
    public const int MinMaxBodyBytes = 1024;

    /// <summary>Largest allowed request body limit.</summary>
    public const int MaxMaxBodyBytes = 64 * 1024 * 1024;

    /// <summary>Default seconds between storage validator rounds: 10 blocks of 12 s (storage-proofs.md §3).</summary>
    public const int DefaultValidatorRoundS = 120;

    /// <summary>Default rounds between weight settings.</summary>
    public const int DefaultValidatorWeightsEveryRounds = 10;

    /// <summary>Longest allowed validator round, seconds (one day).</summary>
    public const int MaxValidatorRoundS = 86_400;

    /// <summary>Largest allowed <c>validator:weightsEveryRounds</c>.</summary>
    public const int MaxValidatorWeightsEveryRounds = 10_000;

    /// <summary>The settings file name that <c>init</c> writes.</summary>
    public const string SettingsFileName = "node.settings.jsonc";

    /// <summary>The genesis file name that <c>init</c> writes.</summary>
    public const string GenesisFileName = "genesis.json";

    /// <summary>The authority key file name that <c>init</c> writes.</summary>
    public const string AuthorityKeyFileName = "authority.key";

    /// <summary>Exit code: stopped cleanly.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code: a service failed while running.</summary>
    public const int ExitFailure = 1;

    /// <summary>Exit code: bad command line or settings.</summary>
    public const int ExitUsage = 2;

    /// <summary>Exit code: the genesis, author key, validator hotkey or data directory could not be used.</summary>
    public const int ExitStartup = 3;
}
