// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Core.Settings;

/// <summary>
/// The pieces every executable's settings loader shares (bte-node, bte-gateway, bte-miner): <c>BTE_section__key</c>
/// environment overrides, unknown-key checks, and paths taken relative to the settings file.
/// </summary>
public static class SettingsSources
{
    /// <summary>The prefix of environment overrides.</summary>
    public const string EnvironmentPrefix = "BTE_";

    /// <summary>
    /// The <c>BTE_section__key</c> variables of <paramref name="environment"/> whose section is one of
    /// <paramref name="sections"/>, as <c>section:key</c> configuration keys (case-insensitive). Others are ignored, so
    /// unrelated <c>BTE_</c> variables (<c>BTE_WALLET_PATH</c>) do not count as unknown settings.
    /// </summary>
    public static Dictionary<string, string?> FromEnvironment(IEnumerable<KeyValuePair<string, string?>> environment, IReadOnlyCollection<string> sections)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(sections);
        Dictionary<string, string?> values = new(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, string? value) in environment)
        {
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string key = name[EnvironmentPrefix.Length..];
            int separator = key.IndexOf("__", StringComparison.Ordinal);
            if (separator <= 0 || !sections.Contains(key[..separator], StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            values[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        return values;
    }

    /// <summary>This process's environment variables, for <see cref="FromEnvironment"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ProcessEnvironment()
    {
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            yield return new KeyValuePair<string, string?>((string)entry.Key, (string?)entry.Value);
        }
    }

    /// <summary>Adds an error naming each of <paramref name="keys"/> that is not in <paramref name="known"/> (case-insensitive).</summary>
    public static void CheckKeys(string section, IEnumerable<string> keys, IReadOnlyCollection<string> known, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(errors);
        foreach (string key in keys)
        {
            if (!known.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{section}:{key}: unknown key (known: {string.Join(", ", known)}).");
            }
        }
    }

    /// <summary><paramref name="path"/> made absolute against <paramref name="baseDirectory"/> (blank stays blank).</summary>
    public static string ResolvePath(string baseDirectory, string path) =>
        string.IsNullOrWhiteSpace(path) ? path : Path.GetFullPath(path, baseDirectory);

    /// <summary>A <c>file://relative/path</c> made absolute against <paramref name="baseDirectory"/>, like the other paths; other URIs unchanged.</summary>
    public static string ResolveFileUri(string baseDirectory, string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        const string FileScheme = "file://";
        if (!uri.StartsWith(FileScheme, StringComparison.OrdinalIgnoreCase) || uri.Length == FileScheme.Length)
        {
            return uri;
        }

        return FileScheme + Path.GetFullPath(Uri.UnescapeDataString(uri[FileScheme.Length..]), baseDirectory);
    }
}
