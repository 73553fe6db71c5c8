// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Microsoft.Extensions.Configuration;

namespace Bittensor.Edge.Core.Settings;

/// <summary>
/// The part every executable's settings loader shares (bte-node, bte-gateway, bte-miner): the settings file (JSON with
/// comments), then <c>BTE_section__key</c> environment overrides, then flags, later ones winning, with unknown sections
/// and keys named. Binding and validation stay with each loader (the binder source generator binds there).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class SettingsFile
{
    /// <summary>
    /// Builds the configuration from <paramref name="configPath"/> (optional), the <paramref name="environment"/>
    /// variables of <paramref name="sections"/> and <paramref name="flags"/> (<c>section:key</c> → value). Returns null,
    /// with the reason in <paramref name="errors"/>, when the file is missing or not JSON; a section outside
    /// <paramref name="sections"/> adds an error but the configuration is still returned, so every bad key is named.
    /// <paramref name="baseDirectory"/> is the file's folder (else the current one), for relative paths.
    /// </summary>
    public static IConfigurationRoot? TryBuild(
        string? configPath,
        IEnumerable<KeyValuePair<string, string?>> environment,
        IReadOnlyDictionary<string, string?> flags,
        IReadOnlyList<string> sections,
        List<string> errors,
        out string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(sections);
        ArgumentNullException.ThrowIfNull(errors);
        baseDirectory = Directory.GetCurrentDirectory();
        ConfigurationBuilder builder = new();
        if (configPath is not null)
        {
            string fullPath = Path.GetFullPath(configPath);
            if (!File.Exists(fullPath))
            {
                errors.Add($"--config: the settings file {fullPath} does not exist.");
                return null;
            }

            baseDirectory = Path.GetDirectoryName(fullPath)!;
            builder.AddJsonFile(fullPath, optional: false, reloadOnChange: false);
        }

        builder.AddInMemoryCollection(SettingsSources.FromEnvironment(environment, [.. sections]));
        builder.AddInMemoryCollection(flags);
        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException or System.Text.Json.JsonException)
        {
            errors.Add($"{configPath}: not valid JSON settings: {e.Message}");
            return null;
        }

        string expected = sections.Count == 1 ? sections[0] : $"{string.Join(", ", sections.Take(sections.Count - 1))} or {sections[^1]}";
        foreach (IConfigurationSection section in configuration.GetChildren())
        {
            if (!sections.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{section.Key}: unknown section (expected {expected}).");
            }
        }

        return configuration;
    }

    /// <summary>Adds an error naming each key of <paramref name="section"/> that is not in <paramref name="known"/> (case-insensitive).</summary>
    public static void CheckKeys(IConfigurationSection section, string[] known, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(section);
        SettingsSources.CheckKeys(section.Key, section.GetChildren().Select(static child => child.Key), known, errors);
    }
}
