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
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(flags);
        settings = null;
        errors = [];
        string baseDirectory = Directory.GetCurrentDirectory();
        ConfigurationBuilder builder = new();
        if (configPath is not null)
        {
            string fullPath = Path.GetFullPath(configPath);
            if (!File.Exists(fullPath))
            {
                errors.Add($"--config: the settings file {fullPath} does not exist.");
                return false;
            }

            baseDirectory = Path.GetDirectoryName(fullPath)!;
            builder.AddJsonFile(fullPath, optional: false, reloadOnChange: false);
        }

        builder.AddInMemoryCollection(SettingsSources.FromEnvironment(environment, s_sections));
        builder.AddInMemoryCollection(flags);
        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException or System.Text.Json.JsonException)
        {
            errors.Add($"{configPath}: not valid JSON settings: {e.Message}");
            return false;
        }

        foreach (IConfigurationSection section in configuration.GetChildren())
        {
            if (!s_sections.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{section.Key}: unknown section (expected node, rpc or validator).");
            }
        }

        NodeSettings bound = new();
        CheckKeys(configuration.GetSection("node"), ["dataDir", "genesisPath", "authorKeyUri", "logLevel"], errors);
        CheckKeys(configuration.GetSection("rpc"), ["listenAddress", "port", "maxBodyBytes"], errors);
        CheckKeys(configuration.GetSection("validator"), ["enabled", "netuid", "hotkeyUri", "roundS", "weightsEveryRounds", "nodeRpcUrl", "inferenceEnabled", "modelsDir", "inferenceProviders", "marketSplit", "capacityEveryRounds"], errors);
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

    private static void CheckKeys(IConfigurationSection section, string[] known, List<string> errors) =>
        SettingsSources.CheckKeys(section.Key, section.GetChildren().Select(static child => child.Key), known, errors);
}
