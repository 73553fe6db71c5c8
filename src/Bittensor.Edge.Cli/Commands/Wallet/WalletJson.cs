// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json.Serialization;

namespace Bittensor.Edge.Cli.Commands.Wallet;

/// <summary>One key in <c>--json</c> output.</summary>
internal sealed record KeyJson(
    string Name,
    string Ss58Address,
    string PublicKey,
    string Path,
    string PubPath,
    bool? Encrypted,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Mnemonic = null);

/// <summary>A wallet in <c>--json</c> output.</summary>
internal sealed record WalletJson(string Name, string Path, KeyJson? Coldkey, IReadOnlyList<KeyJson> Hotkeys);

/// <summary><c>bte wallet list --json</c>.</summary>
internal sealed record WalletListJson(string Root, IReadOnlyList<WalletJson> Wallets);

/// <summary>An error in <c>--json</c> mode is still written as text to stderr; this is the success shape only.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(WalletJson))]
[JsonSerializable(typeof(WalletListJson))]
internal sealed partial class WalletJsonContext : JsonSerializerContext;
