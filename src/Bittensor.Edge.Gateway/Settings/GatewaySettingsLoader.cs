// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Bittensor.Edge.Gateway.Settings;

/// <summary>
/// Builds <see cref="GatewaySettings"/> from its sources, later ones winning: the defaults in code, the settings file
/// (JSON with comments), <c>BTE_&lt;section&gt;__&lt;key&gt;</c> environment variables, then flags; the same
/// convention as <c>bte-node</c>'s loader. Binding goes through the configuration binding source generator.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class GatewaySettingsLoader
{
    private static readonly string[] s_sections = ["gateway", "mqtt", "admin", "probe"];

    /// <summary>
    /// Loads and validates the settings. Only <c>BTE_gateway__*</c>, <c>BTE_mqtt__*</c>, <c>BTE_admin__*</c> and
    /// <c>BTE_probe__*</c> are read from <paramref name="environment"/>; <paramref name="flags"/> maps
    /// <c>section:key</c> to a value. On failure, <paramref name="errors"/> names every bad key.
    /// </summary>
    public static bool TryLoad(
        string? configPath,
        IEnumerable<KeyValuePair<string, string?>> environment,
        IReadOnlyDictionary<string, string?> flags,
        [NotNullWhen(true)] out GatewaySettings? settings,
        out List<string> errors)
    {
        settings = null;
        errors = [];
        if (SettingsFile.TryBuild(configPath, environment, flags, s_sections, errors, out string baseDirectory) is not { } configuration)
        {
            return false;
        }

        GatewaySettings bound = new();
        SettingsFile.CheckKeys(configuration.GetSection("gateway"), ["dataDir", "fleetId", "gatewayId", "baseTopic", "haPrefix", "busKeyUri", "logLevel"], errors);
        SettingsFile.CheckKeys(configuration.GetSection("mqtt"), ["listenAddress", "port", "joinConnectsPerMinute", "homeAssistantPasswordUri", "tlsEnabled", "tlsPort"], errors);
        SettingsFile.CheckKeys(configuration.GetSection("admin"), ["listenAddress", "port"], errors);
        SettingsFile.CheckKeys(configuration.GetSection("probe"), ["model", "leaves", "timeoutS"], errors);
        try
        {
            configuration.GetSection("gateway").Bind(bound.Gateway);
            configuration.GetSection("mqtt").Bind(bound.Mqtt);
            configuration.GetSection("admin").Bind(bound.Admin);
            configuration.GetSection("probe").Bind(bound.Probe);
        }
        catch (InvalidOperationException e)
        {
            errors.Add(e.Message);
        }

        if (errors.Count > 0)
        {
            return false;
        }

        bound.Gateway.DataDir = SettingsSources.ResolvePath(baseDirectory, bound.Gateway.DataDir);
        bound.Gateway.BusKeyUri = SettingsSources.ResolveFileUri(baseDirectory, bound.Gateway.BusKeyUri);
        bound.Mqtt.HomeAssistantPasswordUri = SettingsSources.ResolveFileUri(baseDirectory, bound.Mqtt.HomeAssistantPasswordUri);
        errors.AddRange(GatewaySettingsValidator.Validate(bound));
        if (errors.Count > 0)
        {
            return false;
        }

        settings = bound;
        return true;
    }
}

/// <summary>The <c>file://</c> URIs that name secrets in the settings (STYLE.md: secrets stay out of the file).</summary>
internal static class FileUris
{
    public const string Scheme = "file://";

    /// <summary>Whether <paramref name="uri"/> is empty or <c>file://</c> with a path.</summary>
    public static bool IsWellFormed(string? uri, [NotNullWhen(false)] out string? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(uri))
        {
            return true;
        }

        if (!uri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || uri.Length == Scheme.Length)
        {
            problem = $"'{uri}' is not file:///path (or empty).";
            return false;
        }

        return true;
    }

    /// <summary>The path of a well-formed non-empty <c>file://</c> URI.</summary>
    public static string PathOf(string uri) => Uri.UnescapeDataString(uri[Scheme.Length..]);
}
