// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Cli.Commands.Wallet;

/// <summary>
/// What the wallet commands take from the outside world, so tests can run them in-process without
/// touching the real environment, terminal or Argon2id defaults.
/// </summary>
/// <param name="GetEnvironmentVariable">Reads BTE_WALLET_PATH, BTE_WALLET_NAME, BTE_WALLET_HOTKEY and CREDENTIALS_DIRECTORY (never a password).</param>
/// <param name="Prompt">Asks for a password on a terminal.</param>
/// <param name="ColdkeyCost">Argon2id cost of a new encrypted coldkey.</param>
internal sealed record WalletCliEnvironment(
    Func<string, string?> GetEnvironmentVariable,
    IPasswordPrompt Prompt,
    KdfCost ColdkeyCost)
{
    /// <summary>The real environment, the console prompt and the spec's coldkey cost.</summary>
    public static WalletCliEnvironment Default { get; } =
        new(Environment.GetEnvironmentVariable, ConsolePasswordPrompt.Instance, KdfCost.Coldkey);
}
