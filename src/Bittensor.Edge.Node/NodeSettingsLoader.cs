// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Bittensor.Edge.Node;

/// <summary>
/// Builds <see cref="NodeSettings"/> from its sources, later ones winning: the defaults in code, the settings file
/// (JSON with comments), <c>BTE_&lt;section&gt;__&lt;key&gt;</c> environment variables, then flags. Binding goes through
/// the configuration binding source generator (no reflection).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class NodeSettingsLoader
{
    private static readonly string[] s_sections = ["node", "rpc", "validator"];

    /// <summary>
    /// Loads and validates the settings. <paramref name="environment"/> is the process environment (only
    /// <c>BTE_node__*</c>, <c>BTE_rpc__*</c> and <c>BTE_validator__*</c> are read, so wallet variables such as <c>BTE_WALLET_PATH</c> do not
    /// collide); <paramref name="flags"/> maps <c>section:key</c> to a value. On failure, <paramref name="errors"/> names
    /// every bad key.
    /// </summary>
    public static bool TryLoad(
        string? configPath,
        IEnumerable<KeyValuePair<string, string?>> environment,
        IReadOnlyDictionary<string, string?> flags,
        [NotNullWhen(true)] out NodeSettings? settings,
        out List<string> errors)
    {
        settings = null;
        errors = [];
        if (SettingsFile.TryBuild(configPath, environment, flags, s_sections, errors, out string baseDirectory) is not { } configuration)
        {
            return false;
        }

        NodeSettings bound = new();
        SettingsFile.CheckKeys(configuration.GetSection("node"), ["dataDir", "genesisPath", "authorKeyUri", "logLevel"], errors);
        SettingsFile.CheckKeys(configuration.GetSection("rpc"), ["listenAddress", "port", "maxBodyBytes"], errors);
        SettingsFile.CheckKeys(configuration.GetSection("validator"), ["enabled", "netuid", "hotkeyUri", "roundS", "weightsEveryRounds", "nodeRpcUrl", "inferenceEnabled", "modelsDir", "inferenceProviders", "marketSplit", "capacityEveryRounds"], errors);
        try
        {
            configuration.GetSection("node").Bind(bound.Node);
            configuration.GetSection("rpc").Bind(bound.Rpc);
            configuration.GetSection("validator").Bind(bound.Validator);
        }
        catch (InvalidOperationException e)
        {
            errors.Add(e.Message);
        }

        if (errors.Count > 0)
        {
            return false;
        }

        bound.Node.DataDir = SettingsSources.ResolvePath(baseDirectory, bound.Node.DataDir);
        bound.Node.GenesisPath = SettingsSources.ResolvePath(baseDirectory, bound.Node.GenesisPath);
        bound.Node.AuthorKeyUri = SettingsSources.ResolveFileUri(baseDirectory, bound.Node.AuthorKeyUri);
        bound.Validator.HotkeyUri = SettingsSources.ResolveFileUri(baseDirectory, bound.Validator.HotkeyUri);
        bound.Validator.ModelsDir = SettingsSources.ResolvePath(baseDirectory, bound.Validator.ModelsDir);
        errors.AddRange(NodeSettingsValidator.Validate(bound));
        if (errors.Count > 0)
        {
            return false;
        }

        settings = bound;
        return true;
    }
}
