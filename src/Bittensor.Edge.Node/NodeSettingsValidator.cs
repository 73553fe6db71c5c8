// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using Bittensor.Edge.Core.Wallets;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Node;

/// <summary>The one check of <see cref="NodeSettings"/> at start-up; each problem names its key.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class NodeSettingsValidator
{
    /// <summary>Every problem as <c>section:key: what is wrong</c>; empty when the settings are usable.</summary>
    public static List<string> Validate(NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(settings.Node.DataDir))
        {
            errors.Add("node:dataDir: must name a folder.");
        }

        if (string.IsNullOrWhiteSpace(settings.Node.GenesisPath))
        {
            errors.Add("node:genesisPath: must name the genesis file.");
        }

        if (!AuthorKeyLoader.IsWellFormed(settings.Node.AuthorKeyUri, out string? keyProblem))
        {
            errors.Add($"node:authorKeyUri: {keyProblem}");
        }

        if (!TryParseLogLevel(settings.Node.LogLevel, out _))
        {
            errors.Add($"node:logLevel: '{settings.Node.LogLevel}' is not one of Trace, Debug, Information, Warning, Error, Critical, None.");
        }

        if (!IPAddress.TryParse(settings.Rpc.ListenAddress, out _))
        {
            errors.Add($"rpc:listenAddress: '{settings.Rpc.ListenAddress}' is not an IP address (use 127.0.0.1, 0.0.0.0 or ::).");
        }

        if (settings.Rpc.Port is < 0 or > 65535)
        {
            errors.Add($"rpc:port: {settings.Rpc.Port} is not a TCP port (0–65535; 0 picks a free one).");
        }

        if (settings.Rpc.MaxBodyBytes is < NodeConstants.MinMaxBodyBytes or > NodeConstants.MaxMaxBodyBytes)
        {
            errors.Add($"rpc:maxBodyBytes: {settings.Rpc.MaxBodyBytes} is outside {NodeConstants.MinMaxBodyBytes}–{NodeConstants.MaxMaxBodyBytes}.");
        }

        ValidateValidator(settings.Validator, errors);
        return errors;
    }

    /// <summary>Parses a level name (case-insensitive), refusing numbers.</summary>
    public static bool TryParseLogLevel(string? text, out LogLevel level)
    {
        level = LogLevel.Information;
        return !string.IsNullOrWhiteSpace(text) && !char.IsAsciiDigit(text[0]) && Enum.TryParse(text, ignoreCase: true, out level) && Enum.IsDefined(level);
    }

    // The values are checked even while the validator is disabled, so that enabling it later cannot reveal an old typo;
    // only the hotkey is optional then.
    private static void ValidateValidator(ValidatorSection validator, List<string> errors)
    {
        if (validator.Netuid is < 0 or > ushort.MaxValue)
        {
            errors.Add($"validator:netuid: {validator.Netuid} is not a subnet id (0–65535).");
        }

        if (validator.Enabled && string.IsNullOrEmpty(validator.HotkeyUri))
        {
            errors.Add("validator:hotkeyUri: required when validator:enabled is true (file:///path or wallet://NAME/HOTKEY).");
        }
        else if (!AuthorKeyLoader.IsWellFormed(validator.HotkeyUri, "no validator", out string? keyProblem))
        {
            errors.Add($"validator:hotkeyUri: {keyProblem}");
        }

        if (validator.RoundS is < 1 or > NodeConstants.MaxValidatorRoundS)
        {
            errors.Add($"validator:roundS: {validator.RoundS} is outside 1–{NodeConstants.MaxValidatorRoundS}.");
        }

        if (validator.WeightsEveryRounds is < 1 or > NodeConstants.MaxValidatorWeightsEveryRounds)
        {
            errors.Add($"validator:weightsEveryRounds: {validator.WeightsEveryRounds} is outside 1–{NodeConstants.MaxValidatorWeightsEveryRounds}.");
        }

        if (validator.Enabled && validator.InferenceEnabled && string.IsNullOrWhiteSpace(validator.ModelsDir))
        {
            errors.Add("validator:modelsDir: required when validator:inferenceEnabled is true (the folder with registry.json and the .onnx files).");
        }

        foreach (string provider in validator.InferenceProviders.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (Inference.Sessions.ExecutionProviders.Normalize(provider) is null)
            {
                errors.Add($"validator:inferenceProviders: '{provider}' is not an execution provider (CUDA, TensorRT, XNNPACK, CPU).");
            }
        }

        if (!(validator.MarketSplit is >= 0 and <= 1))
        {
            errors.Add($"validator:marketSplit: {validator.MarketSplit} is outside 0–1 (the storage share; inference gets the rest).");
        }

        if (validator.CapacityEveryRounds is < 1 or > NodeConstants.MaxValidatorWeightsEveryRounds)
        {
            errors.Add($"validator:capacityEveryRounds: {validator.CapacityEveryRounds} is outside 1–{NodeConstants.MaxValidatorWeightsEveryRounds}.");
        }

        if (!string.IsNullOrEmpty(validator.NodeRpcUrl)
            && (!Uri.TryCreate(validator.NodeRpcUrl, UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"validator:nodeRpcUrl: '{validator.NodeRpcUrl}' is not an http:// or https:// URL (or empty for this node's own RPC).");
        }
    }

    internal static bool IsValidWalletName(string name) => Wallet.IsValidName(name);
}
